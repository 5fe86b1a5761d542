import { createHash, randomBytes } from 'node:crypto';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { Db } from '../db/index.ts';
import { toAccount, type Account } from './accounts.ts';

/**
 * Signed-in sessions, kept in the database: the browser holds a random token in an
 * http-only cookie, the database only its sha256. Deleting the row signs the browser
 * out everywhere the token is used, at once (sign-out, revocation by an admin), and
 * closes the connections the session opened (`hold`).
 */
export const ACCOUNT_COOKIE = 'unboxed_account';
/** @default 14 days */
const SESSION_SECONDS = 14 * 24 * 3600;

export interface AccountSession {
  readonly id: string;
  readonly account: Account;
}

export class AccountSessions {
  /** Closers of the open connections (terminals, event streams) of each session, by session id. */
  private readonly held = new Map<string, { readonly userId: string; readonly closers: Set<() => void> }>();

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
    this.closeHeld(sessionId);
  }

  /** Signs the account out everywhere; returns how many sessions ended. */
  async revokeAll(userId: string): Promise<number> {
    const result = await this.db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
    for (const [id, entry] of this.held) if (entry.userId === userId) this.closeHeld(id);
    return Number(result.numDeletedRows);
  }

  /**
   * Ties an open connection to the session that let it in: `close` runs when the session
   * ends. Checking the session only when a terminal opens would leave it running commands
   * after sign-out. Returns the function that unties it, for a connection that ends first.
   */
  hold(session: AccountSession, close: () => void): () => void {
    const entry = this.held.get(session.id) ?? { userId: session.account.id, closers: new Set<() => void>() };
    this.held.set(session.id, entry);
    entry.closers.add(close);
    const release = () => {
      entry.closers.delete(close);
      if (entry.closers.size === 0 && this.held.get(session.id) === entry) this.held.delete(session.id);
    };
    // The session may have ended after it was read and before this: nothing would close the connection then.
    const stillLive = this.db.selectFrom('sessions').select('id').where('id', '=', session.id).executeTakeFirst();
    void stillLive.then(
      (row) => row || this.closeHeld(session.id),
      () => this.closeHeld(session.id),
    );
    return release;
  }

  private closeHeld(sessionId: string): void {
    const entry = this.held.get(sessionId);
    this.held.delete(sessionId);
    for (const close of [...(entry?.closers ?? [])]) close();
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
