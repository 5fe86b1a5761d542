import { randomUUID } from 'node:crypto';
import { sql, type OnConflictBuilder } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/index.ts';
import type { CheckStatus, Database } from '../db/schema.ts';
import { CommandEvidence } from '../changes/schema.ts';
import { Assertion } from './outcome.ts';
import type { ExerciseResult } from './result.ts';

const Evidence = z.object({ assertions: z.array(Assertion), reason: z.string().optional(), command: CommandEvidence.optional() });

/** One learner's standing on one exercise without the evidence behind it: a cell of a gradebook. */
export interface LearnerResult {
  readonly learner: string;
  readonly lesson: string;
  readonly exercise: string;
  readonly status: CheckStatus;
  readonly attempts: number;
  readonly firstPassedAt: string | null;
  readonly checkedAt: string;
}

/**
 * What started a check run: the learner pressed Check (`check`), one of their commands
 * finished (`command`), or the platform looked on its own (`platform`: the lesson page
 * opened, an instructor's re-check).
 */
export type RunCause = 'check' | 'command' | 'platform';

export interface RecordedRun {
  readonly exercise: string;
  readonly status: CheckStatus;
  readonly assertions: readonly Assertion[];
  readonly reason?: string;
  readonly command?: CommandEvidence;
  readonly at: string;
  /** @default 'check' */
  readonly cause?: RunCause;
}

/** A run from the log: when the learner tried or passed an exercise. */
export interface LoggedRun {
  readonly lesson: string;
  readonly exercise: string;
  readonly status: CheckStatus;
  readonly at: string;
}

/**
 * Was this run one of the learner's tries at the exercise? A Check they pressed is; so
 * is the run that first finds the exercise passed, whatever started it; and so is a run
 * after one of their commands that found something different from the run before it
 * (another verdict, or an assertion that found another state). A command that changed
 * nothing this exercise looks at (`ls`, `cat`), the page opening and an instructor's
 * re-check are not: without this rule, one command counted on every open exercise.
 */
export function isAttempt(run: RecordedRun, before: { readonly status: CheckStatus; readonly assertions: readonly Assertion[] } | undefined): boolean {
  const cause = run.cause ?? 'check';
  if (cause === 'check') return true;
  if (run.status === 'passed') return before?.status !== 'passed';
  if (cause !== 'command' || run.status !== 'failed' || !before || before.status === 'passed') return false;
  return before.status !== run.status || JSON.stringify(run.assertions.map(found)) !== JSON.stringify(before.assertions.map(found));
}

const found = (a: Assertion) => [a.name, a.pass, a.actual];

/**
 * The one rule for two standings of an exercise, the stored row and an arriving one (a new
 * check run, or a row moved from another learner): attempts add up; a pass on either side
 * is a pass, and stays one, with the earlier pass's time and evidence; otherwise the later
 * check's status and evidence stand. Ties go to the stored pass and to the arriving check.
 */
function keepingPasses(oc: OnConflictBuilder<Database, 'exercise_results'>) {
  const arrivingPassedFirst = sql<boolean>`excluded.first_passed_at is not null and (exercise_results.first_passed_at is null or excluded.first_passed_at < exercise_results.first_passed_at)`;
  const arrivingIsLater = sql<boolean>`excluded.checked_at >= exercise_results.checked_at`;
  return oc.columns(['learner', 'lesson', 'exercise']).doUpdateSet({
    attempts: sql`exercise_results.attempts + excluded.attempts`,
    status: sql`case when exercise_results.status = 'passed' or excluded.status = 'passed' then 'passed' when ${arrivingIsLater} then excluded.status else exercise_results.status end`,
    first_passed_at: sql`case when ${arrivingPassedFirst} then excluded.first_passed_at else exercise_results.first_passed_at end`,
    evidence: sql`case when ${arrivingPassedFirst} then excluded.evidence when exercise_results.status = 'passed' then exercise_results.evidence when ${arrivingIsLater} then excluded.evidence else exercise_results.evidence end`,
    checked_at: sql`case when ${arrivingIsLater} then excluded.checked_at else exercise_results.checked_at end`,
  });
}

/**
 * Check results per learner and exercise: attempts, first pass, last evidence. The only
 * module that reads or writes them; the gradebook and the account merge ask it.
 */
export class ResultStore {
  constructor(private readonly db: Db) {}

  async lesson(learner: string, lesson: string): Promise<ExerciseResult[]> {
    const rows = await this.db.selectFrom('exercise_results').selectAll().where('learner', '=', learner).where('lesson', '=', lesson).execute();
    return rows.map((row) => {
      const evidence = Evidence.parse(JSON.parse(row.evidence));
      return {
        exercise: row.exercise,
        status: row.status,
        attempts: row.attempts,
        checkedAt: row.checked_at,
        assertions: evidence.assertions,
        ...(row.first_passed_at && { passedAt: row.first_passed_at }),
        ...(evidence.reason !== undefined && { reason: evidence.reason }),
        ...(evidence.command !== undefined && { command: evidence.command }),
      };
    });
  }

