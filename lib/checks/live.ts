import path from 'node:path';
import type { CommandEvidence } from '../changes/schema.ts';
import type { Lesson } from '../lessons/schema.ts';
import { OncePerKey } from './once-per-key.ts';
import type { CheckOutcome } from './outcome.ts';
import type { ExerciseResult } from './result.ts';
import type { RecordedRun, ResultStore, RunCause } from './store.ts';
import { runChecks, type MachineExec } from './run.ts';

/** Where a broken check is reported: the app's logger (lib/log.ts), or anything with its `warn`. */
export interface CheckLog {
  warn(fields: object, message: string): void;
}

export interface LiveChecksOptions {
  /** Lessons by slug. */
  readonly lesson: (slug: string) => Promise<Pick<Lesson, 'dir' | 'exercises'> | undefined>;
  readonly contentDir: string;
  /** The learner's running machine, as a check runner; undefined when none runs (checks never start one). */
  readonly machine: (learner: string) => Promise<MachineExec | undefined>;
  readonly store: ResultStore;
  readonly onError: (error: unknown, learner: string) => void;
  /** Gets every broken or tampered check run (error outcome) at warn, with its output: the learner sees only its reason. */
  readonly log: CheckLog;
}

type Listener = (result: ExerciseResult) => void;

/**
 * Live verification: when a learner's shell finishes a command, the open exercises of
 * the lessons they have open are checked again, one run at a time per learner, and the
 * results are recorded and go to the open pages.
 */
export class LiveChecks {
  private readonly watchers = new Map<string, Set<{ slug: string; listener: Listener }>>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  /** Each learner's last finished command and what it changed: the evidence kept with a pass. */
  private readonly lastCommand = new Map<string, CommandEvidence>();
  /** Learners with a command finished since their last automatic run began: that run is theirs (`command`), not the platform's. */
  private readonly commandsSince = new Set<string>();
  /** Check requests with an idempotency key, so that a retry gets the run it retries. */
  private readonly keyed = new OncePerKey<void>();

  constructor(private readonly options: LiveChecksOptions) {}

  /** Current results of a lesson for a learner. */
  snapshot(learner: string, slug: string): Promise<ExerciseResult[]> {
    return this.options.store.lesson(learner, slug);
  }

  /** Follows a lesson's results for a learner; returns the function that stops it. */
  watch(learner: string, slug: string, listener: Listener): () => void {
    const entry = { slug, listener };
    const set = this.watchers.get(learner) ?? new Set();
    set.add(entry);
    this.watchers.set(learner, set);
    return () => {
      set.delete(entry);
      if (set.size === 0) this.watchers.delete(learner);
    };
  }

  /**
   * A command finished in one of the learner's terminals: re-check what they have open.
   * `command` (the line and what it changed) is kept with any exercise that passes next.
   * `typed`: the learner ran a command line (else the run is the platform's own look:
   * the lesson page opened, an empty line).
   */
  commandFinished(learner: string, command?: CommandEvidence, typed = command !== undefined): void {
    if (command) this.lastCommand.set(learner, command);
    if (typed) this.commandsSince.add(learner);
    const slugs = [...new Set([...(this.watchers.get(learner) ?? [])].map((w) => w.slug))];
    if (slugs.length > 0) void this.check(learner, slugs);
  }

  /**
   * Checks the lessons' exercises that have not passed yet. A request while a run is
   * going coalesces into one more run after it, so a burst of commands costs two runs.
   * A request with an idempotency key (a client that may retry it) runs on its own
   * after the current run, its caller sees a failure (to retry) instead of a quiet log
   * line, and a retry with the same key joins or reuses that run while this process
   * remembers it (minutes) instead of running the checks again. Its runs are recorded
   * under the key, once per exercise, so even a retry this process cannot remember (it
   * restarted) counts once. `cause` says whose request a keyed run is: the learner's
   * Check (`check`, an attempt) or an instructor's re-check (`platform`).
   */
  check(learner: string, slugs: readonly string[], key?: string, cause: Extract<RunCause, 'check' | 'platform'> = 'check'): Promise<void> {
    if (key) return this.keyed.run(`${learner} ${key} ${slugs.join(' ')}`, () => this.checkNow(learner, slugs, { key, cause }));
    return this.checkNow(learner, slugs);
  }

  private checkNow(learner: string, slugs: readonly string[], keyed?: { key: string; cause: RunCause }): Promise<void> {
    const current = this.running.get(learner);
    if (current) {
      if (keyed) return current.then(() => this.checkNow(learner, slugs, keyed));
      this.again.add(learner);
      return current;
    }
    const attempt = this.runChecks(learner, slugs, keyed);
    const run = attempt
      .catch((error: unknown) => this.options.onError(error, learner))
      .finally(() => {
        this.running.delete(learner);
        if (this.again.delete(learner)) void this.check(learner, slugs);
      });
    this.running.set(learner, run);
    return keyed ? attempt : run;
  }

  private async runChecks(learner: string, slugs: readonly string[], keyed?: { key: string; cause: RunCause }): Promise<void> {
    const exec = await this.options.machine(learner);
    if (!exec) return;
    const command = this.lastCommand.get(learner);
    this.lastCommand.delete(learner);
    const cause: RunCause = keyed?.cause ?? (this.commandsSince.delete(learner) ? 'command' : 'platform');
    const key = keyed?.key;
    for (const slug of slugs) {
      const lesson = await this.options.lesson(slug);
      if (!lesson) continue;
      const passed = new Set((await this.options.store.lesson(learner, slug)).filter((r) => r.status === 'passed').map((r) => r.exercise));
      const open = lesson.exercises.filter((exercise) => !passed.has(exercise.id));
      // Every open exercise in one round trip into the machine, judged in parallel there.
      const outcomes = await runChecks(exec, path.join(this.options.contentDir, lesson.dir), open.map((exercise) => exercise.check));
      for (const [i, exercise] of open.entries()) {
        const outcome = outcomes[i]!;
        if (outcome.status === 'error') {
          const { reason, output } = outcome;
          const message = outcome.cause === 'tampered' ? 'check run was tampered with' : 'check is broken';
          this.options.log.warn({ learner, lesson: slug, exercise: exercise.id, check: exercise.check, reason, output }, message);
        }
        await this.options.store.record(learner, slug, toRun(exercise.id, outcome, command, cause), key && `${key}/${slug}/${exercise.id}`);
        const result = (await this.options.store.lesson(learner, slug)).find((r) => r.exercise === exercise.id);
        if (result) for (const watcher of this.watchers.get(learner) ?? []) if (watcher.slug === slug) watcher.listener(result);
      }
    }
  }
}

function toRun(exercise: string, outcome: CheckOutcome, command: CommandEvidence | undefined, cause: RunCause): RecordedRun {
  const at = new Date().toISOString();
  if (outcome.status === 'error') return { exercise, status: outcome.status, assertions: [], reason: outcome.reason, at, cause };
  return { exercise, status: outcome.status, assertions: outcome.assertions, at, cause, ...(outcome.status === 'passed' && command && { command }) };
}
