import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { DriverUnavailableError, MachineNotFoundError, MachineRemoveError, MachineStartError, SandboxError } from '../../sandbox/driver.ts';
import type { ExecOptions, ExecResult, FreeDisk, MachineInfo, MachineLimits, MachineProcess, MachineShell, SandboxDriver, ShellSize } from '../../sandbox/driver.ts';

type Reply =
  | { id: number; result?: unknown; error?: { name: string; message: string } }
  | { shell: number; data?: string; exit?: number }
  | { process: number; stdout?: string; exit?: true };

/** The driver's errors, rebuilt from their name and message (MachineNotFoundError's message names its machine). */
const ERRORS: Record<string, (message: string) => SandboxError> = {
  DriverUnavailableError: (message) => new DriverUnavailableError(message),
  MachineNotFoundError: (message) => new MachineNotFoundError(/'(.*)'/.exec(message)?.[1] ?? message),
  MachineStartError: (message) => new MachineStartError(message),
  MachineRemoveError: (message) => new MachineRemoveError(message),
};

/**
 * For tests: a driver on another host (a VM), reached through tests/support/driver-agent.ts
 * running there. Every call crosses as a JSON line; machines, errors and shells come back
 * as the driver there made them. `connect` starts the agent with the command given
 * (an ssh command line); until then calls wait, so suites can be declared before it.
 */
export class RemoteDriver implements SandboxDriver {
  readonly name = 'docker';
  readonly boundary = 'container';
  private agent: ChildProcessWithoutNullStreams | undefined;
  private connected!: () => void;
  private readonly ready = new Promise<void>((resolve) => (this.connected = resolve));
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  private readonly shells = new Map<number, { data: ((data: string) => void)[]; exit: ((code: number) => void)[] }>();
  private readonly processes = new Map<number, { stdout: ((chunk: Buffer) => void)[]; exit: (() => void)[] }>();
  private stderr = '';

  connect(command: readonly string[]): void {
    const agent = spawn(command[0]!, command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    agent.stderr.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4000)));
    agent.on('close', (code) => {
      for (const { reject } of this.pending.values()) reject(new Error(`the driver agent ended (exit ${code}): ${this.stderr.trim()}`));
      this.pending.clear();
    });
    createInterface({ input: agent.stdout }).on('line', (line) => this.receive(JSON.parse(line) as Reply));
    this.agent = agent;
    this.connected();
  }

  close(): void {
    this.agent?.stdin.end();
  }

  probe(): Promise<void> {
    return this.call('probe');
  }

  prepare(limits: MachineLimits): Promise<void> {
    return this.call('prepare', limits);
  }

  async create(limits: MachineLimits, learner?: string): Promise<MachineInfo> {
    return revive(await this.call('create', limits, learner));
  }

  async assign(id: string, learner: string): Promise<MachineInfo | undefined> {
    const info = await this.call('assign', id, learner);
    return info ? revive(info) : undefined;
  }

  async find(learner: string): Promise<MachineInfo | undefined> {
    const info = await this.call('find', learner);
    return info ? revive(info) : undefined;
  }

  exec(id: string, argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
    return this.call('exec', id, argv, options);
  }

  async openShell(id: string, terminal: string, size: ShellSize): Promise<MachineShell> {
    const shellId = await this.call<number>('openShell', id, terminal, size);
    const listeners = { data: [] as ((data: string) => void)[], exit: [] as ((code: number) => void)[] };
    this.shells.set(shellId, listeners);
    const tell = (method: string, ...args: unknown[]) => void this.call(`shell.${method}`, shellId, ...args).catch(() => undefined);
    return {
      write: (data) => tell('write', data),
      resize: (next) => tell('resize', next),
      pause: () => tell('pause'),
      resume: () => tell('resume'),
      onData: (listener) => listeners.data.push(listener),
      onExit: (listener) => listeners.exit.push(listener),
      close: () => tell('close'),
    };
  }

  async spawn(id: string, argv: readonly string[]): Promise<MachineProcess> {
    const processId = await this.call<number>('spawn', id, argv);
    const listeners = { stdout: [] as ((chunk: Buffer) => void)[], exit: [] as (() => void)[] };
    this.processes.set(processId, listeners);
    const tell = (method: string, ...args: unknown[]) => void this.call(`process.${method}`, processId, ...args).catch(() => undefined);
    return {
      write: (data) => tell('write', data),
      onStdout: (listener) => listeners.stdout.push(listener),
      onExit: (listener) => listeners.exit.push(listener),
      close: () => tell('close'),
    };
  }

  stop(id: string): Promise<void> {
    return this.call('stop', id);
  }

  async start(id: string): Promise<MachineInfo> {
    return revive(await this.call('start', id));
  }

  destroy(id: string): Promise<void> {
    return this.call('destroy', id);
  }

  async list(): Promise<MachineInfo[]> {
    return (await this.call<unknown[]>('list')).map(revive);
  }

  async inspect(id: string): Promise<MachineInfo> {
    return revive(await this.call('inspect', id));
  }

  freeDisk(): Promise<FreeDisk> {
    return this.call('freeDisk');
  }

  sweep(olderThanMs: number): Promise<string[]> {
    return this.call('sweep', olderThanMs);
  }

  private async call<T>(method: string, ...args: unknown[]): Promise<T> {
    await this.ready;
    const id = this.nextId++;
    const answer = new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.agent!.stdin.write(`${JSON.stringify({ id, method, args })}\n`);
    return answer as Promise<T>;
  }

  private receive(reply: Reply): void {
    if ('process' in reply) {
      const listeners = this.processes.get(reply.process);
      if (reply.stdout !== undefined) listeners?.stdout.forEach((listener) => listener(Buffer.from(reply.stdout!, 'base64')));
      if (reply.exit) {
        this.processes.delete(reply.process);
        listeners?.exit.forEach((listener) => listener());
      }
      return;
    }
    if ('shell' in reply) {
      const listeners = this.shells.get(reply.shell);
      if (reply.data !== undefined) listeners?.data.forEach((listener) => listener(reply.data!));
      if (reply.exit !== undefined) listeners?.exit.forEach((listener) => listener(reply.exit!));
      return;
    }
    const waiting = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    if (!reply.error) return waiting?.resolve(reply.result ?? undefined);
    const rebuild = ERRORS[reply.error.name];
    waiting?.reject(rebuild ? rebuild(reply.error.message) : new Error(`${reply.error.name}: ${reply.error.message}`));
  }
}

function revive(info: unknown): MachineInfo {
  const raw = info as MachineInfo & { createdAt: string; expiresAt: string };
  // JSON leaves an undefined learner (a pool machine) out.
  return { ...raw, learner: raw.learner ?? undefined, createdAt: new Date(raw.createdAt), expiresAt: new Date(raw.expiresAt) };
}
