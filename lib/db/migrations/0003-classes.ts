import type { Kysely } from 'kysely';
import { belongsTo } from './columns.ts';

/** Classes an instructor teaches: their lessons, deadline, join code and members. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('classes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('instructor_id', 'text', belongsTo('users'))
    .addColumn('deadline', 'text', (c) => c.notNull())
    .addColumn('join_code', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('classes_by_instructor').on('classes').column('instructor_id').execute();
  await db.schema
    .createTable('class_lessons')
    .addColumn('class_id', 'text', belongsTo('classes'))
    .addColumn('lesson', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('class_lessons_pk', ['class_id', 'lesson'])
    .execute();
  await db.schema
    .createTable('class_members')
    .addColumn('class_id', 'text', belongsTo('classes'))
    .addColumn('user_id', 'text', belongsTo('users'))
    .addColumn('joined_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('class_members_pk', ['class_id', 'user_id'])
    .execute();
  await db.schema.createIndex('class_members_by_user').on('class_members').column('user_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('class_members').execute();
  await db.schema.dropTable('class_lessons').execute();
  await db.schema.dropTable('classes').execute();
}
