import { runProcess } from '../process.ts';

/**
 * The docker CLI for tests and benches: an independent look at the engine (what the
 * driver left behind, what the engine says about a machine), never the driver's own path.
 */
export async function dockerCli(args: readonly string[]): Promise<string> {
  const result = await runProcess('docker', args, { timeoutMs: 120_000 });
  if (result.exitCode !== 0) throw new Error(`docker ${args.join(' ')} failed: ${(result.stderr || result.stdout).trim()}`);
  return result.stdout;
}