  /** How many exercises of each lesson the learner has passed. */
  async passedPerLesson(learner: string): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('exercise_results')
      .select(['lesson', (eb) => eb.fn.countAll<number>().as('passed')])
      .where('learner', '=', learner)
      .where('status', '=', 'passed')
      .groupBy('lesson')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.lesson, Number(r.passed)]));
  }

  /** What these learners have recorded in these lessons, for a class's gradebook. */
  async resultsOfLearners(learners: readonly string[], lessons: readonly string[]): Promise<LearnerResult[]> {
    if (learners.length === 0 || lessons.length === 0) return [];
    const rows = await this.db
      .selectFrom('exercise_results')
      .select(['learner', 'lesson', 'exercise', 'status', 'attempts', 'first_passed_at', 'checked_at'])
      .where('learner', 'in', [...learners])
      .where('lesson', 'in', [...lessons])
      .execute();
    return rows.map((r) => ({
      learner: r.learner,
      lesson: r.lesson,
      exercise: r.exercise,
      status: r.status,
      attempts: r.attempts,
      firstPassedAt: r.first_passed_at,
      checkedAt: r.checked_at,
    }));
  }

  /**
   * Records one check run: a passed exercise stays passed with its first pass time and
   * evidence, whatever later runs find, and attempts grow by one when the run was one of
   * the learner's tries (see `isAttempt`). The run's key goes into the run log in the same
   * transaction, so a run recorded twice under one key (a retry after a crash) counts
   * once, and a crash mid-way records nothing. Returns whether this call recorded it.
   */
  async record(learner: string, lesson: string, run: RecordedRun, key: string = randomUUID()): Promise<boolean> {
    const evidence = JSON.stringify({ assertions: run.assertions, ...(run.reason !== undefined && { reason: run.reason }), ...(run.command !== undefined && { command: run.command }) });
    return this.db.transaction().execute(async (trx) => {
      const stored = await trx
        .selectFrom('exercise_results')
        .select(['status', 'evidence'])
        .where('learner', '=', learner)
        .where('lesson', '=', lesson)
        .where('exercise', '=', run.exercise)
        .executeTakeFirst();
      const counted = isAttempt(run, stored && { status: stored.status, assertions: Evidence.parse(JSON.parse(stored.evidence)).assertions }) ? 1 : 0;
      const logged = await trx
        .insertInto('check_runs')
        .values({ key, learner, lesson, exercise: run.exercise, status: run.status, checked_at: run.at, counted })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst();
      if (Number(logged.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      await trx
        .insertInto('exercise_results')
        .values({
          learner,
          lesson,
          exercise: run.exercise,
          status: run.status,
          attempts: counted,
          first_passed_at: run.status === 'passed' ? run.at : null,
          checked_at: run.at,
          evidence,
        })
        .onConflict(keepingPasses)
        .execute();
      return true;
    });
  }

  /** The learner's counted runs and passes in these lessons between two times, oldest first: the markers of a recording. */
  async runsBetween(learner: string, lessons: readonly string[], from: string, to: string): Promise<LoggedRun[]> {
    if (lessons.length === 0) return [];
    const rows = await this.db
      .selectFrom('check_runs')
      .select(['lesson', 'exercise', 'status', 'checked_at'])
      .where('learner', '=', learner)
      .where('lesson', 'in', [...lessons])
      .where('checked_at', '>=', from)
      .where('checked_at', '<=', to)
      .where((eb) => eb.or([eb('counted', '=', 1), eb('status', '=', 'passed')]))
      .orderBy('checked_at')
      .execute();
    return rows.map((r) => ({ lesson: r.lesson, exercise: r.exercise, status: r.status, at: r.checked_at }));
  }

  /**
   * Files everything learner `from` recorded under learner `to`, in one transaction: an
   * exercise both have becomes one standing by the same rule as a new run (a pass on
   * either side stays a pass). Returns how many standings `from` had.
   */
  async moveResults(from: string, to: string): Promise<number> {
    if (from === to) return 0;
    return this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('exercise_results')
        .columns(['learner', 'lesson', 'exercise', 'status', 'attempts', 'first_passed_at', 'checked_at', 'evidence'])
        .expression(
          trx
            .selectFrom('exercise_results')
            .select((eb) => [eb.cast<string>(eb.val(to), 'text').as('learner'), 'lesson', 'exercise', 'status', 'attempts', 'first_passed_at', 'checked_at', 'evidence'])
            // SQLite needs a WHERE in an upsert's SELECT; this one has it.
            .where('learner', '=', from),
        )
        .onConflict(keepingPasses)
        .execute();
      const moved = await trx.deleteFrom('exercise_results').where('learner', '=', from).executeTakeFirst();
      await trx.updateTable('check_runs').set({ learner: to }).where('learner', '=', from).execute();
      return Number(moved.numDeletedRows);
    });
  }
}
