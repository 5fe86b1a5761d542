import { afterEach, beforeEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCode, ServerMessage, TERMINAL_PATH } from '../terminal/protocol.ts';
import type { AccountServices } from './api.ts';
import { startApiServer, type ApiServer } from './testing.ts';

/**
 * Resetting a learner's machine: the learner their own, an instructor of a class the
 * learner is in (or an admin) theirs, nobody else. Over HTTP and the real terminal door,
 * with a local bash per learner whose $MACHINE names the machine it stands for (a reset
 * gives a new one; real machines are the e2e suite's, tests/e2e/reset.spec.ts).
 */
let api: ApiServer;
let base: string;
let services: AccountServices;

beforeEach(async () => {
  api = await startApiServer({ signUpsPerAddress: 50, trustedProxies: [] });
  ({ base, services } = api);
});

afterEach(() => api.close());

/** A browser: keeps its cookies and sends this site's Origin unless told otherwise. */
class Browser {
  private readonly cookies = new Map<string, string>();

  async fetch(method: 'GET' | 'POST', path: string, { body = {}, origin = `http://${base}` }: { body?: unknown; origin?: string } = {}) {
    const response = await fetch(`http://${base}${path}`, {
      method,
      headers: { origin, cookie: this.cookieHeader(), ...(method === 'POST' && { 'content-type': 'application/json' }) },
      body: method === 'POST' ? JSON.stringify(body) : undefined,
    });
    for (const set of response.headers.getSetCookie()) {
      const pair = set.split(';')[0]!;
      this.cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    return { status: response.status, json: (await response.json().catch(() => ({}))) as Record<string, unknown>, headers: response.headers };
  }

  get = (path: string) => this.fetch('GET', path);
  post = (path: string, body?: unknown) => this.fetch('POST', path, { body });

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

const password = 'a long enough password';

async function signedUp(name: string, role?: 'instructor' | 'admin'): Promise<Browser> {
  const browser = new Browser();
  expect((await browser.post('/api/auth/signup', { email: `${name}@example.org`, name, password })).status).toBe(201);
  if (role) await services.accounts.setRole((await services.accounts.byEmail(`${name}@example.org`))!.id, role);
  return browser;
}

/** An open terminal: what its shell says $MACHINE is, the messages it got, and its close code once closed. */
async function openTerminal(browser: Browser): Promise<{ machine: string; messages: ServerMessage[]; closed: Promise<number> }> {
  const ws = new WebSocket(`ws://${base}${TERMINAL_PATH}/main`, { headers: { cookie: browser.cookieHeader(), origin: `http://${base}` } });
  const messages: ServerMessage[] = [];
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  const machine = await new Promise<string>((resolve, reject) => {
    let output = '';
    ws.on('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.on('open', () => ws.send(JSON.stringify({ t: 'hello', lastSeq: 0, cols: 80, rows: 24 })));
    ws.on('message', (raw) => {
      const message = ServerMessage.parse(JSON.parse(String(raw)));
      messages.push(message);
      if (message.t === 'ready') ws.send(JSON.stringify({ t: 'input', data: 'echo "machine=$MACHINE."\n' }));
      if (message.t === 'output') output += message.data;
      const found = /machine=([\w-]+)\./.exec(output);
      if (found) resolve(found[1]!);
    });
  });
  return { machine, messages, closed };
}

it('a learner resets their own machine: their open terminal is told, and reconnects to a fresh one', async () => {
  const ann = await signedUp('ann');
  const none = await ann.post('/api/machine/reset');
  expect([none.status, none.json.error]).toEqual([409, 'you have no machine to reset: open a terminal to get one']);

  const terminal = await openTerminal(ann);
  expect(terminal.machine).toBe('local-1');
  expect((await ann.fetch('POST', '/api/machine/reset', { origin: 'http://evil.example' })).status).toBe(403);
  const reset = await ann.post('/api/machine/reset');
  expect(reset.status).toBe(200);
  expect(reset.json.machine).toMatchObject({ state: 'running', lastReset: { at: expect.any(String) } });
  expect(await terminal.closed).toBe(CloseCode.machineReset);
  expect(terminal.messages.at(-1)).toEqual({ t: 'machine-reset', message: 'You reset your machine: this terminal is now on a fresh machine. Your recorded results are kept.' });
  expect((await openTerminal(ann)).machine).toBe('local-2');
  expect(((await ann.get('/api/machine')).json.machine as { lastReset: object }).lastReset).not.toHaveProperty('instructor');
});

it('a reset is a machine start: three in ten minutes, then a wait', async () => {
  const ann = await signedUp('ann');
  await openTerminal(ann);
  for (let i = 0; i < 3; i++) expect((await ann.post('/api/machine/reset')).status).toBe(200);
  const refused = await ann.post('/api/machine/reset');
  expect(refused.status).toBe(429);
  expect(refused.json.error).toBe('your machine was reset several times in the last minutes; each reset starts a machine, so try again in 10 minutes');
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(500);
});

it("only an instructor of a class the learner is in, or an admin, resets the learner's machine; the learner is told who", async () => {
  const teacher = await signedUp('teacher', 'instructor');
  const other = await signedUp('other', 'instructor');
  const admin = await signedUp('root', 'admin');
  const ann = await signedUp('ann');
  const bob = await signedUp('bob');
  const info = await services.classes.create((await services.accounts.byEmail('teacher@example.org'))!, { name: 'Containers 101', lessons: ['client-and-daemon'], deadline: '2030-12-01T17:00:00.000Z' });
  const annAccount = (await services.accounts.byEmail('ann@example.org'))!;
  const bobAccount = (await services.accounts.byEmail('bob@example.org'))!;
  await services.classes.join(info.joinCode, annAccount);
  const reset = (userId: string, classId = info.id) => `/api/classes/${classId}/learners/${userId}/reset`;

  const noMachine = await teacher.post(reset(annAccount.id));
  expect([noMachine.status, noMachine.json.error]).toEqual([409, 'this learner has no machine to reset: they get a fresh one when they open a terminal']);
  const terminal = await openTerminal(ann);
  await openTerminal(bob);

  expect((await new Browser().post(reset(annAccount.id))).status).toBe(401);
  for (const outsider of [other, ann, bob]) expect((await outsider.post(reset(annAccount.id))).status).toBe(403);
  // Bob is in none of the teacher's classes: no class of theirs reaches his machine.
  expect((await teacher.post(reset(bobAccount.id))).status).toBe(404);
  expect((await teacher.post(reset('nobody'))).status).toBe(404);
  expect((await teacher.post(reset(annAccount.id, 'nope'))).status).toBe(404);
  expect((await teacher.fetch('POST', reset(annAccount.id), { origin: 'http://evil.example' })).status).toBe(403);
  expect(terminal.messages.some((m) => m.t === 'machine-reset')).toBe(false);

  const done = await teacher.post(reset(annAccount.id));
  expect(done.status).toBe(200);
  expect(done.json.report).toMatchObject({ learner: { name: 'ann' } });
  expect(await terminal.closed).toBe(CloseCode.machineReset);
  expect(terminal.messages.at(-1)).toMatchObject({ t: 'machine-reset', message: 'Your instructor teacher reset your machine: this terminal is now on a fresh machine. Your recorded results are kept.' });
  expect((await openTerminal(ann)).machine).toBe('local-3');
  expect(((await ann.get('/api/machine')).json.machine as { lastReset: object }).lastReset).toMatchObject({ instructor: 'teacher' });

  // An admin may too; a learner removed from the class is out of the instructor's reach.
  expect((await admin.post(reset(annAccount.id))).status).toBe(200);
  await services.classes.removeMember(info.id, annAccount.id);
  expect((await teacher.post(reset(annAccount.id))).status).toBe(404);
});
