import type { MachineInfo, MachineLimits, SandboxDriver } from './driver.ts';

/** A machine still starting after this long was left behind by a crashed start. */
const STUCK_STARTING_MS = 10 * 60_000;

export interface ManagerOptions {
  readonly limits: MachineLimits;
  /** Unclaimed ready machines to keep. @default 1 */
  readonly poolSize: number;
  readonly log: (event: string, fields: Record<string, unknown>) => void;
}

/**
 * Owns the learner machines' lifecycle over one driver: one machine per learner, a warm
 * pool so nobody waits for a cold start, reset as a fresh machine, and removal of
 * machines past their lifetime or idle for too long. It keeps no machine state of its
 * own beyond last activity: after a restart it finds every machine through the driver.
 */
export class MachineManager {
  private readonly lastActivity = new Map<string, number>();
  private readonly claiming = new Map<string, Promise<MachineInfo>>();
  private readonly startedAt = Date.now();
  private filling: Promise<void> | undefined;
  private gcTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly driver: SandboxDriver,
    private readonly options: ManagerOptions,
  ) {}

  /** Re-adopts what is running, removes what expired, fills the pool, and keeps doing so. */
  async start(gcIntervalMs = 30_000): Promise<void> {
    await this.driver.probe();
    await this.gc();
    void this.fillPool();
    this.gcTimer = setInterval(() => void this.gc().then(() => this.fillPool()).catch((error: unknown) => this.options.log('gc-failed', { error: String(error) })), gcIntervalMs);
    this.gcTimer.unref();
  }

  stop(): void {
    clearInterval(this.gcTimer);
  }

  /** The learner's machine, claimed from the pool or started now. */
  forLearner(learner: string, status: (message: string) => void = () => undefined): Promise<MachineInfo> {
    let claim = this.claiming.get(learner);
    if (!claim) {
      claim = this.claim(learner, status).finally(() => this.claiming.delete(learner));
      this.claiming.set(learner, claim);
    }
    return claim;
  }

  /** Replaces the learner's machine with a fresh one. */
  async reset(learner: string, status?: (message: string) => void): Promise<MachineInfo> {
    const current = await this.find(learner);
    if (current) await this.driver.destroy(current.id);
    return this.forLearner(learner, status);
  }

  touch(learner: string): void {
    this.lastActivity.set(learner, Date.now());
  }

  async destroy(id: string): Promise<void> {
    await this.driver.destroy(id);
  }

  list(): Promise<MachineInfo[]> {
    return this.driver.list();
  }

  /**
   * Removes machines past their lifetime, learners' machines idle past their idle
   * timeout (activity seen since this manager started), machines that stopped, and
   * machines stuck starting.
   */
  async gc(now = Date.now()): Promise<string[]> {
    const removed: string[] = [];
    for (const machine of await this.driver.list()) {
      const idleSince = machine.learner ? (this.lastActivity.get(machine.learner) ?? Math.max(this.startedAt, machine.createdAt.getTime())) : now;
      const reason =
        machine.expiresAt.getTime() <= now
          ? 'lifetime'
          : now - idleSince > machine.limits.idleSeconds * 1000
            ? 'idle'
            : machine.state === 'stopped'
              ? 'stopped'
              : machine.state === 'starting' && now - machine.createdAt.getTime() > STUCK_STARTING_MS
                ? 'stuck starting'
                : undefined;
      if (!reason) continue;
      try {
        await this.driver.destroy(machine.id);
      } catch (error) {
        // One machine that will not go must not stop the others' clean-up (or the server).
        this.options.log('machine-remove-failed', { id: machine.id, reason, error: String(error) });
        continue;
      }
      this.options.log('machine-removed', { id: machine.id, learner: machine.learner, reason });
      if (machine.learner) this.lastActivity.delete(machine.learner);
      removed.push(machine.id);
    }
    return removed;
  }

  /** Tops the warm pool up to its size; concurrent calls share one fill. */
  fillPool(): Promise<void> {
    this.filling ??= (async () => {
      try {
        let unclaimed = (await this.driver.list()).filter((m) => !m.learner && m.state !== 'stopped').length;
        while (unclaimed < this.options.poolSize) {
          await this.driver.create(this.options.limits);
          unclaimed += 1;
        }
      } catch (error) {
        this.options.log('pool-fill-failed', { error: String(error) });
      } finally {
        this.filling = undefined;
      }
    })();
    return this.filling;
  }

  private async find(learner: string): Promise<MachineInfo | undefined> {
    return (await this.driver.list()).find((m) => m.learner === learner && m.state !== 'stopped');
  }

  private async claim(learner: string, status: (message: string) => void): Promise<MachineInfo> {
    const existing = await this.find(learner);
    if (existing) return existing;
    this.touch(learner);
    for (const candidate of (await this.driver.list()).filter((m) => !m.learner && m.state === 'running')) {
      const claimed = await this.driver.assign(candidate.id, learner);
      if (claimed) {
        void this.fillPool();
        return claimed;
      }
    }
    status('Starting your machine…');
    const fresh = await this.driver.create(this.options.limits);
    const claimed = await this.driver.assign(fresh.id, learner);
    if (!claimed) {
      await this.driver.destroy(fresh.id);
      throw new Error(`could not give machine ${fresh.id} to the learner`);
    }
    void this.fillPool();
    return claimed;
  }
}
