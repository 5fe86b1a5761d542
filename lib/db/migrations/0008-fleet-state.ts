import type { Kysely } from 'kysely';

/**
 * What the app servers of one installation share about learner machines, so that two
 * servers on one engine never fight over them: each learner's last activity and arrival
 * (the collector and the pool read them), and the lease that makes one server at a time
 * the one that keeps the pool and collects.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('learner_activity')
    .addColumn('learner', 'text', (c) => c.primaryKey())
    .addColumn('active_at', 'text', (c) => c.notNull())
    .addColumn('arrived_at', 'text')
    .execute();
  // The pool counts recent arrivals; the keeper forgets learners long gone.
  await db.schema.createIndex('learner_activity_by_arrival').on('learner_activity').column('arrived_at').execute();
  await db.schema.createIndex('learner_activity_by_activity').on('learner_activity').column('active_at').execute();
  await db.schema
    .createTable('fleet_leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('fleet_leases').execute();
  await db.schema.dropTable('learner_activity').execute();
}
