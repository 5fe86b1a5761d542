import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Account } from '../auth/accounts.ts';
import type { Db } from '../db/index.ts';
import { newJoinCode, normalizeJoinCode } from './codes.ts';

export const NewClass = z.strictObject({
  name: z.string().trim().min(1, { error: 'is empty' }).max(120, { error: 'must be at most 120 characters' }),
  lessons: z
    .array(z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { error: 'is not a lesson slug' }))
    .min(1, { error: 'must name at least one lesson' })
    .max(100)
    .refine((slugs) => new Set(slugs).size === slugs.length, { error: 'names a lesson twice' }),
  deadline: z.iso.datetime({ offset: true, error: 'must be a date and time such as 2026-12-01T17:00:00Z' }).transform((d) => new Date(d).toISOString()),
});
export type NewClass = z.infer<typeof NewClass>;

export interface ClassInfo {
  readonly id: string;
  readonly name: string;
  readonly instructor: { readonly id: string; readonly name: string; readonly email: string };
  readonly deadline: string;
  readonly joinCode: string;
  /** Lesson slugs in the order the instructor chose. */
  readonly lessons: readonly string[];
  readonly createdAt: string;
  readonly members: number;
  /** Its learners' terminals are recorded (lib/recordings). */
  readonly recording: boolean;
}

export interface ClassMember {
  readonly userId: string;
  readonly name: string;
  readonly email: string;
  readonly learner: string;
  readonly joinedAt: string;
}

export class JoinError extends Error {
  override readonly name = 'JoinError';
  constructor(
    message: string,
    readonly reason: 'bad-code' | 'own-class',
  ) {
    super(message);
  }
}

/** May this account see and change this class? Its instructor and admins may. */
export function canManage(account: Account, info: ClassInfo): boolean {
  return account.role === 'admin' || (account.role === 'instructor' && info.instructor.id === account.id);
}

/** Classes: created by instructors, joined by learners with the class's code. */
export class ClassStore {
  constructor(private readonly db: Db) {}

  async create(instructor: Account, input: NewClass, now = new Date()): Promise<ClassInfo> {
    const id = randomBytes(9).toString('base64url');
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('classes')
        .values({ id, name: input.name, instructor_id: instructor.id, deadline: input.deadline, join_code: newJoinCode(), created_at: now.toISOString() })
        .execute();
      await trx
        .insertInto('class_lessons')
        .values(input.lessons.map((lesson, position) => ({ class_id: id, lesson, position })))
        .execute();
    });
    return (await this.get(id))!;
  }

  async get(id: string): Promise<ClassInfo | undefined> {
    return (await this.query((q) => q.where('classes.id', '=', id)))[0];
  }

  /** The classes an account teaches; an admin's list holds every class. */
  async taughtBy(account: Account): Promise<ClassInfo[]> {
    if (account.role === 'learner') return [];
    return this.query((q) => (account.role === 'admin' ? q : q.where('classes.instructor_id', '=', account.id)));
  }

  /** The classes an account has joined, with when it joined. */
  async joinedBy(userId: string): Promise<Array<ClassInfo & { readonly joinedAt: string }>> {
    const joined = await this.db.selectFrom('class_members').select(['class_id', 'joined_at']).where('user_id', '=', userId).execute();
    if (joined.length === 0) return [];
    const infos = await this.query((q) =>
      q.where(
        'classes.id',
        'in',
        joined.map((j) => j.class_id),
      ),
    );
    return infos.map((info) => ({ ...info, joinedAt: joined.find((j) => j.class_id === info.id)!.joined_at }));
  }

  /** Joins the class with this code; joining again changes nothing. */
  async join(code: string, account: Account, now = new Date()): Promise<{ info: ClassInfo; alreadyMember: boolean }> {
    const normalized = normalizeJoinCode(code);
    const row = normalized ? await this.db.selectFrom('classes').select('id').where('join_code', '=', normalized).executeTakeFirst() : undefined;
    if (!row) throw new JoinError(`no class has the code '${code.trim()}'. Fix: check the code with your instructor (8 letters and digits, like ABCD-EF23)`, 'bad-code');
    const info = (await this.get(row.id))!;
    if (info.instructor.id === account.id) throw new JoinError(`you teach '${info.name}'; learners join it with this code`, 'own-class');
    const inserted = await this.db
      .insertInto('class_members')
      .values({ class_id: info.id, user_id: account.id, joined_at: now.toISOString() })
      .onConflict((oc) => oc.columns(['class_id', 'user_id']).doNothing())
      .executeTakeFirst();
    const alreadyMember = Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0;
    return { info: alreadyMember ? info : { ...info, members: info.members + 1 }, alreadyMember };
  }

  async members(classId: string): Promise<ClassMember[]> {
    const rows = await this.db
      .selectFrom('class_members')
      .innerJoin('users', 'users.id', 'class_members.user_id')
      .select(['users.id', 'users.name', 'users.email', 'users.learner', 'class_members.joined_at'])
      .where('class_members.class_id', '=', classId)
      .orderBy('users.name')
      .orderBy('users.email')
      .execute();
    return rows.map((r) => ({ userId: r.id, name: r.name, email: r.email, learner: r.learner, joinedAt: r.joined_at }));
  }

  /** Removes a learner from the class, and their recordings in it; returns false if they were not in it. */
  async removeMember(classId: string, userId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.deleteFrom('class_members').where('class_id', '=', classId).where('user_id', '=', userId).executeTakeFirst();
      // Their chunks go by cascade.
      await trx.deleteFrom('recordings').where('class_id', '=', classId).where('user_id', '=', userId).execute();
      return Number(result.numDeletedRows) > 0;
    });
  }

  /** A new join code; the old one stops working. */
  async rotateCode(classId: string): Promise<string> {
    const code = newJoinCode();
    await this.db.updateTable('classes').set({ join_code: code }).where('id', '=', classId).execute();
    return code;
  }

  private async query(filter: (q: ReturnType<ClassStore['base']>) => ReturnType<ClassStore['base']>): Promise<ClassInfo[]> {
    const rows = await filter(this.base()).orderBy('classes.created_at', 'desc').execute();
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const lessons = await this.db.selectFrom('class_lessons').selectAll().where('class_id', 'in', ids).orderBy('position').execute();
    const counts = await this.db
      .selectFrom('class_members')
      .select(['class_id', (eb) => eb.fn.countAll<number | string>().as('members')])
      .where('class_id', 'in', ids)
      .groupBy('class_id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      instructor: { id: r.instructor_id, name: r.instructor_name, email: r.instructor_email },
      deadline: r.deadline,
      joinCode: r.join_code,
      lessons: lessons.filter((l) => l.class_id === r.id).map((l) => l.lesson),
      createdAt: r.created_at,
      members: Number(counts.find((c) => c.class_id === r.id)?.members ?? 0),
      recording: r.recording === 1,
    }));
  }

  private base() {
    return this.db
      .selectFrom('classes')
      .innerJoin('users', 'users.id', 'classes.instructor_id')
      .selectAll('classes')
      .select(['users.name as instructor_name', 'users.email as instructor_email']);
  }
}
