import { spawn } from 'node:child_process';
import type { ExecResult, MachineProcess, MachineShell, ShellSize } from '../driver.ts';
import { runProcess } from '../process.ts';
import { ptyShell } from '../pty-shell.ts';

/** How the platform reaches one VM: its forwarded port, its own key and host key. */
export interface SshTarget {
  readonly port: number;
  /** Private key file; the VM authorizes only its public half. */
  readonly key: string;
  readonly knownHosts: string;
  /** Names the VM in known_hosts, independent of the port it happens to get. */
  readonly alias: string;
  /** Multiplexing socket: one TCP connection and handshake serve every exec and shell. */
  readonly controlPath: string;
  /** Trust the host key seen first (only for the platform's own first boot of an image). */
  readonly firstContact?: boolean;
}

/** Quotes one argument for the remote shell that ssh hands the command line to. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

export function sshArgs(target: SshTarget): string[] {
  return [
    '-p', String(target.port),
    '-i', target.key,
    '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR',
    '-o', `UserKnownHostsFile=${target.knownHosts}`, '-o', `StrictHostKeyChecking=${target.firstContact ? 'accept-new' : 'yes'}`, '-o', `HostKeyAlias=${target.alias}`,
    '-o', 'ControlMaster=auto', '-o', `ControlPath=${target.controlPath}`, '-o', 'ControlPersist=600',
    '-o', 'ServerAliveInterval=15', '-o', 'ConnectTimeout=5',
    'root@127.0.0.1',
  ];
}

/** Runs argv in the VM as root; a timeout also bounds it inside, so nothing is left running. */
export function sshExec(target: SshTarget, argv: readonly string[], options: { stdin?: string; timeoutMs: number }): Promise<ExecResult> {
  const seconds = Math.ceil(options.timeoutMs / 1000) + 1;
  // By absolute path: the learner's own `timeout` earlier on PATH would see stdin (a check's nonce).
  const remote = ['/usr/bin/timeout', '--kill-after=2', String(seconds), ...argv].map(shellQuote).join(' ');
  return runProcess('ssh', [...sshArgs(target), '--', remote], { stdin: options.stdin, timeoutMs: options.timeoutMs });
}

/** A process in the VM with its stdin and stdout piped through the multiplexed connection (no pty). */
export function sshProcess(target: SshTarget, argv: readonly string[]): MachineProcess {
  const child = spawn('ssh', [...sshArgs(target), '--', argv.map(shellQuote).join(' ')], { stdio: ['pipe', 'pipe', 'ignore'] });
  const exitListeners: Array<() => void> = [];
  let exited = false;
  const exit = () => {
    if (exited) return;
    exited = true;
    exitListeners.forEach((listener) => listener());
  };
  child.once('close', exit);
  child.once('error', exit);
  child.stdin.on('error', () => undefined);
  return {
    write: (data) => void (!exited && child.stdin.write(data)),
    onStdout: (listener) => void child.stdout.on('data', listener),
    onExit: (listener) => void exitListeners.push(listener),
    close: () => {
      child.stdin.end();
      child.kill();
    },
  };
}

/** An interactive session on a pty, through the multiplexed connection. */
export function sshShell(target: SshTarget, remoteCommand: string, size: ShellSize): MachineShell {
  return ptyShell('ssh', ['-tt', ...sshArgs(target), '--', remoteCommand], size, { TERM: 'xterm-256color' });
}

/** Ends the multiplexing connection (the VM is going away). */
export async function sshClose(target: SshTarget): Promise<void> {
  await runProcess('ssh', ['-O', 'exit', ...sshArgs(target)], { timeoutMs: 5000 }).catch(() => undefined);
}
