import { sql, type Kysely } from 'kysely';

interface LoggedRun {
  key: string;
  learner: string;
  lesson: string;
  exercise: string;
  status: string;
}

/**
 * Attempts that mean attempts: each logged run says whether it was one of the learner's
 * tries (`counted`), and an exercise's attempts are those runs. Until now every run
 * counted: the page opening, every finished command, each Check.
 *
 * The log does not say what caused the runs before this migration, nor what they found,
 * so it is read as well as it can be: a Check the learner pressed (its key is the
 * learner's, then their Idempotency-Key) counts; an instructor's re-check (`recheck-` in
 * its key) does not; any other run (page open, finished command) counts when its verdict
 * differs from the run before it on that exercise and is not a check error, so a first
 * look at a lesson counts nothing and the command that passed counts one. A standing with
 * no logged runs (recorded before the log existed) keeps at most one attempt.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('check_runs')
    .addColumn('counted', 'integer', (c) => c.notNull().defaultTo(0).check(sql`counted in (0, 1)`))
    .execute();
  const typed = db as unknown as Kysely<{ check_runs: LoggedRun & { counted: number; checked_at: string }; exercise_results: { learner: string; lesson: string; exercise: string; attempts: number } }>;
  const runs = await typed
    .selectFrom('check_runs')
    .select(['key', 'learner', 'lesson', 'exercise', 'status'])
    .orderBy('learner')
    .orderBy('lesson')
    .orderBy('exercise')
    .orderBy('checked_at')
    .orderBy('key')
    .execute();
  const counted: string[] = [];
  const previous = new Map<string, string>();
  for (const run of runs) {
    const exercise = `${run.learner}\n${run.lesson}\n${run.exercise}`;
    const before = previous.get(exercise);
    previous.set(exercise, run.status);
    if (countedBefore(run, before)) counted.push(run.key);
  }
  for (let i = 0; i < counted.length; i += 500) {
    await typed.updateTable('check_runs').set({ counted: 1 }).where('key', 'in', counted.slice(i, i + 500)).execute();
  }
  await sql`update exercise_results set attempts = (
      select count(*) from check_runs r
      where r.learner = exercise_results.learner and r.lesson = exercise_results.lesson and r.exercise = exercise_results.exercise and r.counted = 1)
    where exists (
      select 1 from check_runs r
      where r.learner = exercise_results.learner and r.lesson = exercise_results.lesson and r.exercise = exercise_results.exercise)`.execute(db);
  await sql`update exercise_results set attempts = 1 where attempts > 1 and not exists (
      select 1 from check_runs r
      where r.learner = exercise_results.learner and r.lesson = exercise_results.lesson and r.exercise = exercise_results.exercise)`.execute(db);
}

function countedBefore(run: LoggedRun, before: string | undefined): boolean {
  // Keyed runs are `<learner>/<key>/<lesson>/<exercise>` (lib/checks/live.ts); the rest a bare UUID.
  const keyed = run.key.startsWith(`${run.learner}/`);
  if (keyed) return !run.key.slice(run.learner.length + 1).startsWith('recheck-');
  if (run.status === 'error') return false;
  return run.status === 'passed' ? before !== 'passed' : before !== undefined && before !== run.status;
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('check_runs').dropColumn('counted').execute();
}
