import path from 'node:path';
import type { Lesson } from '../lessons/schema.ts';
import type { CheckOutcome } from './outcome.ts';
import type { ExerciseResult } from './result.ts';
import { runCheck, type MachineExec } from './run.ts';

export interface LiveChecksOptions {
  /** Lessons by slug. */
  readonly lesson: (slug: string) => Promise<Lesson | undefined>;
  readonly contentDir: string;
  /** The learner's machine, as a check runner. */
  readonly machine: (learner: string) => Promise<MachineExec>;
  readonly onError: (error: unknown, learner: string) => void;
}

type Listener = (result: ExerciseResult) => void;

/**
 * Live verification: when a learner's shell finishes a command, the open exercises of
 * the lessons they have open are checked again, one run at a time per learner, and the
 * results go to the open pages. Results are kept in memory for now.
 */
export class LiveChecks {
  private readonly results = new Map<string, ExerciseResult>();
  private readonly watchers = new Map<string, Set<{ slug: string; listener: Listener }>>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();

  constructor(private readonly options: LiveChecksOptions) {}

  /** Current results of a lesson for a learner. */
  async snapshot(learner: string, slug: string): Promise<ExerciseResult[]> {
    const lesson = await this.options.lesson(slug);
    return (lesson?.exercises ?? []).flatMap((e) => this.results.get(key(learner, slug, e.id)) ?? []);
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

  /** A command finished in one of the learner's terminals: re-check what they have open. */
  commandFinished(learner: string): void {
    const slugs = [...new Set([...(this.watchers.get(learner) ?? [])].map((w) => w.slug))];
    if (slugs.length > 0) void this.check(learner, slugs);
  }

  /**
   * Checks the lessons' exercises that have not passed yet. A request while a run is
   * going coalesces into one more run after it, so a burst of commands costs two runs.
   */
  check(learner: string, slugs: readonly string[]): Promise<void> {
    const current = this.running.get(learner);
    if (current) {
      this.again.add(learner);
      return current;
    }
    const run = this.runChecks(learner, slugs)
      .catch((error: unknown) => this.options.onError(error, learner))
      .finally(() => {
        this.running.delete(learner);
        if (this.again.delete(learner)) void this.check(learner, slugs);
      });
    this.running.set(learner, run);
    return run;
  }

  private async runChecks(learner: string, slugs: readonly string[]): Promise<void> {
    const exec = await this.options.machine(learner);
    for (const slug of slugs) {
      const lesson = await this.options.lesson(slug);
      if (!lesson) continue;
      for (const exercise of lesson.exercises) {
        const k = key(learner, slug, exercise.id);
        const previous = this.results.get(k);
        if (previous?.status === 'passed') continue;
        const outcome = await runCheck(exec, path.join(this.options.contentDir, lesson.dir), exercise.check);
        const result = toResult(exercise.id, outcome, previous);
        this.results.set(k, result);
        for (const watcher of this.watchers.get(learner) ?? []) if (watcher.slug === slug) watcher.listener(result);
      }
    }
  }
}

function key(learner: string, slug: string, exercise: string): string {
  return `${learner}/${slug}/${exercise}`;
}

function toResult(exercise: string, outcome: CheckOutcome, previous: ExerciseResult | undefined): ExerciseResult {
  const now = new Date().toISOString();
  const attempts = (previous?.attempts ?? 0) + 1;
  if (outcome.status === 'error') {
    return { exercise, status: 'error', attempts, checkedAt: now, assertions: [], reason: outcome.reason };
  }
  return {
    exercise,
    status: outcome.status,
    attempts,
    checkedAt: now,
    assertions: [...outcome.assertions],
    ...(outcome.status === 'passed' && { passedAt: now }),
  };
}
