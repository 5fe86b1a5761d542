import { spawn } from 'node:child_process';
import type { ExecResult } from '../driver.ts';

/** Output kept per stream; a check or command printing more is cut (from the front). */
const MAX_OUTPUT = 1024 * 1024;

/**
 * Runs the docker CLI against the engine in DOCKER_HOST (the local socket by default), so
 * the same code drives a remote engine. Never throws for a failing command: the caller
 * reads the exit code.
 */
export function docker(args: readonly string[], options: { stdin?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const keep = (buffer: string, chunk: Buffer) => (buffer + chunk.toString('utf8')).slice(-MAX_OUTPUT);
    child.stdout.on('data', (chunk: Buffer) => (stdout = keep(stdout, chunk)));
    child.stderr.on('data', (chunk: Buffer) => (stderr = keep(stderr, chunk)));
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? (signal ? 128 : -1), stdout, stderr, timedOut });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
  });
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
