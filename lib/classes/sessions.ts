import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/index.ts';
import type { ClassSessionView } from './views.ts';

/**
 * Machines are wanted from this long before a session starts: learners sit down a few
 * minutes early, and the pool starts machines a few at a time, so a classroom's worth
 * needs a head start.
 */
export const WARM_BEFORE_START_MS = 15 * 60_000;
/** …until this long after it: latecomers still find a machine ready instead of waiting for one to boot. */
export const WARM_AFTER_START_MS = 30 * 60_000;
/** A session stays listed this long after its start, so today's class shows while it runs and after. */
export const LISTED_AFTER_START_MS = 24 * 60 * 60_000;

/** An instructor may announce a session already under way, but not one long past (a typo). */
const MAX_PAST_MS = 60 * 60_000;
/** A year ahead, leap day included: enough for a term planned in advance. */
const MAX_AHEAD_MS = 366 * 24 * 60 * 60_000;
const MAX_LEARNERS = 500;

export const NewClassSession = z.strictObject({
  startsAt: z.iso
    .datetime({ offset: true, error: 'must be a date and time with its zone, such as 2026-12-01T09:00:00Z' })
    .transform((s) => new Date(s))
    .refine((d) => d.getTime() >= Date.now() - MAX_PAST_MS, { error: 'is more than an hour ago. Fix: give the start of a session still to come' })
    .refine((d) => d.getTime() <= Date.now() + MAX_AHEAD_MS, { error: 'is more than 366 days ahead. Fix: announce the session nearer the time' })
    .describe('When the session starts (ISO 8601 with a zone); machines are started ahead of it'),
  expectedLearners: z
    .int({ error: `must be a whole number from 1 to ${MAX_LEARNERS}` })
    .min(1, { error: 'must be at least 1. Fix: count the learners you expect' })
    .max(MAX_LEARNERS, { error: `must be at most ${MAX_LEARNERS}. Fix: split a larger class into sessions of up to ${MAX_LEARNERS}` })
    .describe('How many learners are expected: that many machines are started ahead'),
});
export type NewClassSession = z.infer<typeof NewClassSession>;

/** Class sessions an instructor announces, and the machine demand they add up to. */
export class ClassSessions {
  constructor(private readonly db: Db) {}

  async announce(classId: string, input: NewClassSession, now = new Date()): Promise<ClassSessionView> {
    const session = { id: randomBytes(9).toString('base64url'), startsAt: input.startsAt.toISOString(), expectedLearners: input.expectedLearners };
    await this.db
      .insertInto('class_sessions')
      .values({ id: session.id, class_id: classId, starts_at: session.startsAt, expected_learners: session.expectedLearners, created_at: now.toISOString() })
      .execute();
    return session;
  }

  /** The class's sessions still to come or started in the last day, earliest first. */
  async list(classId: string, now = new Date()): Promise<ClassSessionView[]> {
    const rows = await this.db
      .selectFrom('class_sessions')
      .select(['id', 'starts_at', 'expected_learners'])
      .where('class_id', '=', classId)
      .where('starts_at', '>=', new Date(now.getTime() - LISTED_AFTER_START_MS).toISOString())
      .orderBy('starts_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: r.id, startsAt: r.starts_at, expectedLearners: r.expected_learners }));
  }

  /** Removes a session of this class; returns false if the class has no such session. */
  async remove(classId: string, sessionId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('class_sessions').where('class_id', '=', classId).where('id', '=', sessionId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /**
   * How many learners every class together expects at `now`: the sum over the sessions
   * whose warm-up window (from WARM_BEFORE_START_MS before the start to
   * WARM_AFTER_START_MS after it, both ends included) holds `now`. Not capped: the
   * machine pool keeps to its own limit.
   */
  async expectedLearners(now: Date): Promise<number> {
    const row = await this.db
      .selectFrom('class_sessions')
      .select((eb) => eb.fn.sum<number | string | null>('expected_learners').as('learners'))
      .where('starts_at', '>=', new Date(now.getTime() - WARM_AFTER_START_MS).toISOString())
      .where('starts_at', '<=', new Date(now.getTime() + WARM_BEFORE_START_MS).toISOString())
      .executeTakeFirst();
    // PostgreSQL sums integers as bigint (a string in pg); no rows sum to null.
    return Number(row?.learners ?? 0);
  }
}
