import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../db/testing.ts';
import { AccountSessions } from './account-sessions.ts';
import { Accounts, EmailTakenError } from './accounts.ts';
import { Identities } from './identity.ts';
import { SessionSigner } from './session.ts';

let test: TestDatabase;

beforeEach(async () => {
  test = await openTestDatabase();
});

afterEach(async () => {
  await test.remove();
});

const password = 'a long enough password';

function cookieHeader(...setCookies: string[]): string {
  return setCookies.map((c) => c.split(';')[0]).join('; ');
}

it('creates accounts with a unique, lower-cased email and signs in only with the right password', async () => {
  const accounts = new Accounts(test.db);
  const ann = await accounts.create({ email: ' Ann@Example.org ', name: 'Ann', password, role: 'learner' });
  expect(ann).toMatchObject({ email: 'ann@example.org', name: 'Ann', role: 'learner' });
  await expect(accounts.create({ email: 'ANN@example.org', name: 'Other Ann', password, role: 'admin' })).rejects.toThrow(EmailTakenError);
  expect(await accounts.authenticate('ann@EXAMPLE.org', password)).toEqual(ann);
  expect(await accounts.authenticate('ann@example.org', password + '!')).toBeUndefined();
  expect(await accounts.authenticate('bob@example.org', password)).toBeUndefined();
  expect(await accounts.authenticate('not an email', password)).toBeUndefined();
  expect(await accounts.setRole(ann.id, 'instructor')).toBe(true);
  expect((await accounts.byLearner(ann.learner))?.role).toBe('instructor');
  expect(await accounts.setRole('nobody', 'admin')).toBe(false);
  await expect(accounts.create({ email: 'short@example.org', name: 'Short', password: 'short', role: 'learner' })).rejects.toThrow('at least 10');
  const stored = await test.db.selectFrom('users').select('password_hash').where('id', '=', ann.id).executeTakeFirstOrThrow();
  expect(stored.password_hash).not.toContain(password);
});

it('keeps sessions server-side: the cookie reads back until sign-out, revocation or expiry', async () => {
  const accounts = new Accounts(test.db);
  const sessions = new AccountSessions(test.db, { secure: true });
  const ann = await accounts.create({ email: 'ann@example.org', name: 'Ann', password, role: 'learner' });
  const first = await sessions.start(ann);
  expect(first.setCookie).toMatch(/^unboxed_account=[\w-]{43}; Max-Age=1209600; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
  const stored = await test.db.selectFrom('sessions').select('id').execute();
  expect(stored.map((s) => s.id)).toEqual([first.id]);
  expect(first.setCookie).not.toContain(first.id);
  expect((await sessions.read(cookieHeader(first.setCookie)))?.account.id).toBe(ann.id);
  expect(await sessions.read('unboxed_account=forged-token')).toBeUndefined();

  await sessions.end(first.id);
  expect(await sessions.read(cookieHeader(first.setCookie))).toBeUndefined();

  const laptop = await sessions.start(ann);
  const phone = await sessions.start(ann);
  expect(await sessions.revokeAll(ann.id)).toBe(2);
  expect(await sessions.read(cookieHeader(laptop.setCookie))).toBeUndefined();
  expect(await sessions.read(cookieHeader(phone.setCookie))).toBeUndefined();

  const brief = await new AccountSessions(test.db, { secure: false, lifetimeSeconds: 60 }).start(ann, new Date('2026-01-01T00:00:00Z'));
  expect(await sessions.read(cookieHeader(brief.setCookie), new Date('2026-01-01T00:00:59Z'))).toBeDefined();
  expect(await sessions.read(cookieHeader(brief.setCookie), new Date('2026-01-01T00:01:00Z'))).toBeUndefined();
});

it("ties an account's learner id to its session: without one, the learner cookie no longer opens it", async () => {
  const accounts = new Accounts(test.db);
  const sessions = new AccountSessions(test.db, { secure: false });
  const signer = new SessionSigner(randomBytes(32));
  const identities = new Identities(signer, sessions, accounts, false);

  const anonymous = signer.issue({ secure: false });
  expect(await identities.resolve(cookieHeader(anonymous.setCookie), anonymous.id)).toEqual({ learner: anonymous.id, setCookies: [] });

  // Signing up keeps the anonymous learner id: same machine, same results.
  const ann = await accounts.create({ email: 'ann@example.org', name: 'Ann', password, role: 'learner', learner: anonymous.id });
  const session = await sessions.start(ann);
  const signedIn = await identities.resolve(cookieHeader(anonymous.setCookie, session.setCookie), anonymous.id);
  expect(signedIn).toMatchObject({ learner: ann.learner, account: { id: ann.id }, sessionId: session.id, setCookies: [] });

  // Another browser signing in gets its learner cookie pointed at the account's learner.
  const elsewhere = signer.issue({ secure: false });
  const moved = await identities.resolve(cookieHeader(elsewhere.setCookie, session.setCookie), elsewhere.id);
  expect(moved.learner).toBe(ann.learner);
  expect(signer.read(cookieHeader(moved.setCookies[0]!))).toBe(ann.learner);

  // Signed out, the old learner cookie becomes a fresh anonymous learner.
  await sessions.end(session.id);
  const after = await identities.resolve(cookieHeader(anonymous.setCookie), anonymous.id);
  expect(after.account).toBeUndefined();
  expect(after.learner).not.toBe(ann.learner);
  expect(signer.read(cookieHeader(after.setCookies[0]!))).toBe(after.learner);
});
