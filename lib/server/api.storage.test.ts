import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { ResultStore } from '../checks/store.ts';
import { LessonValidationError } from '../lessons/problems.ts';
import { TERMINAL_PATH } from '../terminal/protocol.ts';
import type { AccountServices } from './api.ts';
import { startApiServer, type ApiServer } from './testing.ts';

/**
 * The API over HTTP with a real database (SQLite, or PostgreSQL under
 * npm run test:postgres), real accounts and classes, and the real terminal door with a
 * local bash per learner (the machine-backed path is the e2e suite's): who may do what.
 */
let api: ApiServer;
let base: string;
let services: AccountServices;
let results: ResultStore;
/** Content problems the course has now (an author's edit under npm run dev); none by default. */
let courseProblems: LessonValidationError | undefined;

const lessons = [
  { slug: 'client-and-daemon', title: 'Client and daemon', exercises: [{ id: 'create-through-api', title: 'Create' }, { id: 'start-through-api', title: 'Start' }] },
  { slug: 'containers-are-files', title: 'Files', exercises: [{ id: 'find-bundle', title: 'Bundle' }] },
];

beforeEach(async () => {
  courseProblems = undefined;
  // The test server sits behind a proxy on loopback: each browser's address comes in X-Forwarded-For.
  api = await startApiServer({
    signUpsPerAddress: 3,
    trustedProxies: ['127.0.0.1'],
    lessons: async () => {
      if (courseProblems) throw courseProblems;
      return lessons;
    },
  });
  ({ base, services, results } = api);
});

afterEach(() => api.close());

let browsers = 0;

/** A browser: keeps its cookies, sends this site's Origin unless told otherwise, from an address of its own. */
class Browser {
  readonly cookies = new Map<string, string>();

  constructor(readonly address = `198.18.0.${++browsers % 250}`) {}

