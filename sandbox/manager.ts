import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  MachineUnreachableError,
  NoRoomError,
  SandboxError,
  type ExecOptions,
  type ExecResult,
  type FreeDisk,
  type MachineInfo,
  type MachineLimits,
  type MachineShell,
  type SandboxDriver,
  type ShellSize,
} from './driver.ts';
import { MachineAgents } from './agent.ts';
import { HeldShells } from './held-shells.ts';

/** Free disk kept for the host when the operator does not say (UNBOXED_DISK_RESERVE_MIB). */
export const DEFAULT_DISK_RESERVE_MIB = 4096;
/** A machine still starting after this long was left behind by a crashed start. */
const STUCK_STARTING_MS = 10 * 60_000;
/** Arrivals this recent make the pool grow: a class that arrives unannounced warms up for the rest of it. */
const ARRIVAL_WINDOW_MS = 2 * 60_000;
/** Announced learners who arrived within this long count against the announcement. */
const ANNOUNCED_WINDOW_MS = 45 * 60_000;
/** A learner's activity is shared at most this often: a keystroke is not a database write. */
const ACTIVITY_SHARE_MS = 10_000;
/**
 * How long a terminal waits for a machine whose node (or cluster) does not answer: long
 * enough for the cluster to mark a dead node down, after which the machine is replaced
 * (Swarm, measured: 12–15 s; 40 s when the node led the swarm and a new leader is elected).
 */
const UNREACHABLE_WAIT_MS = 90_000;
/** A pool machine this server failed to claim (another server's claim won) is not tried again for this long. */
const LOST_CLAIM_MS = 30_000;
/** With no node of the cluster having room, new machines are tried again after this long. */
const NO_ROOM_RETRY_MS = 3_000;
/** What a learner whose machine was lost with its node is told while the fresh one starts. */
export const LOST_MACHINE = 'The node your machine was on went down or is being drained: you get a fresh machine on another node. Your recorded results are kept; files on the old machine are gone.';

/**
 * What the app servers of one installation share about learner machines
 * (lib/machines/fleet-store.ts keeps it in the database). Without it a server collects by
 * what it saw itself, and a second server on the same engine stops the first one's
 * learners' machines as idle (docs/app-servers.md).
 */
export interface FleetState {
  /** Takes or renews the keeper lease for `holder` until `now` + `ttlMs`; true while `holder` has it. */
  keep(holder: string, now: Date, ttlMs: number): Promise<boolean>;
  /** Gives the lease up (a clean shutdown), so another server takes it at once. */
  release(holder: string): Promise<void>;
  recordActivity(learner: string, at: Date): Promise<void>;
  /** A learner with no machine asked for one. */
  recordArrival(learner: string, at: Date): Promise<void>;
  /** The last activity any server recorded for these learners (ms since the epoch). */
  lastActivity(learners: readonly string[]): Promise<Map<string, number>>;
  /** Arrivals since `since`, oldest first (ms since the epoch). */
  arrivalsSince(since: Date): Promise<number[]>;
  /** Forgets learners inactive since before `before`. */
  forgetBefore(before: Date): Promise<void>;
}

export interface ManagerOptions {
  readonly limits: MachineLimits;
  /** Unclaimed ready machines to keep at least. @default 1 */
  readonly poolSize: number;
  /** Machines that may run (or start) at once on this host; stopped ones do not count. */
  readonly capacity: number;
  /**
   * Measures the capacity again (a cluster's nodes come and go): every server does so on
   * each collector tick. Unset: `capacity` holds (an operator's UNBOXED_CAPACITY, one host).
   */
  readonly measureCapacity?: () => Promise<number>;
  /** Machines started at the same time. */
  readonly startConcurrency: number;
  /**
   * Free disk kept for the host: a new machine starts only if the host keeps it even
   * when that machine fills its disk; below it, stopped machines go, the longest unused
   * first. @default DEFAULT_DISK_RESERVE_MIB
   */
  readonly diskReserveMiB?: number;
  /** Learners expected soon (announced class sessions): the pool warms up for them. */
  readonly expectedLearners?: () => Promise<number>;
  /** Shared with the installation's other app servers; unset: this process is the only one. */
  readonly fleet?: FleetState;
  readonly log: (event: string, fields: Record<string, unknown>) => void;
}

/** Progress for a learner waiting for a machine; shown in their terminal. */
export type Progress = (message: string) => void;

/** The learner has no running machine (and this call never starts one). */
export class NoMachineError extends SandboxError {
  override name = 'NoMachineError';
  constructor(readonly learner: string) {
    super('your machine is not running: open the terminal to start it');
  }
}

