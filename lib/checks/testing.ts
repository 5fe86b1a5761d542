import { spawn } from 'node:child_process';
import type { CheckRun } from './outcome.ts';
import type { MachineExec } from './run.ts';

/**
 * A MachineExec that runs argv with a real bash on this host, for the checks' unit tests
 * (the machine-state helpers are proven against real machines by lessons-tests).
 */
export const localExec: MachineExec = (argv, { stdin, timeoutMs }) =>
  new Promise<CheckRun>((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    // EPIPE when the process ends before it read everything: its exit says the rest.
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? -1, stdout, stderr, timedOut });
    });
  });
