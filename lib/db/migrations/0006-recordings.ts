import { sql, type Kysely } from 'kysely';
import { belongsTo } from './columns.ts';

/**
 * Terminal recordings, kept with the class: a class can turn recording on; each recorded
 * terminal is a row, its asciicast events arrive in chunks. Removing the class (or the
 * account) removes its recordings by cascade; removing a learner from the class removes
 * theirs in the same transaction (lib/classes/store.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('classes')
    .addColumn('recording', 'integer', (c) => c.notNull().defaultTo(0).check(sql`recording in (0, 1)`))
    .execute();
  await db.schema
    .createTable('recordings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('class_id', 'text', belongsTo('classes'))
    .addColumn('user_id', 'text', belongsTo('users'))
    .addColumn('terminal', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('cols', 'integer', (c) => c.notNull())
    .addColumn('rows', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('duration', 'double precision', (c) => c.notNull())
    .addColumn('capped', 'integer', (c) => c.notNull().check(sql`capped in (0, 1)`))
    .execute();
  await db.schema.createIndex('recordings_by_learner').on('recordings').columns(['class_id', 'user_id', 'started_at']).execute();
  await db.schema
    .createTable('recording_chunks')
    .addColumn('recording_id', 'text', (c) => c.notNull().references('recordings.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    /** asciicast v2 event lines, each ending in a newline. */
    .addColumn('events', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('recording_chunks_pk', ['recording_id', 'seq'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('recording_chunks').execute();
  await db.schema.dropTable('recordings').execute();
  await db.schema.alterTable('classes').dropColumn('recording').execute();
}
