import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/index.ts';
import { Assertion } from './outcome.ts';
import type { ExerciseResult } from './result.ts';

const Evidence = z.object({ assertions: z.array(Assertion), reason: z.string().optional() });

/** Check results per learner and exercise: attempts, first pass, last evidence. */
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

  /**
   * Records one check run: attempts grow by one, and a passed exercise stays passed with
   * its first pass time and evidence, whatever later runs find. The run's key goes into
   * the run log in the same transaction, so a run recorded twice under one key (a retry
   * after a crash) counts once, and a crash mid-way records nothing. Returns whether
   * this call recorded it.
   */
  async record(
    learner: string,
    lesson: string,
    run: { exercise: string; status: ExerciseResult['status']; assertions: readonly z.infer<typeof Assertion>[]; reason?: string; at: string },
    key: string = randomUUID(),
  ): Promise<boolean> {
    const evidence = JSON.stringify({ assertions: run.assertions, ...(run.reason !== undefined && { reason: run.reason }) });
    return this.db.transaction().execute(async (trx) => {
      const logged = await trx
        .insertInto('check_runs')
        .values({ key, learner, lesson, exercise: run.exercise, status: run.status, checked_at: run.at })
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
          attempts: 1,
          first_passed_at: run.status === 'passed' ? run.at : null,
          checked_at: run.at,
          evidence,
        })
        .onConflict((oc) =>
          oc.columns(['learner', 'lesson', 'exercise']).doUpdateSet({
            attempts: sql`exercise_results.attempts + 1`,
            status: sql`case when exercise_results.status = 'passed' then 'passed' else excluded.status end`,
            first_passed_at: sql`coalesce(exercise_results.first_passed_at, excluded.first_passed_at)`,
            evidence: sql`case when exercise_results.status = 'passed' then exercise_results.evidence else excluded.evidence end`,
            checked_at: sql`excluded.checked_at`,
          }),
        )
        .execute();
      return true;
    });
  }
}
