import { spawn } from 'node-pty';
import type { MachineShell, ShellSize } from './driver.ts';

/**
 * A shell attachment through a local process on a pty (`ssh -t` to a VM, or a plain
 * local shell): what drivers without a streaming exec API use. The process gets a
 * minimal environment plus `env`.
 */
export function ptyShell(file: string, args: readonly string[], size: ShellSize, env: Readonly<Record<string, string>> = {}): MachineShell {
  const pty = spawn(file, [...args], {
    name: 'xterm-256color',
    cols: size.cols,
    rows: size.rows,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/', ...env },
  });
  let exited = false;
  pty.onExit(() => (exited = true));
  return {
    write: (data) => pty.write(data),
    resize: ({ cols, rows }) => {
      if (!exited) pty.resize(cols, rows);
    },
    pause: () => pty.pause(),
    resume: () => pty.resume(),
    onData: (listener) => void pty.onData(listener),
    onExit: (listener) => void pty.onExit(({ exitCode }) => listener(exitCode)),
    close: () => {
      if (!exited) pty.kill();
    },
  };
}
