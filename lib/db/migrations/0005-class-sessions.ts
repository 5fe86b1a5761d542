import type { Kysely } from 'kysely';
import { idOwnedBy } from './columns.ts';

/** Sessions an instructor announces, so learner machines are started before the class arrives. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('class_sessions')
    .$call(idOwnedBy('class_id', 'classes'))
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('expected_learners', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('class_sessions_by_class').on('class_sessions').columns(['class_id', 'starts_at']).execute();
  // The machine pool asks for the sessions around now across every class.
  await db.schema.createIndex('class_sessions_by_start').on('class_sessions').column('starts_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('class_sessions').execute();
}
