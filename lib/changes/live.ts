import type { MachineExec } from '../checks/run.ts';
import type { WatchedPaths } from '../lessons/schema.ts';
import type { FinishedCommand } from '../terminal/shell-marks.ts';
import { changeCount, type CommandChanges } from './schema.ts';
import { DEFAULT_WATCHED_ROOTS, snapshotChanges, type SnapshotOptions } from './snapshot.ts';

export interface MachineChangesOptions {
  /** The learner's running machine; undefined when none runs (a snapshot never starts one). */
  readonly machine: (learner: string) => Promise<MachineExec | undefined>;
  readonly log: { warn(fields: object, message: string): void };
  /** Change sets kept per learner for the panel's history. @default 10 */
  readonly historySize?: number;
  /** Learners whose history is kept (the least recently active go first). @default 1000 */
  readonly maxLearners?: number;
}

type Listener = (entry: CommandChanges) => void;
export type TerminalCommand = FinishedCommand & { readonly terminal: string };

interface LearnerChanges {
  seq: number;
  history: CommandChanges[];
  running?: Promise<void>;
  /** Commands that ended while a snapshot ran: the next one covers them all. */
  pending: Array<TerminalCommand & { readonly at: number }>;
  /** What is watched: Docker's folders, and what the open lesson adds. */
  snapshot: SnapshotOptions;
  /** The watched paths changed: the next snapshot starts over from a baseline. */
  fresh: boolean;
}

/**
 * "What changed": after each command a learner's shell finishes, the machine is compared
 * with its state after the command before (lib/changes/snapshot.ts), and the change set
 * goes to the learner's open panels and into a short history. One snapshot at a time per
 * learner: commands that end meanwhile share the next one.
 */
export class MachineChanges {
  private readonly learners = new Map<string, LearnerChanges>();
  private readonly watchers = new Map<string, Set<Listener>>();

  constructor(private readonly options: MachineChangesOptions) {}

  /** The learner's recent change sets, oldest first. */
  history(learner: string): readonly CommandChanges[] {
    return this.learners.get(learner)?.history ?? [];
  }

  /** Follows the learner's new change sets; returns the function that stops it. */
  watch(learner: string, listener: Listener): () => void {
    const set = this.watchers.get(learner) ?? new Set();
    set.add(listener);
    this.watchers.set(learner, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.watchers.delete(learner);
    };
  }

  /**
   * Takes the machine's state as the starting point for the learner's change sets, unless
   * they have some already: when a terminal opens, or a panel does. `paths`: what the
   * lesson the panel shows watches besides Docker's folders; when that changes, the
   * change sets start over from a new baseline. Resolves once that baseline is taken.
   */
  async startWatching(learner: string, paths?: WatchedPaths): Promise<void> {
    const state = this.stateOf(learner);
    const snapshot = paths ? { roots: [...DEFAULT_WATCHED_ROOTS, ...paths.watch], ignore: paths.ignore } : state.snapshot;
    if (JSON.stringify(snapshot) !== JSON.stringify(state.snapshot)) {
      state.snapshot = snapshot;
      state.fresh = true;
    }
    if (!state.fresh && (state.history.length > 0 || state.running)) return;
    await this.commandFinished(learner, { terminal: '', command: '' });
  }

  /**
   * The learner's machine was replaced by a fresh one (a reset): the next snapshot, when a
   * terminal opens on it, is its baseline, so the new machine does not show as changed.
   */
  machineReplaced(learner: string): void {
    const state = this.stateOf(learner);
    state.pending = [];
    state.fresh = true;
  }

  /**
   * A command ended: resolves with the change set that covers it once that is out, or
   * undefined when the machine could not say (none runs, the snapshot failed).
   */
  async commandFinished(learner: string, command: TerminalCommand): Promise<CommandChanges | undefined> {
    const state = this.stateOf(learner);
    const seq = state.seq;
    state.pending.push({ ...command, at: Date.now() });
    state.running ??= this.drain(learner, state).finally(() => (state.running = undefined));
    await state.running;
    return state.history.find((entry) => entry.seq > seq);
  }

  private async drain(learner: string, state: LearnerChanges): Promise<void> {
    while (state.pending.length > 0) {
      const commands = state.pending.splice(0);
      const baseline = await this.snapshot(learner, state, commands).catch((error: unknown) => {
        this.options.log.warn({ err: error, learner }, 'what changed: the snapshot failed');
        return false;
      });
      // A shell's first prompt (or an empty line) while the baseline was taken: the next
      // command's set covers anything since. Snapshotted on its own, it ran into the
      // learner's first command and took half its changes ("between commands", seen in CI).
      if (baseline) state.pending = state.pending.filter((c) => c.command !== '');
    }
  }

  /** Resolves with whether it took a baseline. */
  private async snapshot(learner: string, state: LearnerChanges, commands: LearnerChanges['pending']): Promise<boolean> {
    const exec = await this.options.machine(learner);
    if (!exec) return false;
    const fresh = state.fresh;
    state.fresh = false;
    const { baseline, changes } = await snapshotChanges(exec, { ...state.snapshot, fresh });
    const last = commands.at(-1)!;
    const command = commands
      .map((c) => c.command)
      .filter(Boolean)
      .join('; ');
    // An empty line or a shell's first prompt that changed nothing is not worth a line.
    if (!baseline && command === '' && changeCount(changes) === 0) return false;
    const entry: CommandChanges = {
      seq: ++state.seq,
      terminal: last.terminal,
      command,
      ...(commands.length === 1 && last.exitCode !== undefined ? { exitCode: last.exitCode } : {}),
      finishedAt: new Date(last.at).toISOString(),
      tookMs: Date.now() - last.at,
      baseline,
      changes,
    };
    state.history = [...state.history, entry].slice(-(this.options.historySize ?? 10));
    for (const listener of this.watchers.get(learner) ?? []) listener(entry);
    return baseline;
  }

  private stateOf(learner: string): LearnerChanges {
    let state = this.learners.get(learner);
    if (state) {
      // Most recently active last: the oldest is the first to go when too many are kept.
      this.learners.delete(learner);
    } else {
      state = { seq: 0, history: [], pending: [], snapshot: { roots: DEFAULT_WATCHED_ROOTS, ignore: [] }, fresh: false };
    }
    this.learners.set(learner, state);
    const max = this.options.maxLearners ?? 1000;
    for (const oldest of this.learners.keys()) {
      if (this.learners.size <= max) break;
      if (oldest !== learner) this.learners.delete(oldest);
    }
    return state;
  }
}
