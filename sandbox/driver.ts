import { z } from 'zod';

/**
 * The one interface every learner-machine backend implements. The rest of the app sees
 * only this (through the manager); machine identity lives in the backend's engine, never
 * in process memory, so a restarted server finds its machines again.
 */

export const MachineLimits = z.strictObject({
  /** @default 1024 */
  memoryMiB: z.int().min(256).max(65_536).default(1024).describe('Memory, swap included, in MiB'),
  /** @default 1 */
  cpus: z.number().min(0.1).max(64).default(1).describe('CPU share, in cores'),
  /** @default 1024 */
  pids: z.int().min(64).max(65_536).default(1024).describe('Most processes and threads at once'),
  /** @default 10240 (10 GiB) */
  diskMiB: z.int().min(2048).max(1_048_576).default(10_240).describe("Disk for the machine's own Docker data (images, containers, volumes), in MiB"),
  /** @default 14400 (4 h) */
  lifetimeSeconds: z.int().min(60).default(4 * 3600).describe('Wall-clock life of a machine'),
  /** @default 1800 (30 min) */
  idleSeconds: z.int().min(60).default(30 * 60).describe('A machine nobody used for this long is stopped: its memory freed, its files kept until its lifetime ends'),
});
export type MachineLimits = z.infer<typeof MachineLimits>;

/**
 * `lost`: its learner can never use it again where it is (its node is down; or drained,
 * and it is stopped or nobody's yet). The manager removes it; its learner gets a fresh machine.
 */
export type MachineState = 'starting' | 'running' | 'stopped' | 'lost';

export interface MachineInfo {
  readonly id: string;
  readonly driver: string;
  readonly state: MachineState;
  /** The learner it belongs to; undefined for a warm-pool machine nobody claimed yet. */
  readonly learner: string | undefined;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly limits: MachineLimits;
  /** The cluster node it is placed on, for a driver that places machines on several (its disk is there). */
  readonly node?: string;
}

/**
 * Free disk where new machines' disks would grow. The host's own file system: the manager
 * keeps its reserve of it for the host. A cluster's open nodes: each node's budget for
 * machine disks less what its machines' disks may take. A budget is the machines' alone
 * (no reserve comes off it), and it is counted node by node: one disk cannot span two.
 */
export type FreeDisk =
  | { readonly on: 'host'; readonly bytes: number }
  | { readonly on: 'nodes'; readonly nodes: readonly NodeDisk[] };

export interface NodeDisk {
  readonly node: string;
  /** Free bytes of the node's budget; undefined for a node whose disk is not budgeted. */
  readonly bytes: number | undefined;
}

export interface ExecOptions {
  /** Written to the process's stdin, then closed. */
  readonly stdin?: string;
  readonly timeoutMs: number;
}

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** A terminal's size in character cells. */
export interface ShellSize {
  readonly cols: number;
  readonly rows: number;
}

/**
 * The host side of one attachment to a persistent shell in a machine: a byte stream with
 * a size. Closing it (or losing it: an engine restart, a dropped connection) ends only
 * the attachment; the shell lives on in the machine under dtach, and the next
 * `openShell` with the same terminal name attaches to it again.
 */
export interface MachineShell {
  write(data: string): void;
  resize(size: ShellSize): void;
  /** Flow control: stop reading the shell's output until `resume`. */
  pause(): void;
  resume(): void;
  onData(listener: (data: string) => void): void;
  /**
   * The attachment ended; `exitCode` is the attaching process's, undefined when the
   * connection to the machine's engine was lost before the process said how it ended.
   */
  onExit(listener: (exitCode: number | undefined) => void): void;
  close(): void;
}

/**
 * A long-lived process in a machine with plain pipes (no terminal): bytes in on stdin,
 * bytes out on stdout (stderr is dropped). The channel of the machine's agent
 * (sandbox/agent.ts).
 */