  async fetch(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown>; text: string; headers: Headers }> {
    const response = await fetch(`http://${base}${path}`, {
      method,
      headers: {
        origin: `http://${base}`,
        cookie: this.cookieHeader(),
        'x-forwarded-for': this.address,
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    for (const set of response.headers.getSetCookie()) {
      const [pair] = set.split(';');
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
      if (value === '' || /Max-Age=0/i.test(set)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // A download, not JSON.
    }
    return { status: response.status, json, text, headers: response.headers };
  }

  get = (path: string) => this.fetch('GET', path);
  post = (path: string, body?: unknown) => this.fetch('POST', path, body ?? {});

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** The learner id the server filed this browser under (what GET /api/progress reads). */
  async learner(): Promise<string> {
    await this.get('/api/me');
    return (await services.identities.resolve(this.cookieHeader(), readSigned(this.cookies.get('unboxed_session')!))).learner;
  }
}

function readSigned(value: string): string {
  return value.slice(0, value.lastIndexOf('.'));
}

const password = 'a long enough password';

async function signedUp(name: string): Promise<Browser> {
  const browser = new Browser();
  expect((await browser.post('/api/auth/signup', { email: `${name}@example.org`, name, password })).status).toBe(201);
  return browser;
}

async function instructor(name: string): Promise<Browser> {
  const browser = await signedUp(name);
  const account = (await services.accounts.byEmail(`${name}@example.org`))!;
  await services.accounts.setRole(account.id, 'instructor');
  return browser;
}

it('signs up, in and out with server-side sessions, with clear errors for bad input', async () => {
  const ann = new Browser();
  expect((await ann.get('/api/me')).json).toEqual({ account: null });
  const bad = await ann.post('/api/auth/signup', { email: 'not-an-email', name: '', password: 'short' });
  expect(bad.status).toBe(422);
  expect(bad.json.error).toBe('email: is not an email address; name: is empty; password: must be at least 10 characters');
  expect((await ann.fetch('POST', '/api/auth/signup', 'email=x', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
  expect((await ann.fetch('POST', '/api/auth/signup', '{"email":', { 'content-type': 'application/json' })).json.error).toBe('the body is not valid JSON');

  const created = await ann.post('/api/auth/signup', { email: 'Ann@Example.org', name: 'Ann', password });
  expect(created.status).toBe(201);
  expect(created.json.account).toMatchObject({ email: 'ann@example.org', name: 'Ann', role: 'learner' });
  expect(created.headers.getSetCookie().find((c) => c.startsWith('unboxed_account='))).toContain('HttpOnly');
  expect((await ann.get('/api/me')).json.account).toMatchObject({ email: 'ann@example.org' });
  expect((await new Browser().post('/api/auth/signup', { email: 'ann@example.org', name: 'Again', password })).json.error).toBe(
    'an account with the email ann@example.org already exists; sign in instead',
  );

  const stolen = new Map(ann.cookies);
  expect((await ann.post('/api/auth/signout')).status).toBe(200);
  expect((await ann.get('/api/me')).json.account).toBeNull();
  // The session is gone from the server: a copy of the old cookies signs nobody in.
  const thief = new Browser();
  stolen.forEach((v, k) => thief.cookies.set(k, v));
  expect((await thief.get('/api/me')).json.account).toBeNull();

  expect((await ann.post('/api/auth/signin', { email: 'ann@example.org', password: 'wrong password' })).status).toBe(401);
  expect((await ann.post('/api/auth/signin', { email: 'ANN@example.org', password })).json.account).toMatchObject({ name: 'Ann' });
  expect((await ann.get('/api/me')).json.account).toMatchObject({ name: 'Ann' });
});

it('refuses state-changing requests from other sites', async () => {
  const browser = new Browser();
  const crossSite = await browser.fetch('POST', '/api/auth/signup', { email: 'x@example.org', name: 'X', password }, { origin: 'http://evil.example' });
  expect(crossSite.status).toBe(403);
  expect(await services.accounts.byEmail('x@example.org')).toBeUndefined();
});

it("slows down password guessing on an account with a growing wait, and lets its owner in after it (never a 15-minute lockout)", async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    await signedUp('ann');
    const guesser = new Browser('203.0.113.9');
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) {
      const guess = () => guesser.post('/api/auth/signin', { email: 'ann@example.org', password: `guess ${i} guess` });
      let answer = await guess();
      if (answer.status === 429) {
        waits.push(Number(answer.headers.get('retry-after')));
        vi.setSystemTime(Date.now() + waits.at(-1)! * 1000);
        answer = await guess();
      }
      expect(answer.status).toBe(401);
    }
    // The owner, elsewhere, waits out the last delay only; the right password then signs in.
    const owner = new Browser('198.51.100.7');
    const early = await owner.post('/api/auth/signin', { email: 'Ann@example.org', password });
    expect(early.status).toBe(429);
    expect(early.json.error).toBe('too many wrong passwords for this email; try again in 32 seconds');
    expect(early.headers.get('retry-after')).toBe('32');
    vi.setSystemTime(Date.now() + 32_000);
    expect((await owner.post('/api/auth/signin', { email: 'ann@example.org', password })).status).toBe(200);
    expect(waits).toEqual([1, 2, 4, 8, 16]);
  } finally {
    vi.useRealTimers();
  }
});

it("limits failed sign-ins per client address, the real one behind a trusted proxy, so other users are not held up", async () => {
  await signedUp('ann');
  const script = new Browser('203.0.113.9');
  for (let i = 0; i < 50; i++) expect((await script.post('/api/auth/signin', { email: `nobody${i}@example.org`, password })).status).toBe(401);
  expect((await new Browser('198.51.100.7').post('/api/auth/signin', { email: 'ann@example.org', password })).status).toBe(200);
  const blocked = await script.post('/api/auth/signin', { email: 'ann@example.org', password });
  expect(blocked.status).toBe(429);
  expect(blocked.json.error).toBe('too many failed sign-ins from your address; try again in 15 minutes');
  expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(800);
});

it('limits sign-ups per client address', async () => {
  for (const name of ['a1', 'a2', 'a3']) expect((await new Browser('203.0.113.9').post('/api/auth/signup', { email: `${name}@example.org`, name, password })).status).toBe(201);
  const refused = await new Browser('203.0.113.9').post('/api/auth/signup', { email: 'a4@example.org', name: 'a4', password });
  expect(refused.status).toBe(429);
  expect(refused.json.error).toBe('too many accounts were created from your address; try again in 60 minutes');
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3500);
  expect(await services.accounts.byEmail('a4@example.org')).toBeUndefined();
  expect((await new Browser('198.51.100.7').post('/api/auth/signup', { email: 'a4@example.org', name: 'a4', password })).status).toBe(201);
});

it('opens the live-results stream at once: the status, headers and a retry hint arrive before any result exists', async () => {
  const browser = new Browser();
  await browser.get('/api/me');
  const response = await fetch(`http://${base}/api/lessons/client-and-daemon/events`, { headers: { cookie: browser.cookieHeader() }, signal: AbortSignal.timeout(3000) });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  expect(response.headers.get('x-accel-buffering')).toBe('no');
  const reader = response.body!.getReader();
  expect(new TextDecoder().decode((await reader.read()).value)).toMatch(/^retry: \d+\n/);
  await reader.cancel();
});

it('keeps what an anonymous learner did when they sign up, and merges it when they sign in', async () => {
  const visitor = new Browser();
  const anonymous = await visitor.learner();
  await results.record(anonymous, 'client-and-daemon', { exercise: 'create-through-api', status: 'passed', assertions: [], at: '2026-01-01T00:00:00.000Z' });
  await visitor.post('/api/auth/signup', { email: 'ann@example.org', name: 'Ann', password });
  expect(await visitor.learner()).toBe(anonymous);
  expect((await visitor.get('/api/progress')).json).toEqual({ passed: { 'client-and-daemon': 1 } });

  // Signed out, the browser is a new anonymous learner who sees none of it.
  await visitor.post('/api/auth/signout');
  const second = await visitor.learner();
  expect(second).not.toBe(anonymous);
  expect((await visitor.get('/api/progress')).json).toEqual({ passed: {} });
  await results.record(second, 'containers-are-files', { exercise: 'find-bundle', status: 'passed', assertions: [], at: '2026-01-01T00:00:00.000Z' });
  await visitor.post('/api/auth/signin', { email: 'ann@example.org', password });
  expect((await visitor.get('/api/progress')).json).toEqual({ passed: { 'client-and-daemon': 1, 'containers-are-files': 1 } });
});

it('classes: instructors create them, learners join with the code only, and nobody sees a class that is not theirs', async () => {
  const teacher = await instructor('teacher');
  const other = await instructor('other');
  const ann = await signedUp('ann');
  const bob = await signedUp('bob');

  expect((await ann.post('/api/classes', { name: 'Mine', lessons: ['client-and-daemon'], deadline: '2026-12-01T17:00:00Z' })).json.error).toBe(
    'this needs the role instructor or admin; you are signed in as a learner',
  );
  expect((await teacher.post('/api/classes', { name: 'C', lessons: ['no-such-lesson'], deadline: '2026-12-01T17:00:00Z' })).json.error).toBe(
    "lessons: the course has no lesson 'no-such-lesson'",
  );
  const created = await teacher.post('/api/classes', { name: 'Containers 101', lessons: ['client-and-daemon'], deadline: '2026-12-01T17:00:00Z' });
  expect(created.status).toBe(201);
  const info = created.json.class as { id: string; joinCode: string; joinPath: string };
  expect(info.joinCode).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  expect(info.joinPath).toBe(`/join/${info.joinCode}`);

  expect((await new Browser().post('/api/classes/join', { code: info.joinCode })).status).toBe(401);
  expect((await ann.post('/api/classes/join', { code: 'AAAA-AAAA' })).status).toBe(404);
  expect((await ann.post('/api/classes/join', {})).status).toBe(422);
  expect((await ann.post('/api/classes/join', { code: info.joinCode.toLowerCase() })).json).toMatchObject({ alreadyMember: false, class: { name: 'Containers 101' } });
  expect((await bob.post('/api/classes/join', { code: info.joinCode })).status).toBe(200);
  expect((await ann.get('/api/classes')).json).toMatchObject({ teaching: [], joined: [{ name: 'Containers 101', lessons: [{ slug: 'client-and-daemon', exercises: 2 }] }] });

  const annId = (await services.accounts.byEmail('ann@example.org'))!.id;
  const bobId = (await services.accounts.byEmail('bob@example.org'))!.id;
  const gradebook = `/api/classes/${info.id}/gradebook`;
  expect((await teacher.get(gradebook)).status).toBe(200);
  for (const outsider of [other, ann]) {
    expect((await outsider.get(gradebook)).status).toBe(403);
    expect((await outsider.get(`${gradebook}.csv`)).status).toBe(403);
    expect((await outsider.get(`/api/classes/${info.id}/learners/${annId}`)).status).toBe(403);
    expect((await outsider.fetch('DELETE', `/api/classes/${info.id}/members/${bobId}`)).status).toBe(403);
  }
  expect((await new Browser().get(gradebook)).status).toBe(401);
  expect((await other.get('/api/classes')).json.teaching).toEqual([]);
  expect((await teacher.get('/api/classes/nope/gradebook')).status).toBe(404);

  // A learner cannot read another learner's results: progress is always one's own.
  await results.record(await ann.learner(), 'client-and-daemon', { exercise: 'create-through-api', status: 'passed', assertions: [], at: '2026-11-30T00:00:00.000Z' });
  expect((await bob.get('/api/progress')).json).toEqual({ passed: {} });
  expect((await ann.get('/api/progress')).json).toEqual({ passed: { 'client-and-daemon': 1 } });

  const grid = (await teacher.get(gradebook)).json.gradebook as { learners: Array<{ name: string; cells: Array<{ status: string }> }> };
  expect(grid.learners.map((l) => [l.name, l.cells.map((c) => c.status)])).toEqual([
    ['ann', ['passed', 'not-started']],
    ['bob', ['not-started', 'not-started']],
  ]);
  const csv = await teacher.get(`${gradebook}.csv`);
  expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  expect(csv.headers.get('content-disposition')).toBe('attachment; filename="gradebook-containers-101.csv"');
  expect(csv.text.trimEnd().split('\r\n')).toHaveLength(1 + 2 * 2);

  const recheck = await teacher.post(`/api/classes/${info.id}/learners/${annId}/recheck`);
  expect(recheck.status).toBe(409);
  expect(recheck.json.error).toBe('ann has no machine running now, so there is nothing to check; the results shown are from their last session');

  expect((await teacher.fetch('DELETE', `/api/classes/${info.id}/members/${bobId}`)).json).toEqual({ removed: { userId: bobId, name: 'bob' } });
  expect(((await teacher.get(gradebook)).json.gradebook as { learners: unknown[] }).learners).toHaveLength(1);
  expect((await teacher.get(`/api/classes/${info.id}/learners/${bobId}`)).status).toBe(404);
});

it("class sessions: only the class's instructor or an admin announces, lists and removes them", async () => {
  const teacher = await instructor('teacher');
  const other = await instructor('other');
  const ann = await signedUp('ann');
  const admin = await signedUp('admin');
  await services.accounts.setRole((await services.accounts.byEmail('admin@example.org'))!.id, 'admin');
  const info = (await teacher.post('/api/classes', { name: 'Containers 101', lessons: ['client-and-daemon'], deadline: '2030-12-01T17:00:00Z' })).json.class as { id: string };
  const path = `/api/classes/${info.id}/sessions`;
  const startsAt = new Date(Date.now() + 2 * 60 * 60_000).toISOString();

  const created = await teacher.post(path, { startsAt, expectedLearners: 20 });
  expect(created.status).toBe(201);
  const session = created.json.session as { id: string };
  expect(session).toEqual({ id: expect.any(String), startsAt, expectedLearners: 20 });
  expect((await teacher.get(path)).json).toEqual({ sessions: [session] });
  expect(await services.classSessions.expectedLearners(new Date(startsAt))).toBe(20);

  for (const outsider of [other, ann]) {
    expect((await outsider.get(path)).status).toBe(403);
    expect((await outsider.post(path, { startsAt, expectedLearners: 5 })).status).toBe(403);
    expect((await outsider.fetch('DELETE', `${path}/${session.id}`)).status).toBe(403);
  }
  expect((await new Browser().get(path)).status).toBe(401);
  expect((await new Browser().post(path, { startsAt, expectedLearners: 5 })).status).toBe(401);
  expect((await teacher.get('/api/classes/nope/sessions')).status).toBe(404);

  const bad = await teacher.post(path, { startsAt: 'tomorrow', expectedLearners: 0 });
  expect(bad.status).toBe(422);
  expect(bad.json.error).toBe('startsAt: must be a date and time with its zone, such as 2026-12-01T09:00:00Z; expectedLearners: must be at least 1. Fix: count the learners you expect');
  expect((await teacher.post(path, { startsAt: '2020-01-01T09:00:00Z', expectedLearners: 5 })).json.error).toBe(
    'startsAt: is more than an hour ago. Fix: give the start of a session still to come',
  );
  expect((await teacher.post(path, { startsAt, expectedLearners: 501 })).json.error).toMatch(/^expectedLearners: must be at most 500/);
  expect((await teacher.post(path, {})).status).toBe(422);

  const byAdmin = await admin.post(path, { startsAt, expectedLearners: 4 });
  expect(byAdmin.status).toBe(201);
  expect(await services.classSessions.expectedLearners(new Date(startsAt))).toBe(24);
  const removed = await admin.fetch('DELETE', `${path}/${session.id}`);
  expect([removed.status, removed.text]).toEqual([204, '']);
  expect((await teacher.fetch('DELETE', `${path}/${session.id}`)).status).toBe(404);
  expect((await teacher.get(path)).json).toEqual({ sessions: [byAdmin.json.session] });
});

it('a check while the course content has problems answers them, each with its file and fix', async () => {
  courseProblems = new LessonValidationError([
    { file: 'content/01-client-and-daemon/lesson.mdx', field: 'difficulty', message: "unknown field 'difficulty'", fix: 'remove it' },
  ]);
  const check = await new Browser().post('/api/lessons/client-and-daemon/check');
  expect(check.status).toBe(503);
  expect(check.json.error).toBe("1 problem in the course content:\n  content/01-client-and-daemon/lesson.mdx: difficulty: unknown field 'difficulty'. Fix: remove it");
});

it('admins list accounts, change roles and sign accounts out everywhere', async () => {
  const admin = await signedUp('admin');
  await services.accounts.setRole((await services.accounts.byEmail('admin@example.org'))!.id, 'admin');
  const ann = await signedUp('ann');
  const annId = (await services.accounts.byEmail('ann@example.org'))!.id;
  expect((await ann.get('/api/admin/users')).status).toBe(403);
  const users = (await admin.get('/api/admin/users')).json.users as Array<{ email: string }>;
  expect(users.map((u) => u.email)).toEqual(['admin@example.org', 'ann@example.org']);
  expect((await admin.post(`/api/admin/users/${annId}/role`, { role: 'teacher' })).status).toBe(422);
  expect((await admin.post(`/api/admin/users/${annId}/role`, { role: 'instructor' })).json.user).toMatchObject({ role: 'instructor' });
  expect((await ann.get('/api/me')).json.account).toMatchObject({ role: 'instructor' });
  expect((await admin.post(`/api/admin/users/${annId}/revoke`)).json).toEqual({ revoked: 1 });
  expect((await ann.get('/api/me')).json.account).toBeNull();
});

/** Opens a terminal with these cookies; resolves with what `echo $OWNER` prints, or the refusal's status. */
function terminalOwner(cookie: string): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://${base}${TERMINAL_PATH}/main`, { headers: { cookie, origin: `http://${base}` } });
    let output = '';
    ws.on('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
    ws.on('open', () => ws.send(JSON.stringify({ t: 'hello', lastSeq: 0, cols: 80, rows: 24 })));
    ws.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as { t: string; data?: string };
      if (message.t === 'ready') ws.send(JSON.stringify({ t: 'input', data: 'echo "owner=$OWNER."\n' }));
      if (message.t === 'output') output += message.data;
      const owner = /owner=([\w-]+)\./.exec(output);
      if (owner) {
        ws.close();
        resolve(owner[1]!);
      }
    });
  });
}

it("a learner's terminal is their own: another learner's cookies reach their own shell, an old learner cookie none", async () => {
  const ann = await signedUp('ann');
  const bob = await signedUp('bob');
  const annLearner = await ann.learner();
  expect(await terminalOwner(ann.cookieHeader())).toBe(annLearner);
  expect(await terminalOwner(bob.cookieHeader())).toBe(await bob.learner());

  // Ann's learner cookie without her session (copied, or kept after signing out) opens nothing.
  const learnerCookieOnly = `unboxed_session=${ann.cookies.get('unboxed_session')}`;
  expect(await terminalOwner(learnerCookieOnly)).toBe('refused 401');
  // Nor with Bob's session: the learner cookie must be the signed-in account's own.
  expect(await terminalOwner(`${learnerCookieOnly}; unboxed_account=${bob.cookies.get('unboxed_account')}`)).toBe('refused 401');
  const before = ann.cookieHeader();
  await ann.post('/api/auth/signout');
  expect(await terminalOwner(before)).toBe('refused 401');
  expect(await terminalOwner('unboxed_session=forged.signature')).toBe('refused 401');
});
