import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  // PostgreSQL has no autoincrement keyword; SQLite's SQL is what shipped and stays as it was.
  const postgres = dialectOf(db) === 'postgres';
  await db.schema
    .createTable('exercise_results')
    .addColumn('id', 'integer', (c) => (postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()))
    .addColumn('learner', 'text', (c) => c.notNull())
    .addColumn('lesson', 'text', (c) => c.notNull())
    .addColumn('exercise', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('passed', 'failed', 'error')`))
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('first_passed_at', 'text')
    .addColumn('checked_at', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addUniqueConstraint('exercise_results_one_per_exercise', ['learner', 'lesson', 'exercise'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('exercise_results').execute();
}
