import type { Db } from '../db/index.ts';
import type { FleetState } from '../../sandbox/index.ts';

/** The one lease there is: keeping the pool and collecting machines. */
const MACHINES_LEASE = 'machines';

/**
 * The machine manager's shared state in the app's database (sandbox/manager.ts, FleetState),
 * so that several app servers on one engine see one another's learners.
 *
 * The keeper is a lease row with an expiry rather than a PostgreSQL advisory lock: the
 * same statement works on SQLite (the one-host default, and the machine tests' two
 * servers on one file) and on PostgreSQL; it needs no connection held for the lease's
 * life (an advisory lock dies with its pooled connection, silently); and a holder that
 * hangs without dying loses it too. The cost: a dead holder's lease is taken over only
 * once it expires, and the servers' clocks must agree to well within the lease's length.
 */
export class FleetStore implements FleetState {
  constructor(private readonly db: Db) {}

  async keep(holder: string, now: Date, ttlMs: number): Promise<boolean> {
    const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
    // One statement: a free or expired lease is taken, our own renewed, anyone else's left alone.
    const row = await this.db
      .insertInto('fleet_leases')
      .values({ name: MACHINES_LEASE, holder, expires_at: expiresAt })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet((eb) => ({ holder: eb.ref('excluded.holder'), expires_at: eb.ref('excluded.expires_at') }))
          .where((eb) => eb.or([eb('fleet_leases.holder', '=', holder), eb('fleet_leases.expires_at', '<', now.toISOString())])),
      )
      .returning('holder')
      .executeTakeFirst();
    return row?.holder === holder;
  }

  async release(holder: string): Promise<void> {
    await this.db.deleteFrom('fleet_leases').where('name', '=', MACHINES_LEASE).where('holder', '=', holder).execute();
  }

  async keeper(now: Date): Promise<string | undefined> {
    const row = await this.db.selectFrom('fleet_leases').select('holder').where('name', '=', MACHINES_LEASE).where('expires_at', '>=', now.toISOString()).executeTakeFirst();
    return row?.holder;
  }

  async recordActivity(learner: string, at: Date): Promise<void> {
    const activeAt = at.toISOString();
    await this.db
      .insertInto('learner_activity')
      .values({ learner, active_at: activeAt, arrived_at: null })
      .onConflict((oc) => oc.column('learner').doUpdateSet({ active_at: activeAt }).where('learner_activity.active_at', '<', activeAt))
      .execute();
  }

  async recordArrival(learner: string, at: Date): Promise<void> {
    const iso = at.toISOString();
    await this.db
      .insertInto('learner_activity')
      .values({ learner, active_at: iso, arrived_at: iso })
      .onConflict((oc) => oc.column('learner').doUpdateSet({ active_at: iso, arrived_at: iso }))
      .execute();
  }

  async lastActivity(learners: readonly string[]): Promise<Map<string, number>> {
    if (learners.length === 0) return new Map();
    const rows = await this.db.selectFrom('learner_activity').select(['learner', 'active_at']).where('learner', 'in', learners).execute();
    return new Map(rows.map((r) => [r.learner, Date.parse(r.active_at)]));
  }

  async arrivalsSince(since: Date): Promise<number[]> {
    const rows = await this.db.selectFrom('learner_activity').select('arrived_at').where('arrived_at', '>=', since.toISOString()).execute();
    return rows.map((r) => Date.parse(r.arrived_at!)).sort((a, b) => a - b);
  }

  async forgetBefore(before: Date): Promise<void> {
    await this.db.deleteFrom('learner_activity').where('active_at', '<', before.toISOString()).execute();
  }
}
