import { spawn } from 'node-pty';
import type WebSocket from 'ws';
import type { ClientMessage } from './protocol.ts';
import { TerminalSession } from './session.ts';

/** A process for node-pty that attaches to one named, persistent shell on a machine. */
export interface ShellProcess {
  readonly file: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** Where shells come from: the sandbox manager, seen only through this port. */
export interface ShellSource {
  /**
   * Gets the learner a ready machine (reporting progress through `status`) and
   * returns the process that attaches to the shell named `terminal` on it.
   */
  shellFor(learner: string, terminal: string, status: (message: string) => void): Promise<ShellProcess>;
  /** Learner input: the machine is in use, not idle. */
  touch(learner: string): void;
}

/** Every learner's terminals, each a persistent `TerminalSession`. */
export class TerminalHub {
  private readonly sessions = new Map<string, TerminalSession>();
  private readonly opening = new Map<string, Promise<TerminalSession>>();

  /** @param onCommandFinished a learner's shell finished a command (time to re-check). */
  constructor(
    private readonly shells: ShellSource,
    private readonly onCommandFinished: (learner: string) => void = () => undefined,
  ) {}

  /** The names of a learner's open terminals, oldest first. */
  list(learner: string): string[] {
    const prefix = `${learner}/`;
    return [...this.sessions.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  }

  async attach(learner: string, name: string, socket: WebSocket, hello: Extract<ClientMessage, { t: 'hello' }>, status: (message: string) => void): Promise<void> {
    const session = await this.open(learner, name, hello, status);
    session.attach(socket, hello);
  }

  /** Closes a learner's terminals (their machine went away). */
  closeLearner(learner: string): void {
    for (const name of this.list(learner)) this.sessions.get(`${learner}/${name}`)?.close();
  }

  closeAll(): void {
    for (const session of this.sessions.values()) session.close();
  }

  private open(learner: string, name: string, size: { cols: number; rows: number }, status: (message: string) => void): Promise<TerminalSession> {
    const key = `${learner}/${name}`;
    const existing = this.sessions.get(key);
    if (existing && !existing.exited) return Promise.resolve(existing);
    // Two tabs attaching at once share one start-up.
    let opening = this.opening.get(key);
    if (!opening) {
      opening = this.spawn(learner, name, size, status).finally(() => this.opening.delete(key));
      this.opening.set(key, opening);
    }
    return opening;
  }

  private async spawn(learner: string, name: string, size: { cols: number; rows: number }, status: (message: string) => void): Promise<TerminalSession> {
    const key = `${learner}/${name}`;
    const shell = await this.shells.shellFor(learner, name, status);
    const pty = spawn(shell.file, [...shell.args], {
      name: 'xterm-256color',
      cols: size.cols,
      rows: size.rows,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/', ...shell.env },
    });
    const session = new TerminalSession(name, pty, {
      activity: () => this.shells.touch(learner),
      commandFinished: () => this.onCommandFinished(learner),
      exit: () => {
        if (this.sessions.get(key) === session) this.sessions.delete(key);
      },
    });
    this.sessions.set(key, session);
    return session;
  }
}
