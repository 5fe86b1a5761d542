import { sql, type Kysely } from 'kysely';

/**
 * One row per recorded check run, keyed by the run's idempotency key. It is written in
 * the same transaction as the exercise's standing, so a run counts once or not at all:
 * a retry after a crash finds its key and changes nothing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('check_runs')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('learner', 'text', (c) => c.notNull())
    .addColumn('lesson', 'text', (c) => c.notNull())
    .addColumn('exercise', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('passed', 'failed', 'error')`))
    .addColumn('checked_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('check_runs_by_exercise').on('check_runs').columns(['learner', 'lesson', 'exercise']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('check_runs').execute();
}