/**
 * A learner in the queue, in arrival order: `looking` (their own machine is being looked
 * up; they keep their place meanwhile), `queued`, or `starting` (a start of theirs is under way).
 */
type Waiter = {
  readonly learner: string;
  readonly progress: Progress;
  readonly resolve: (machine: MachineInfo) => void;
  readonly reject: (error: unknown) => void;
} & (
  | { state: 'looking' }
  /** Being given a warm machine of the pool. */
  | { state: 'claiming' }
  /** `stopped`: their stopped machine, to start again; otherwise they get a new one. */
  | { state: 'queued'; stopped: MachineInfo | undefined }
  | { state: 'starting'; stopped: MachineInfo | undefined }
);

/**
 * Learner machines as a service over one driver, addressed by learner: one machine per
 * learner, found by one lookup of its name. A machine starts only when a learner asks for
 * it (`acquire`, from a terminal); within the host's capacity, in arrival order: beyond
 * it learners queue and are told their place. A warm pool, grown by recent arrivals and
 * announced classes, means nobody waits for a cold start. Idle machines are stopped
 * (memory freed, disk kept) and start again when their learner returns; only the
 * lifetime or a reset removes them. It keeps no machine state of its own beyond last
 * activity and recent arrivals: after a restart it finds every machine through the driver.
 * Several app servers on one engine share activity and arrivals through `fleet`, and only
 * the holder of its lease keeps the pool and collects; the others serve learners.
 */