export interface MachineProcess {
  write(data: string): void;
  onStdout(listener: (chunk: Buffer) => void): void;
  /** The process ended or the channel to it was lost. */
  onExit(listener: () => void): void;
  /** Closes stdin and the channel. */
  close(): void;
}

export interface SandboxDriver {
  readonly name: string;
  /**
   * `vm`: the learner's root has a kernel of its own, a security boundary. `container`:
   * the host's kernel, shared; only for trusted learners (see DESIGN.md).
   */
  readonly boundary: 'vm' | 'container';
  /** Throws `DriverUnavailableError` saying what is missing and how to fix it. */
  probe(): Promise<void>;
  /**
   * Makes what machines of these limits start from (a prepared disk, a golden state) now,
   * once, so that no learner waits for it.
   */
  prepare(limits: MachineLimits): Promise<void>;
  /**
   * Starts a machine and resolves once its shell works and its Docker engine answers:
   * the learner's when `learner` is given (never claimable by anyone else on the way),
   * otherwise an unclaimed one for the pool.
   */
  create(limits: MachineLimits, learner?: string): Promise<MachineInfo>;
  /**
   * Gives an unclaimed machine to a learner and returns it as it is now (its id may
   * change); undefined if someone else got it first.
   */
  assign(id: string, learner: string): Promise<MachineInfo | undefined>;
  /** The learner's machine, in any state, by one lookup of its name (never a listing). */
  find(learner: string): Promise<MachineInfo | undefined>;
  exec(id: string, argv: readonly string[], options: ExecOptions): Promise<ExecResult>;
  /** Starts argv in a running machine as root, as `exec` would, and keeps its pipes open. */
  spawn(id: string, argv: readonly string[]): Promise<MachineProcess>;
  /**
   * Attaches to the persistent shell `terminal` in a running machine: it is created on
   * first attach and outlives the attachment (and the server).
   */
  openShell(id: string, terminal: string, size: ShellSize): Promise<MachineShell>;
  /** Stops a machine: its memory is freed, its disk and identity kept. */
  stop(id: string): Promise<void>;
  /** Starts a stopped machine again and resolves once it is ready (a new boot: shells are new). */
  start(id: string): Promise<MachineInfo>;
  destroy(id: string): Promise<void>;
  list(): Promise<MachineInfo[]>;
  inspect(id: string): Promise<MachineInfo>;
  /** What is free where new machines' disks would grow. */
  freeDisk(): Promise<FreeDisk>;
  /**
   * Machines the driver's own hosts hold, for a driver that places machines on hosts other
   * than the app's (a cluster: the sum of its open nodes'); absent, the app host's memory decides.
   */
  capacity?(): Promise<number>;
  /**
   * Removes what starts interrupted by a crash left without a machine (a disk, a folder),
   * once it is older than `olderThanMs` (younger ones may be a start under way elsewhere).
   * Returns what it removed.
   */
  sweep(olderThanMs: number): Promise<string[]>;
}

export class SandboxError extends Error {
  override name = 'SandboxError';
}

export class DriverUnavailableError extends SandboxError {
  override name = 'DriverUnavailableError';
}

export class MachineNotFoundError extends SandboxError {
  override name = 'MachineNotFoundError';
  constructor(readonly id: string) {
    super(`no learner machine '${id}'`);
  }
}

export class MachineStartError extends SandboxError {
  override name = 'MachineStartError';
}

/**
 * No node of the cluster has room for one more machine now (full, drained or down): a
 * learner who asked waits for room (a machine ending, a node added), not for an error.
 */
export class NoRoomError extends MachineStartError {
  override name = 'NoRoomError';
}

/**
 * The engine that runs the machine, or the cluster that places it, does not answer (a
 * node or a manager down, a leader being elected): it may come back, or the machine be lost.
 */
export class MachineUnreachableError extends SandboxError {
  override name = 'MachineUnreachableError';
}

export class MachineRemoveError extends SandboxError {
  override name = 'MachineRemoveError';
}
