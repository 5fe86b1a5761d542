import type { MachineInfo, MachineManager } from '../../sandbox/index.ts';
import type { MachineChanges } from '../changes/live.ts';
import { WindowLimiter, waitInWords } from '../server/ratelimit.ts';
import type { TerminalHub } from '../terminal/hub.ts';

/** Who asked for a reset: the learner themself, or an instructor (or admin) of a class they are in. */
export type ResetBy = { readonly kind: 'learner' } | { readonly kind: 'instructor'; readonly name: string };

/** The last reset of a learner's machine, for their machine panel. */
export interface LastReset {
  readonly at: Date;
  /** The instructor's name; undefined when the learner reset it. */
  readonly instructor: string | undefined;
}

export class ResetError extends Error {
  override name = 'ResetError';
}

/** There is no machine to reset (it expired, or was never started). */
export class NoMachineToResetError extends ResetError {
  override name = 'NoMachineToResetError';
}

/** Too many resets of this learner's machine lately: each one is a machine start. */
export class ResetLimitError extends ResetError {
  override name = 'ResetLimitError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export interface MachineResetsDeps {
  readonly machines: Pick<MachineManager, 'machineOf' | 'reset'>;
  readonly terminals: Pick<TerminalHub, 'machineReplaced'>;
  readonly changes: Pick<MachineChanges, 'machineReplaced'>;
  readonly log: (event: string, fields: Record<string, unknown>) => void;
}

export interface MachineResetsOptions {
  /** Resets of one learner's machine (by anyone) in `windowMs`. @default 3 */
  readonly limit?: number;
  /** @default 600_000 (10 min) */
  readonly windowMs?: number;
}

/** Learners whose last reset is remembered for their panel (the oldest go first). */
const REMEMBERED = 10_000;

/**
 * "Reset my machine" and an instructor's reset of a learner's machine: the old machine
 * is removed with everything on it, a fresh one starts, and the learner's open terminals
 * are told by whom and reattach to it. Recorded results are not the machine's: they stay.
 */
export class MachineResets {
  private readonly limiter: WindowLimiter;
  private readonly last = new Map<string, LastReset>();

  constructor(
    private readonly deps: MachineResetsDeps,
    { limit = 3, windowMs = 10 * 60_000 }: MachineResetsOptions = {},
  ) {
    this.limiter = new WindowLimiter(limit, windowMs);
  }

  /**
   * Replaces the learner's machine; resolves with the fresh one once it runs. Throws
   * `NoMachineToResetError` when they have none, `ResetLimitError` past the limit.
   */
  async reset(learner: string, by: ResetBy): Promise<MachineInfo> {
    const yours = by.kind === 'learner';
    if (!(await this.deps.machines.machineOf(learner))) {
      throw new NoMachineToResetError(yours ? 'you have no machine to reset: open a terminal to get one' : 'this learner has no machine to reset: they get a fresh one when they open a terminal');
    }
    const wait = this.limiter.retryAfter(learner);
    if (wait > 0) {
      throw new ResetLimitError(`${yours ? 'your' : "this learner's"} machine was reset several times in the last minutes; each reset starts a machine, so try again in ${waitInWords(wait)}`, wait);
    }
    this.limiter.record(learner);
    const at = new Date();
    this.remember(learner, { at, instructor: yours ? undefined : by.name });
    // The fresh machine is the learner's acquire before any terminal hears of the reset:
    // the terminals reconnecting meanwhile wait for it rather than reach the old one.
    const fresh = this.deps.machines.reset(learner);
    this.deps.changes.machineReplaced(learner);
    this.deps.terminals.machineReplaced(learner, resetNotice(by));
    this.deps.log('machine-reset', { learner, by: yours ? 'learner' : `instructor ${by.name}` });
    return fresh;
  }

  /** The learner's last reset since this server started, if any. */
  lastReset(learner: string): LastReset | undefined {
    return this.last.get(learner);
  }

  private remember(learner: string, reset: LastReset): void {
    this.last.delete(learner);
    this.last.set(learner, reset);
    for (const oldest of this.last.keys()) {
      if (this.last.size <= REMEMBERED) break;
      this.last.delete(oldest);
    }
  }
}

/**
 * What the learner's terminals say, live: who reset the machine, and that their results
 * are kept. (Its time is in the machine panel, in the learner's own zone.)
 */
export function resetNotice(by: ResetBy): string {
  const who = by.kind === 'learner' ? 'You reset your machine' : `Your instructor ${by.name} reset your machine`;
  return `${who}: this terminal is now on a fresh machine. Your recorded results are kept.`;
}