export class MachineManager {
  private readonly lastActivity = new Map<string, number>();
  /** When each learner's activity was last shared (`fleet`). */
  private readonly shared = new Map<string, number>();
  /** This process, as the keeper lease names it. */
  private readonly holder = `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
  private readonly arrivals: number[] = [];
  private readonly acquiring = new Map<string, Promise<MachineInfo>>();
  private readonly waiting: Waiter[] = [];
  private readonly startedAt = Date.now();
  /** Machines that may run at once: `capacity`, measured again each tick with `measureCapacity`. */
  private capacityNow: number;
  /** Starts under way (pool or learners'); they count against capacity before the engine lists them. */
  private starting = 0;
  /** Pool machines being started, so a fill does not start them twice. */
  private poolStarts = 0;
  /** Every start under way, so `stop` can wait for them. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly held: HeldShells;
  private readonly agents: MachineAgents;
  private pumping: Promise<void> | undefined;
  private pumpAgain = false;
  /** Pool machines whose claim this server lost lately, until when they are left alone. */
  private readonly lostClaims = new Map<string, number>();
  /** Pool machines this server is claiming: listed as warm until the claim lands, never claimed twice. */
  private readonly claiming = new Set<string>();
  /** Until then no node has room (the driver said so): new machines wait, and the pump tries again. */
  private noRoom: { readonly until: number; readonly reason: string } | undefined;
  private gcTimer: ReturnType<typeof setInterval> | undefined;
  /**
   * `serving`: learners only (an operator's command, or a server without the keeper
   * lease); `fleet`: the manager that also keeps the pool warm and collects; `stopped`:
   * nothing starts any more.
   */
  private mode: 'serving' | 'fleet' | 'stopped' = 'serving';

  constructor(
    private readonly driver: SandboxDriver,
    private readonly options: ManagerOptions,
  ) {
    this.held = new HeldShells(driver);
    this.agents = new MachineAgents(driver);
    this.capacityNow = options.capacity;
  }

  get driverName(): string {
    return this.driver.name;
  }

  get boundary(): SandboxDriver['boundary'] {
    return this.driver.boundary;
  }

  get capacity(): number {
    return this.capacityNow;
  }

  /**
   * Makes this the fleet's manager (the server's): re-adopts what is there, collects,
   * fills the pool, and keeps doing so; with `fleet`, only while it holds the keeper lease
   * (renewed every interval, lost after three missed). Without it a manager only serves
   * learners who ask.
   */
  async start(gcIntervalMs = 30_000): Promise<void> {
    await this.driver.probe();
    const swept = await this.driver.sweep(STUCK_STARTING_MS);
    if (swept.length > 0) this.options.log('interrupted-starts-swept', { removed: swept });
    const tick = () => this.tick(3 * gcIntervalMs).catch((error: unknown) => this.options.log('gc-failed', { error: String(error) }));
    await tick();
    this.gcTimer = setInterval(() => void tick(), gcIntervalMs);
    this.gcTimer.unref();
  }

  /** Ends collection and pool filling; queued learners are told; resolves once starts under way have finished. */
  async stop(): Promise<void> {
    const keeper = this.mode === 'fleet';
    this.mode = 'stopped';
    clearInterval(this.gcTimer);
    for (const waiter of this.waiting.splice(0)) waiter.reject(new SandboxError('the server is shutting down'));
    // Given up first, so another server takes over at once rather than when it expires.
    const released = keeper ? this.options.fleet?.release(this.holder).catch((error: unknown) => this.options.log('fleet-lease-failed', { error: String(error) })) : undefined;
    await Promise.allSettled([released, ...this.inFlight, this.pumping]);
    this.held.closeAll();
  }

  /** Renews (or takes) the keeper lease; its holder collects and fills the pool, every server serves its queue. */
  private async tick(leaseMs: number): Promise<void> {
    const keeper = await this.keepLease(leaseMs);
    if (this.mode === 'stopped') return;
    this.mode = keeper ? 'fleet' : 'serving';
    await this.measureCapacity();
    if (keeper) await this.gc();
    void this.pump();
  }

  /** A node added, drained or gone: the queue lets learners through by what the fleet holds now. */
  private async measureCapacity(): Promise<void> {
    if (!this.options.measureCapacity) return;
    const capacity = await this.options.measureCapacity().catch((error: unknown) => {
      this.options.log('capacity-unmeasured', { error: String(error) });
      return this.capacityNow;
    });
    if (capacity === this.capacityNow) return;
    this.options.log('capacity-changed', { from: this.capacityNow, to: capacity });
    this.capacityNow = capacity;
  }

  private async keepLease(leaseMs: number): Promise<boolean> {
    const fleet = this.options.fleet;
    if (!fleet) return true;
    // A database that does not answer makes nobody the keeper: two keepers would fight.
    const keeper = await fleet.keep(this.holder, new Date(), leaseMs).catch((error: unknown) => {
      this.options.log('fleet-lease-failed', { error: String(error) });
      return false;
    });
    if (keeper !== (this.mode === 'fleet')) this.options.log(keeper ? 'fleet-keeper' : 'fleet-keeper-lost', { holder: this.holder });
    return keeper;
  }

  /** The learner's machine as it is now, if they have one; never starts one. */
  machineOf(learner: string): Promise<MachineInfo | undefined> {
    return this.driver.find(learner);
  }

  /**
   * The learner's running machine: theirs, started again if it was stopped, or a new
   * one (from the pool when there is one). Beyond capacity, waits its turn.
   */
  acquire(learner: string, progress: Progress = () => undefined): Promise<MachineInfo> {
    return this.acquiring.get(learner) ?? this.pending(learner, this.serve(learner, progress));
  }

  /**
   * Seconds until a machine is likely to free up when a new learner would have to queue
   * now (every slot taken), or 0 when there is room. For HTTP callers' Retry-After.
   */
  async retryAfter(): Promise<number> {
    const [machines, free] = await Promise.all([this.driver.list(), this.driver.freeDisk()]);
    if (machines.some((m) => !m.learner && m.state === 'running')) return 0;
    if (this.occupancy(machines) >= this.capacityNow) {
      const next = this.freeTimes(machines)[this.waiting.length];
      return next === undefined ? 60 : Math.max(1, Math.ceil((next - Date.now()) / 1000));
    }
    // Short of disk, a minute is when the collector next looks.
    return this.newMachinesFitting(free) < 1 ? 60 : 0;
  }

  /** Runs a command in the learner's running machine; `NoMachineError` if there is none. */
  async exec(learner: string, argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
    const machine = await this.driver.find(learner);
    if (machine?.state !== 'running') throw new NoMachineError(learner);
    return this.driver.exec(machine.id, argv, options);
  }

  /**
   * Runs a command that only reads state (a check, a snapshot) in the learner's running
   * machine through its agent (sandbox/agent.ts): a fork there instead of an engine round
   * trip. It may run twice (once more when the agent was lost). `NoMachineError` if none runs.
   */
  async query(learner: string, argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
    const machine = await this.driver.find(learner);
    if (machine?.state !== 'running') throw new NoMachineError(learner);
    return this.agents.run(machine.id, argv, options);
  }

  /** Attaches to the learner's shell `terminal`, getting them a machine first. */
  async openShell(learner: string, terminal: string, size: ShellSize, progress: Progress = () => undefined): Promise<MachineShell> {
    const deadline = Date.now() + UNREACHABLE_WAIT_MS;
    for (;;) {
      try {
        const machine = await this.acquire(learner, progress);
        this.touch(learner);
        return (await this.held.take(learner, terminal, size)) ?? (await this.driver.openShell(machine.id, terminal, size));
      } catch (error) {
        // Its node does not answer: it comes back, or the cluster marks it down and the
        // next acquire replaces the machine (`lost`).
        if (!(error instanceof MachineUnreachableError) || Date.now() > deadline) throw error;
        progress("Your machine's node does not answer: waiting for it to come back, or for a fresh machine on another node if it is down…");
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  }

  /**
   * Replaces the learner's machine with a fresh one. It is the learner's acquire from the
   * first moment: a terminal reconnecting meanwhile waits for the fresh machine rather
   * than finding the old one on its way out.
   */
  reset(learner: string, progress: Progress = () => undefined): Promise<MachineInfo> {
    const before = this.acquiring.get(learner)?.catch(() => undefined);
    return this.pending(
      learner,
      (async () => {
        await before;
        const current = await this.driver.find(learner);
        if (current) await this.remove(current, 'reset');
        return this.serve(learner, progress);
      })(),
    );
  }

  touch(learner: string): void {
    const now = Date.now();
    this.lastActivity.set(learner, now);
    const fleet = this.options.fleet;
    if (!fleet || now - (this.shared.get(learner) ?? 0) < ACTIVITY_SHARE_MS) return;
    this.shared.set(learner, now);
    fleet.recordActivity(learner, new Date(now)).catch((error: unknown) => {
      // The next touch tries again.
      this.shared.delete(learner);
      this.options.log('activity-share-failed', { learner, error: String(error) });
    });
  }

  /** When the learner's running machine stops if nobody uses it from now; undefined before this manager saw them. */
  idleAt(learner: string, idleSeconds: number): Date | undefined {
    const last = this.lastActivity.get(learner);
    return last === undefined ? undefined : new Date(last + idleSeconds * 1000);
  }

  /** Every machine (operators' view: `unboxed sandbox ls`). */
  list(): Promise<MachineInfo[]> {
    return this.driver.list();
  }

  /** Runs a command in a machine by its id (operators: `unboxed sandbox exec`). */
  execById(id: string, argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
    return this.driver.exec(id, argv, options);
  }

  /** Starts an unclaimed machine (operators: `unboxed sandbox create`). */
  create(): Promise<MachineInfo> {
    return this.driver.create(this.options.limits);
  }

  async destroy(id: string): Promise<void> {
    this.held.release(id);
    this.agents.release(id);
    await this.driver.destroy(id);
    void this.pump();
  }

  /**
   * Stops learners' machines idle past their idle limit (activity seen since this
   * manager started) and removes machines past their lifetime, unclaimed machines that
   * stopped, warm machines beyond the pool's need, and machines stuck starting. A
   * learner's stopped machine stays (it starts again when they return) unless the host's
   * disk runs short: then the stopped ones unused longest go first.
   */
  async gc(now = Date.now()): Promise<string[]> {
    const removed: string[] = [];
    // Before the listing: a shell held while the engine answered is newer than what it lists.
    const listedAt = Date.now();
    const machines = await this.driver.list();
    await this.readSharedActivity(machines, now);
    // Warm machines beyond what the pool needs now (a class has arrived): the newest stay.
    const pool = machines.filter((m) => !m.learner && m.state === 'running').sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    // A warm machine another server's learner claimed is no longer ours to hold a shell in.
    this.held.keepOnly(new Set(pool.map((m) => m.id)), listedAt);
    const surplus = new Set(pool.slice(this.mode === 'fleet' ? await this.poolTarget(now) : pool.length));
    const short = await this.diskShortage(machines, now);
    for (const machine of machines) {
      const action = surplus.has(machine) ? { reason: 'pool surplus' } : short.has(machine) ? { reason: 'disk budget' } : this.verdict(machine, now);
      if (!action) continue;
      try {
        if (action.stop) {
          this.agents.release(machine.id);
          await this.driver.stop(machine.id);
          this.options.log('machine-stopped', { id: machine.id, learner: machine.learner, reason: action.reason });
        } else {
          await this.remove(machine, action.reason);
          removed.push(machine.id);
        }
      } catch (error) {
        // One machine that will not go must not stop the others' clean-up (or the server).
        this.options.log('machine-collect-failed', { id: machine.id, reason: action.reason, error: String(error) });
      }
    }
    return removed;
  }

  /** Starts what the queue and the pool need, within capacity; concurrent calls coalesce. */
  pump(): Promise<void> {
    if (this.mode === 'stopped') return Promise.resolve();
    if (this.pumping) {
      this.pumpAgain = true;
      return this.pumping;
    }
    this.pumping = (async () => {
      do {
        this.pumpAgain = false;
        try {
          await this.pumpOnce();
        } catch (error) {
          this.options.log('pool-fill-failed', { error: String(error) });
        }
      } while (this.pumpAgain);
    })().finally(() => (this.pumping = undefined));
    return this.pumping;
  }

  /**
   * Takes in the activity other servers shared for the learners who have machines (never
   * older than what this server saw itself), and forgets learners whose machines are
   * long gone.
   */
  private async readSharedActivity(machines: readonly MachineInfo[], now: number): Promise<void> {
    const fleet = this.options.fleet;
    if (!fleet) return;
    const learners = machines.flatMap((m) => (m.learner ? [m.learner] : []));
    for (const [learner, at] of await fleet.lastActivity(learners)) {
      if (at > (this.lastActivity.get(learner) ?? 0)) this.lastActivity.set(learner, at);
    }
    const longest = Math.max(this.options.limits.lifetimeSeconds, ...machines.map((m) => m.limits.lifetimeSeconds));
    await fleet.forgetBefore(new Date(now - longest * 1000));
  }

  /**
   * Stopped machines to remove for disk, the unused longest first, each counted as its disk
   * limit freed (an upper bound; the next collection measures again). On the host: while
   * its free disk is under the reserve. On a cluster's nodes: when none has room for one
   * more machine, on the node that needs the fewest removed to have it (a machine's disk
   * freed on another node makes no room there).
   */
  private async diskShortage(machines: readonly MachineInfo[], now: number): Promise<Set<MachineInfo>> {
    const free = await this.driver.freeDisk();
    const lastUse = (m: MachineInfo) => (m.learner && this.lastActivity.get(m.learner)) || m.createdAt.getTime();
    const stopped = machines.filter((m) => m.state === 'stopped' && m.expiresAt.getTime() > now).sort((a, b) => lastUse(a) - lastUse(b));
    const freeing = (missing: number, candidates: readonly MachineInfo[]) => {
      const chosen: MachineInfo[] = [];
      for (const machine of candidates) {
        if (missing <= 0) break;
        chosen.push(machine);
        missing -= machine.limits.diskMiB * 2 ** 20;
      }
      return { chosen, enough: missing <= 0 };
    };
    if (free.on === 'host') return new Set(freeing(this.diskReserveBytes() - free.bytes, stopped).chosen);
    if (this.newMachinesFitting(free) > 0) return new Set();
    const perNode = free.nodes.map((n) => freeing(this.options.limits.diskMiB * 2 ** 20 - (n.bytes ?? 0), stopped.filter((m) => m.node === n.node)));
    const fewest = perNode.filter((p) => p.enough).sort((a, b) => a.chosen.length - b.chosen.length)[0];
    return new Set(fewest?.chosen);
  }

  private diskReserveBytes(): number {
    return (this.options.diskReserveMiB ?? DEFAULT_DISK_RESERVE_MIB) * 2 ** 20;
  }

  /**
   * How many new machines the free disk takes: each may fill its whole disk, the host keeps
   * its reserve even then, and a node's budget takes the disks that fit in it whole.
   */
  private newMachinesFitting(free: FreeDisk): number {
    const disk = this.options.limits.diskMiB * 2 ** 20;
    if (free.on === 'host') return Math.max(0, Math.floor((free.bytes - this.diskReserveBytes()) / disk));
    return free.nodes.reduce((sum, n) => sum + (n.bytes === undefined ? Infinity : Math.floor(n.bytes / disk)), 0);
  }

  /** Why a new machine waits for disk, for the learner and the operator. */
  private diskShortReason(free: FreeDisk): string {
    const disk = this.options.limits.diskMiB;
    if (free.on === 'host') {
      return `this host keeps ${mib(this.diskReserveBytes())} MiB free for itself, a new machine may use up to ${disk} MiB, and ${mib(Math.max(0, free.bytes))} MiB are free. Stopped machines are removed to make room; an operator can free disk or lower UNBOXED_MACHINE_DISK_MIB`;
    }
    const most = Math.max(0, ...free.nodes.map((n) => n.bytes ?? 0));
    return `no learner node's disk budget has room for one more machine's ${disk} MiB (the most one has free is ${mib(most)} MiB). Stopped machines are removed to make room; an operator can raise a node's unboxed.disk-mib, add a node, or lower UNBOXED_MACHINE_DISK_MIB`;
  }

  private verdict(machine: MachineInfo, now: number): { reason: string; stop?: true } | undefined {
    if (machine.expiresAt.getTime() <= now) return { reason: 'lifetime' };
    if (machine.state === 'lost') {
      // A learner still about is left to their next terminal (on any server), which
      // replaces it and tells them why; removed here, they would get a fresh one untold.
      const active = machine.learner !== undefined && now - (this.lastActivity.get(machine.learner) ?? 0) < machine.limits.idleSeconds * 1000;
      return active ? undefined : { reason: 'node down or drained' };
    }
    if (machine.state === 'starting') return now - machine.createdAt.getTime() > STUCK_STARTING_MS ? { reason: 'stuck starting' } : undefined;
    if (!machine.learner) return machine.state === 'stopped' ? { reason: 'stopped unclaimed' } : undefined;
    if (machine.state !== 'running' || this.acquiring.has(machine.learner)) return undefined;
    const idleSince = this.lastActivity.get(machine.learner) ?? Math.max(this.startedAt, machine.createdAt.getTime());
    return now - idleSince > machine.limits.idleSeconds * 1000 ? { reason: 'idle', stop: true } : undefined;
  }

  private async remove(machine: MachineInfo, reason: string): Promise<void> {
    this.held.release(machine.id, machine.learner);
    this.agents.release(machine.id);
    await this.driver.destroy(machine.id);
    this.options.log('machine-removed', { id: machine.id, learner: machine.learner, reason });
    if (machine.learner) this.lastActivity.delete(machine.learner);
    void this.pump();
  }

  /** Makes `start` the learner's acquire until it settles. */
  private pending(learner: string, start: Promise<MachineInfo>): Promise<MachineInfo> {
    const pending = start.finally(() => {
      if (this.acquiring.get(learner) === pending) this.acquiring.delete(learner);
    });
    this.acquiring.set(learner, pending);
    return pending;
  }

  private serve(learner: string, progress: Progress): Promise<MachineInfo> {
    return new Promise<MachineInfo>((resolve, reject) => {
      // In the queue before the lookup: arrival order is the order learners asked in.
      const waiter: Waiter = { learner, progress, resolve, reject, state: 'looking' };
      this.waiting.push(waiter);
      this.driver.find(learner).then(
        async (existing) => {
          if (existing?.state === 'running') return this.finish(waiter, existing);
          this.touch(learner);
          if (existing?.state === 'lost') return this.replaceLost(waiter, existing);
          if (!existing) this.arrive(learner);
          Object.assign(waiter, { state: 'queued', stopped: existing });
          void this.pump();
        },
        (error: unknown) => {
          this.drop(waiter);
          reject(error);
        },
      );
    });
  }

  /** The learner's machine went with its node: they are told, it is removed, and they queue for a new one. */
  private async replaceLost(waiter: Waiter, lost: MachineInfo): Promise<void> {
    waiter.progress(LOST_MACHINE);
    await this.remove(lost, 'node lost').catch((error: unknown) => this.options.log('machine-collect-failed', { id: lost.id, reason: 'node lost', error: String(error) }));
    this.arrive(waiter.learner);
    Object.assign(waiter, { state: 'queued', stopped: undefined });
    void this.pump();
  }

  private arrive(learner: string): void {
    const now = Date.now();
    this.arrivals.push(now);
    this.options.fleet?.recordArrival(learner, new Date(now)).catch((error: unknown) => this.options.log('activity-share-failed', { learner, error: String(error) }));
  }

  private async pumpOnce(): Promise<void> {
    const [machines, free] = await Promise.all([this.driver.list(), this.driver.freeDisk()]);
    const now = Date.now();
    for (const [id, until] of this.lostClaims) if (until <= now) this.lostClaims.delete(id);
    if (this.noRoom && this.noRoom.until <= now) this.noRoom = undefined;
    // The keeper takes the oldest warm machines first, other servers the newest: two servers
    // serving one class at once reach for the same machine only when the pool runs out.
    const byAge = machines.filter((m) => !m.learner && m.state === 'running' && !this.lostClaims.has(m.id) && !this.claiming.has(m.id)).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    const pool = this.mode === 'fleet' ? byAge : byAge.reverse();
    let active = this.occupancy(machines);
    const room = () => active < this.capacityNow && this.starting < this.options.startConcurrency;
    let newMachines = this.newMachinesFitting(free);
    let diskShort = false;

    for (const waiter of this.waiting.filter((w) => w.state === 'looking' || w.state === 'queued')) {
      if (waiter.state === 'looking') {
        // Its slot is kept: nobody who arrived later overtakes it.
        active += 1;
        continue;
      }
      // Claims go out together: on a cluster each is an update that takes a second or more.
      if (!waiter.stopped && pool.length > 0) {
        this.claim(waiter, pool);
        continue;
      }
      if (!room()) break;
      // Learners whose stopped machine starts again need no new disk: they go ahead.
      if (!waiter.stopped) {
        if (this.noRoom) continue;
        if (newMachines < 1) {
          diskShort = true;
          continue;
        }
        newMachines -= 1;
      }
      active += 1;
      this.serveWaiter(waiter);
    }

    const queued = this.waiting.filter((w) => w.state === 'queued');
    const full = active >= this.capacityNow;
    queued.forEach((waiter, i) => {
      const ahead = i + this.starting;
      waiter.progress(
        full
          ? this.queueMessage(i, machines)
          : this.noRoom && !waiter.stopped
            ? `Waiting for room (${placeInQueue(i)}): ${this.noRoom.reason}. You get a machine as soon as one ends or an operator adds a node.`
            : diskShort
              ? `Waiting for disk space (${placeInQueue(i)}): ${this.diskShortReason(free)}`
              : ahead > 0
                ? `Starting your machine… (${ahead} ahead of you)`
                : 'Starting your machine…',
      );
    });
    if (diskShort) {
      const space = free.on === 'host' ? { freeMiB: mib(free.bytes), reserveMiB: mib(this.diskReserveBytes()) } : { nodeFreeMiB: Object.fromEntries(free.nodes.map((n) => [n.node, n.bytes === undefined ? 'not budgeted' : mib(n.bytes)])) };
      this.options.log('machine-start-waits-for-disk', { ...space, machineDiskMiB: this.options.limits.diskMiB, queued: queued.length });
    }
    if (this.mode !== 'fleet') return;
    const wanted = (await this.poolTarget()) - pool.length - this.poolStarts;
    for (let i = 0; i < wanted && queued.length === 0 && !this.noRoom && room() && newMachines >= 1; i++) {
      newMachines -= 1;
      active += 1;
      this.startPoolMachine();
    }
  }

  /**
   * Gives the waiter the next machine of `pool`. A claim another server's won leaves that
   * machine alone a while and tries the next; with none left, the waiter queues again.
   */
  private claim(waiter: Waiter & { state: 'queued' | 'claiming' }, pool: MachineInfo[]): void {
    if (this.mode === 'stopped') return;
    const machine = pool.shift();
    if (!machine) {
      Object.assign(waiter, { state: 'queued' });
      void this.pump();
      return;
    }
    Object.assign(waiter, { state: 'claiming' });
    this.claiming.add(machine.id);
    const assigned = this.driver.assign(machine.id, waiter.learner).catch(async () => {
      // The engine's answer was lost, not necessarily the claim (seen under a class's load:
      // the label written, the look after it timed out): the learner has the machine if it landed.
      const found = await this.driver.find(waiter.learner).catch(() => undefined);
      return found?.state === 'running' ? found : undefined;
    });
    void this.track(assigned).then((claimed) => {
      this.claiming.delete(machine.id);
      if (!claimed) {
        this.lostClaims.set(machine.id, Date.now() + LOST_CLAIM_MS);
        return this.claim(waiter, pool);
      }
      this.held.claimed(machine.id, waiter.learner);
      this.finish(waiter, claimed);
      void this.pump();
    });
  }

  private serveWaiter(waiter: Waiter & { state: 'queued' }): void {
    Object.assign(waiter, { state: 'starting' });
    this.starting += 1;
    waiter.progress(waiter.stopped ? 'Starting your machine again (your files are kept)…' : 'Starting your machine…');
    const started = waiter.stopped ? this.driver.start(waiter.stopped.id) : this.driver.create(this.options.limits, waiter.learner);
    this.track(started)
      .then(
        (machine) => this.finish(waiter, machine),
        async (error: unknown) => {
          // Another server started this learner's machine meanwhile: the engine refused
          // the second one its name, and the learner gets the one that won. Or the stopped
          // machine's node went down between the look and the start (seen in CI: the node
          // was unknown to the swarm, then down): it is lost, and replaced.
          const now = await this.driver.find(waiter.learner).catch(() => undefined);
          if (now?.state === 'running') return this.finish(waiter, now);
          if (waiter.stopped && now?.state === 'lost') return this.replaceLost(waiter, now);
          if (error instanceof NoRoomError) {
            Object.assign(waiter, { state: 'queued' });
            return this.waitForRoom(error);
          }
          this.drop(waiter);
          waiter.reject(error);
        },
      )
      .finally(() => {
        this.starting -= 1;
        void this.pump();
      });
  }

  /** The cluster is full for now: new machines (a learner's or the pool's) are tried again in a while. */
  private waitForRoom(error: NoRoomError): void {
    if (this.noRoom) return;
    this.noRoom = { until: Date.now() + NO_ROOM_RETRY_MS, reason: error.message };
    this.options.log('machine-start-waits-for-room', { reason: error.message });
    setTimeout(() => void this.pump(), NO_ROOM_RETRY_MS).unref();
  }

  private startPoolMachine(): void {
    this.starting += 1;
    this.poolStarts += 1;
    this.track(this.driver.create(this.options.limits))
      .then(
        (machine) => this.held.hold(machine.id),
        (error: unknown) => {
          if (error instanceof NoRoomError) this.waitForRoom(error);
          else this.options.log('pool-fill-failed', { error: String(error) });
        },
      )
      .finally(() => {
        this.starting -= 1;
        this.poolStarts -= 1;
        void this.pump();
      });
  }

  private track<T>(start: Promise<T>): Promise<T> {
    this.inFlight.add(start);
    void start.catch(() => undefined).finally(() => this.inFlight.delete(start));
    return start;
  }

  /**
   * Machines that hold a slot: running ones, and starts, counted once whether the engine
   * lists them yet (its 'starting') or not (ours under way).
   */
  private occupancy(machines: readonly MachineInfo[]): number {
    const running = machines.filter((m) => m.state === 'running').length;
    const listedStarting = machines.filter((m) => m.state === 'starting').length;
    return running + Math.max(listedStarting, this.starting);
  }

  private finish(waiter: Waiter, machine: MachineInfo): void {
    this.drop(waiter);
    this.touch(waiter.learner);
    waiter.resolve(machine);
  }

  private drop(waiter: Waiter): void {
    const index = this.waiting.indexOf(waiter);
    if (index >= 0) this.waiting.splice(index, 1);
  }

  /**
   * The pool's size now, within capacity: the floor; announced learners not yet here; and
   * half the recent arrivals nobody announced (a refill takes about a second, so that
   * covers a class trickling in, and an announced class arriving starts nothing extra
   * while its shells start).
   */
  private async poolTarget(now = Date.now()): Promise<number> {
    while (this.arrivals.length > 0 && this.arrivals[0]! < now - ANNOUNCED_WINDOW_MS) this.arrivals.shift();
    // Every server's arrivals: learners arrive through whichever server the proxy picks.
    const arrivals = (await this.options.fleet?.arrivalsSince(new Date(now - ANNOUNCED_WINDOW_MS)).catch(() => undefined)) ?? this.arrivals;
    const expected = (await this.options.expectedLearners?.().catch(() => 0)) ?? 0;
    const announced = Math.max(0, expected - arrivals.length);
    const recent = arrivals.filter((t) => t > now - ARRIVAL_WINDOW_MS).length;
    const unannounced = Math.ceil(Math.max(0, recent - expected) / 2);
    return Math.min(Math.max(this.options.poolSize, announced, unannounced), this.capacityNow);
  }

  /** What a queued learner sees: their place and an honest estimate of when a machine frees. */
  private queueMessage(index: number, machines: readonly MachineInfo[]): string {
    const at = this.freeTimes(machines)[index];
    const estimate = at === undefined ? '' : `; a machine should free up in about ${Math.max(1, Math.ceil((at - Date.now()) / 60_000))} min`;
    return `Starting your machine… (${placeInQueue(index)}: all ${this.capacityNow} machines of this host are in use${estimate})`;
  }

  /** When running learners' machines reach their idle limit or lifetime, soonest first. */
  private freeTimes(machines: readonly MachineInfo[]): number[] {
    return machines
      .filter((m) => m.learner && m.state === 'running')
      .map((m) => Math.min(m.expiresAt.getTime(), (this.lastActivity.get(m.learner!) ?? this.startedAt) + m.limits.idleSeconds * 1000))
      .sort((a, b) => a - b);
  }
}

/** A queued learner's place, as they are told it. */
function placeInQueue(index: number): string {
  return index === 0 ? 'you are next' : `${index} ahead of you`;
}

function mib(bytes: number): number {
  return Math.floor(bytes / 2 ** 20);
}
