import { createHash, randomBytes } from 'node:crypto';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { Db } from '../db/index.ts';
import { toAccount, type Account } from './accounts.ts';

/**
 * Signed-in sessions, kept in the database: the browser holds a random token in an
 * http-only cookie, the database only its sha256. Deleting the row signs the browser
 * out everywhere the token is used, at once (sign-out, revocation by an admin).
 */
export const ACCOUNT_COOKIE = 'unboxed_account';
/** @default 14 days */
const SESSION_SECONDS = 14 * 24 * 3600;

export interface AccountSession {
  readonly id: string;
  readonly account: Account;
}

export class AccountSessions {
  constructor(
    private readonly db: Db,
    private readonly options: { readonly secure: boolean; readonly lifetimeSeconds?: number },
  ) {}

  /** A new session for the account, and the Set-Cookie header that hands it over. */
  async start(account: Account, now = new Date()): Promise<{ id: string; setCookie: string }> {
    const token = randomBytes(32).toString('base64url');
    const lifetime = this.options.lifetimeSeconds ?? SESSION_SECONDS;
    const id = digest(token);
    await this.db
      .insertInto('sessions')
      .values({ id, user_id: account.id, created_at: now.toISOString(), expires_at: new Date(now.getTime() + lifetime * 1000).toISOString() })
      .execute();
    return { id, setCookie: this.cookie(token, lifetime) };
  }

  /** The live session named by the Cookie header, if any. */
  async read(cookieHeader: string | undefined, now = new Date()): Promise<AccountSession | undefined> {
    const token = cookieHeader ? parseCookie(cookieHeader)[ACCOUNT_COOKIE] : undefined;
    if (!token || token.length > 100) return undefined;
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('users')
      .select(['sessions.id as session_id', 'sessions.expires_at'])
      .where('sessions.id', '=', digest(token))
      .executeTakeFirst();
    if (!row) return undefined;
    if (row.expires_at <= now.toISOString()) {
      await this.end(row.session_id);
      return undefined;
    }
    return { id: row.session_id, account: toAccount(row) };
  }

  async end(sessionId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', sessionId).execute();
  }

  /** Signs the account out everywhere; returns how many sessions ended. */
  async revokeAll(userId: string): Promise<number> {
    const result = await this.db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** The Set-Cookie header that removes the session cookie from the browser. */
  clearCookie(): string {
    return this.cookie('', 0);
  }

  private cookie(value: string, maxAge: number): string {
    return stringifySetCookie(ACCOUNT_COOKIE, value, { path: '/', httpOnly: true, sameSite: 'lax', secure: this.options.secure, maxAge });
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
