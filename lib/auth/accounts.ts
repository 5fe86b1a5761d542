import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/index.ts';
import type { UsersTable } from '../db/schema.ts';
import { decoyHash, hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, verifyPassword } from './password.ts';
import { Role } from './views.ts';

export { Role };

export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: 'is not an email address' }).max(254));
export const Password = z
  .string()
  .min(PASSWORD_MIN_LENGTH, { error: `must be at least ${PASSWORD_MIN_LENGTH} characters` })
  .max(PASSWORD_MAX_LENGTH, { error: `must be at most ${PASSWORD_MAX_LENGTH} characters` });
export const DisplayName = z
  .string()
  .trim()
  .min(1, { error: 'is empty' })
  .max(80, { error: 'must be at most 80 characters' })
  .regex(/^[^\p{C}]*$/u, { error: 'must not contain control characters' });

const NewAccount = z.object({ email: Email, name: DisplayName, password: Password });

/** A local account, as the rest of the app sees it (never its password hash). */
export interface Account {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  /** The learner id the account's machine and check results are filed under. */
  readonly learner: string;
  readonly createdAt: string;
}

export class EmailTakenError extends Error {
  override readonly name = 'EmailTakenError';
  constructor(email: string) {
    super(`an account with the email ${email} already exists`);
  }
}

/** Random ids for accounts and learners: 144 bits, URL- and label-safe. */
export function newId(): string {
  return randomBytes(18).toString('base64url');
}

/** Accounts: creation, password sign-in, roles. */
export class Accounts {
  constructor(private readonly db: Db) {}

  /**
   * A new account. `learner` files it under an existing learner id (an anonymous
   * learner signing up keeps their machine and results); otherwise it gets a new one.
   */
  async create(input: { email: string; name: string; password: string; role: Role; learner?: string }): Promise<Account> {
    const { email, name, password } = NewAccount.parse({ email: input.email, name: input.name, password: input.password });
    const row: UsersTable = {
      id: newId(),
      email,
      name,
      password_hash: await hashPassword(password),
      role: input.role,
      learner: input.learner ?? newId(),
      created_at: new Date().toISOString(),
    };
    const inserted = await this.db
      .insertInto('users')
      .values(row)
      .onConflict((oc) => oc.column('email').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) throw new EmailTakenError(email);
    return toAccount(row);
  }

  /** The account whose email and password these are; the same time either way. */
  async authenticate(email: string, password: string): Promise<Account | undefined> {
    const parsed = Email.safeParse(email);
    const row = parsed.success ? await this.db.selectFrom('users').selectAll().where('email', '=', parsed.data).executeTakeFirst() : undefined;
    const matches = await verifyPassword(password, row?.password_hash ?? (await decoyHash));
    return row && matches ? toAccount(row) : undefined;
  }

  async byId(id: string): Promise<Account | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toAccount(row);
  }

  async byEmail(email: string): Promise<Account | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', Email.parse(email)).executeTakeFirst();
    return row && toAccount(row);
  }

  /** The account a learner id belongs to, if any (anonymous learners have none). */
  async byLearner(learner: string): Promise<Account | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('learner', '=', learner).executeTakeFirst();
    return row && toAccount(row);
  }

  async list(): Promise<Account[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('created_at').orderBy('email').execute();
    return rows.map(toAccount);
  }

  /** Returns false when there is no such account. */
  async setRole(id: string, role: Role): Promise<boolean> {
    const result = await this.db.updateTable('users').set({ role }).where('id', '=', id).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}

export function toAccount(row: UsersTable): Account {
  return { id: row.id, email: row.email, name: row.name, role: row.role, learner: row.learner, createdAt: row.created_at };
}
