import type { Db } from '../db/index.ts';
import type { ExerciseResultsTable } from '../db/schema.ts';

type Standing = Omit<ExerciseResultsTable, 'id' | 'learner'>;

/**
 * Two standings of one exercise as one: attempts add up, a pass anywhere is a pass with
 * the earliest pass time and that pass's evidence; otherwise the latest check speaks.
 */
export function combineStandings(a: Standing, b: Standing): Standing {
  const [earlier, later] = a.checked_at <= b.checked_at ? [a, b] : [b, a];
  const passes = [a, b].filter((s) => s.first_passed_at !== null).sort((x, y) => x.first_passed_at!.localeCompare(y.first_passed_at!));
  const firstPass = passes[0];
  return {
    lesson: a.lesson,
    exercise: a.exercise,
    attempts: a.attempts + b.attempts,
    status: firstPass ? 'passed' : later.status,
    first_passed_at: firstPass?.first_passed_at ?? null,
    evidence: firstPass?.evidence ?? later.evidence,
    checked_at: later.checked_at > earlier.checked_at ? later.checked_at : earlier.checked_at,
  };
}

/**
 * Moves an anonymous learner's check results to an account's learner id, in one
 * transaction: someone who tried lessons before signing in keeps what they did.
 */
export async function mergeLearnerResults(db: Db, from: string, to: string): Promise<number> {
  if (from === to) return 0;
  return db.transaction().execute(async (trx) => {
    const moving = await trx.selectFrom('exercise_results').selectAll().where('learner', '=', from).execute();
    for (const row of moving) {
      const existing = await trx
        .selectFrom('exercise_results')
        .selectAll()
        .where('learner', '=', to)
        .where('lesson', '=', row.lesson)
        .where('exercise', '=', row.exercise)
        .executeTakeFirst();
      if (existing) {
        await trx.updateTable('exercise_results').set(combineStandings(existing, row)).where('id', '=', existing.id).execute();
        await trx.deleteFrom('exercise_results').where('id', '=', row.id).execute();
      } else {
        await trx.updateTable('exercise_results').set({ learner: to }).where('id', '=', row.id).execute();
      }
    }
    await trx.updateTable('check_runs').set({ learner: to }).where('learner', '=', from).execute();
    return moving.length;
  });
}
