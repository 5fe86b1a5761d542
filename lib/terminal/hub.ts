import type WebSocket from 'ws';
import type { MachineShell, ShellSize } from '../../sandbox/driver.ts';
import { observedShell, type ShellObserver } from './observed-shell.ts';
import { CloseCode, type ClientMessage } from './protocol.ts';
import { TerminalSession } from './session.ts';
import type { FinishedCommand } from './shell-marks.ts';

/** Where shells come from: the sandbox manager, seen only through this port. */
export interface ShellSource {
  /**
   * Gets the learner a ready machine (reporting progress through `status`) and
   * attaches to the shell named `terminal` on it.
   */
  shellFor(learner: string, terminal: string, size: ShellSize, status: (message: string) => void): Promise<MachineShell>;
  /** Learner input: the machine is in use, not idle. */
  touch(learner: string): void;
}

/** Told when a learner's shell finishes a command: LiveChecks (lib/checks/machine-checks.ts) re-checks then. */
export interface CommandListener {
  /** A command ended in one of the learner's terminals (the shell's marks, lib/terminal/shell-marks.ts). */
  commandFinished(learner: string, command: FinishedCommand & { readonly terminal: string }): void;
}

export interface TerminalHubOptions {
  /** Most terminals one learner may have open at once; reattaching one is always allowed. @default 8 */
  readonly maxTerminalsPerLearner?: number;
  /**
   * A terminal with no client attached for this long has its host side closed. Its shell
   * lives on in the machine; the next attach opens a new attachment. @default 600_000 (10 min)
   */
  readonly detachedCloseMs?: number;
  /** Told of every shell a terminal opens (a class's recorder, lib/recordings); undefined: nobody listens to this one. */
  readonly shellTap?: (learner: string, terminal: string, size: ShellSize) => ShellObserver | undefined;
}

/** Follows one learner's terminals from outside (a watch, lib/terminal/watch.ts). */
export interface LearnerObserver {
  /** A terminal opened or ended: `list` and `session` tell what is there now. */
  terminalsChanged(): void;
  /** The learner answered a take-over request, or ended one, from any of their terminals. */
  takeover(answer: 'accept' | 'refuse' | 'end'): void;
}

/** A learner asked for one terminal more than they may have; the message says what to do. */
export class TerminalLimitError extends Error {
  override name = 'TerminalLimitError';
  constructor(readonly limit: number) {
    super(`You already have ${limit} terminals open, the most one learner may have. Close one (type exit in it) and try again.`);
  }
}

/** Every learner's terminals, each a persistent `TerminalSession`. */
export class TerminalHub {
  private readonly sessions = new Map<string, TerminalSession>();
  private readonly opening = new Map<string, Promise<TerminalSession>>();
  private readonly observers = new Map<string, Set<LearnerObserver>>();
  private readonly maxTerminals: number;
  private readonly detachedCloseMs: number;
  private readonly shellTap: TerminalHubOptions['shellTap'];

  /** @param commands told whenever a learner's shell finishes a command (time to re-check). */
  constructor(
    private readonly shells: ShellSource,
    private readonly commands: CommandListener = { commandFinished: () => undefined },
    { maxTerminalsPerLearner = 8, detachedCloseMs = 10 * 60_000, shellTap }: TerminalHubOptions = {},
  ) {
    this.maxTerminals = maxTerminalsPerLearner;
    this.detachedCloseMs = detachedCloseMs;
    this.shellTap = shellTap;
  }

  /** The names of a learner's open terminals, oldest first. */
  list(learner: string): string[] {
    const prefix = `${learner}/`;
    return [...this.sessions.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  }

  /** A learner's open terminal by name, if open. */
  session(learner: string, name: string): TerminalSession | undefined {
    return this.sessions.get(`${learner}/${name}`);
  }

  /** Tells `observer` about the learner's terminals until the returned function is called. */
  observe(learner: string, observer: LearnerObserver): () => void {
    let set = this.observers.get(learner);
    if (!set) this.observers.set(learner, (set = new Set()));
    set.add(observer);
    return () => {
      set.delete(observer);
      if (set.size === 0 && this.observers.get(learner) === set) this.observers.delete(learner);
    };
  }

  /** Throws `TerminalLimitError` when `name` is new and the learner is at the limit. */
  async attach(learner: string, name: string, socket: WebSocket, hello: Extract<ClientMessage, { t: 'hello' }>, status: (message: string) => void): Promise<void> {
    const session = await this.open(learner, name, hello, status);
    session.attach(socket, hello);
  }

  /** Closes a learner's terminals (their machine went away). */
  closeLearner(learner: string): void {
    for (const name of this.list(learner)) this.sessions.get(`${learner}/${name}`)?.close();
  }

  /**
   * The learner's machine is being replaced: each open terminal is told `message` and
   * closed so that its client reconnects, to a shell on the fresh machine.
   */
  machineReplaced(learner: string, message: string): void {
    for (const name of this.list(learner)) this.sessions.get(`${learner}/${name}`)?.close(CloseCode.machineReset, { t: 'machine-reset', message });
  }

  closeAll(): void {
    for (const session of this.sessions.values()) session.close();
  }

  private open(learner: string, name: string, size: ShellSize, status: (message: string) => void): Promise<TerminalSession> {
    const key = `${learner}/${name}`;
    const existing = this.sessions.get(key);
    if (existing) return Promise.resolve(existing);
    // Two tabs attaching at once share one start-up.
    let opening = this.opening.get(key);
    if (!opening) {
      if (this.count(learner) >= this.maxTerminals) return Promise.reject(new TerminalLimitError(this.maxTerminals));
      opening = this.start(learner, name, size, status).finally(() => this.opening.delete(key));
      this.opening.set(key, opening);
    }
    return opening;
  }

  /** Open and opening terminals: a burst of new tabs cannot slip past the limit. */
  private count(learner: string): number {
    const prefix = `${learner}/`;
    return new Set([...this.sessions.keys(), ...this.opening.keys()].filter((k) => k.startsWith(prefix))).size;
  }

  private async start(learner: string, name: string, size: ShellSize, status: (message: string) => void): Promise<TerminalSession> {
    const key = `${learner}/${name}`;
    const opened = await this.shells.shellFor(learner, name, { cols: size.cols, rows: size.rows }, status);
    const observer = this.shellTap?.(learner, name, { cols: size.cols, rows: size.rows });
    const shell = observer ? observedShell(opened, observer) : opened;
    const session = new TerminalSession(name, shell, this.detachedCloseMs, {
      activity: () => this.shells.touch(learner),
      commandFinished: (command) => this.commands.commandFinished(learner, { ...command, terminal: name }),
      ended: () => {
        if (this.sessions.get(key) !== session) return;
        this.sessions.delete(key);
        this.tell(learner, (o) => o.terminalsChanged());
      },
      takeover: (answer) => this.tell(learner, (o) => o.takeover(answer)),
    });
    this.sessions.set(key, session);
    this.tell(learner, (o) => o.terminalsChanged());
    return session;
  }

  private tell(learner: string, call: (observer: LearnerObserver) => void): void {
    for (const observer of [...(this.observers.get(learner) ?? [])]) call(observer);
  }
}
