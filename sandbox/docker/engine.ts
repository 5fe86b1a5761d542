import type { ExecResult } from '../driver.ts';
import { runProcess } from '../process.ts';

/**
 * Runs the docker CLI against the engine in DOCKER_HOST (the local socket by default), so
 * the same code drives a remote engine. Never throws for a failing command: the caller
 * reads the exit code.
 */
export function docker(args: readonly string[], options: { stdin?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
  return runProcess('docker', args, options);
}

export class DockerCommandError extends Error {
  override readonly name = 'DockerCommandError';
}

/** Runs docker and returns stdout, throwing with stderr when it fails. */
export async function dockerOk(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<string> {
  const result = await docker(args, options);
  if (result.exitCode !== 0) throw new DockerCommandError(`docker ${args[0]} failed: ${(result.stderr || result.stdout).trim()}`);
  return result.stdout;
}
