import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { SandboxError, type ExecResult } from './driver.ts';

/** Output kept per stream; a check or command printing more is cut (from the front). */
const MAX_OUTPUT = 1024 * 1024;

export interface RunOptions {
  readonly stdin?: string;
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/**
 * Runs a local program (docker, ssh, qemu-img) and collects what it printed. Never throws
 * for a failing command, only when the program cannot be started: the caller reads the
 * exit code. A timeout kills it and says so.
 */
export function runProcess(file: string, args: readonly string[], options: RunOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env, cwd: options.cwd });
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

/** A local process's resident memory (VmRSS), in MiB. */
export async function residentMiB(pid: number | string): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!kib) throw new SandboxError(`process ${pid} has no resident memory (a kernel thread or a zombie)`);
  return Number(kib[1]) / 1024;
}
