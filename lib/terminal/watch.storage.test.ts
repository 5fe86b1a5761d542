import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startApiServer, type ApiServer } from '../server/testing.ts';
import { ServerMessage, TERMINAL_PATH, WATCH_PATH, WatchServerMessage, type ClientMessage, type WatchClientMessage } from './protocol.ts';
import { Watches } from './watch.ts';

/**
 * Watching a learner over HTTP and WebSockets with a real database, real accounts and
 * classes, the real doors and a local bash per learner: who may watch, what a watcher
 * sees, and that typing needs the learner's yes.
 */
let api: ApiServer;
let base: string;

beforeEach(async () => {
  api = await startApiServer({ signUpsPerAddress: 50, trustedProxies: [], watchRecheckMs: 200, lessons: async () => [{ slug: 'client-and-daemon', title: 'Client and daemon', exercises: [{ id: 'a', title: 'A' }] }] });
  base = api.base;
});

afterEach(() => api.close());

/** A browser that keeps its cookies and sends this site's Origin. */
class Browser {
  readonly cookies = new Map<string, string>();

  async fetch(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await fetch(`http://${base}${path}`, {
      method,
      headers: { origin: `http://${base}`, cookie: this.cookie, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const set of response.headers.getSetCookie()) {
      const pair = set.split(';')[0]!;
      this.cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    const text = await response.text();
    return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  get cookie(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

async function account(name: string, role: 'learner' | 'instructor' | 'admin' = 'learner'): Promise<Browser & { userId: string }> {
  const browser = new Browser();
  const created = await browser.fetch('POST', '/api/auth/signup', { email: `${name}@example.org`, name, password: 'a long enough password' });
  expect(created.status).toBe(201);
  const found = (await api.services.accounts.byEmail(`${name}@example.org`))!;
  if (role !== 'learner') await api.services.accounts.setRole(found.id, role);
  // The learner cookie of the account, as a page load puts it right.
  await browser.fetch('GET', '/api/me');
  return Object.assign(browser, { userId: found.id });
}

async function classOf(teacher: Browser, ...learners: Browser[]): Promise<string> {
  const created = await teacher.fetch('POST', '/api/classes', { name: 'Containers 101', lessons: ['client-and-daemon'], deadline: '2030-12-01T17:00:00Z' });
  const info = created.json.class as { id: string; joinCode: string };
  for (const learner of learners) expect((await learner.fetch('POST', '/api/classes/join', { code: info.joinCode })).status).toBe(200);
  return info.id;
}

/** What the door answers an upgrade it refuses with. */
function refusal(path: string, cookie: string, origin = `http://${base}`): Promise<number> {
  const ws = new WebSocket(`ws://${base}${path}`, { headers: { cookie, origin } });
  return new Promise((resolve, reject) => {
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => {
      ws.close();
      reject(new Error(`the upgrade to ${path} was accepted`));
    });
  });
}

/** A socket that records what it is sent, parsed with `schema`. */
class Socket<Out, In extends { t: string }> {
  readonly messages: In[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<number>;

  constructor(path: string, cookie: string, parse: (value: unknown) => In) {
    this.ws = new WebSocket(`ws://${base}${path}`, { headers: { cookie, origin: `http://${base}` } });
    this.ws.on('message', (raw) => this.messages.push(parse(JSON.parse(String(raw)))));
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => this.ws.on('close', (code) => resolve(code)));
  }

  send(message: Out): void {
    this.ws.send(JSON.stringify(message));
  }

  of<T extends In['t']>(t: T): Array<Extract<In, { t: T }>> {
    return this.messages.filter((m): m is Extract<In, { t: T }> => m.t === t);
  }

  async until(done: () => boolean, what: string, ms = 10_000): Promise<void> {
    const end = Date.now() + ms;
    while (!done()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last messages: ${JSON.stringify(this.messages.slice(-5))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

class LearnerTerminal extends Socket<ClientMessage, ServerMessage> {
  private received = 0;

  constructor(name: string, cookie: string) {
    super(`${TERMINAL_PATH}/${name}`, cookie, (v) => ServerMessage.parse(v));
    // It renders at once: each output is acknowledged on arrival (lib/terminal/flow-control.ts).
    this.ws.on('message', () => {
      const last = this.messages.at(-1);
      if (last?.t === 'output') this.send({ t: 'ack', chars: (this.received += last.data.length) });
    });
  }

  async hello(): Promise<this> {
    await this.opened;
    this.send({ t: 'hello', lastSeq: 0, cols: 80, rows: 24 });
    await this.until(() => this.of('ready').length > 0, 'ready');
    return this;
  }

  get output(): string {
    return this.of('output')
      .map((m) => m.data)
      .join('');
  }

  get notice() {
    return this.of('watch').at(-1);
  }
}

class Watcher extends Socket<WatchClientMessage, WatchServerMessage> {
  constructor(classId: string, userId: string, cookie: string) {
    super(`${WATCH_PATH}/${classId}/${userId}`, cookie, (v) => WatchServerMessage.parse(v));
  }

  output(terminal: string): string {
    return this.of('output')
      .filter((m) => m.terminal === terminal)
      .map((m) => m.data)
      .join('');
  }

  get takeover() {
    return this.of('takeover').at(-1)?.state;
  }
}

it("lets only the class's instructor and admins watch its members, refused at the door", async () => {
  const [ann, bob, teacher, otherTeacher, admin, stranger] = await Promise.all([
    account('ann'),
    account('bob'),
    account('teacher', 'instructor'),
    account('other', 'instructor'),
    account('admin', 'admin'),
    account('stranger'),
  ]);
  const classId = await classOf(teacher, ann, bob);
  await classOf(otherTeacher, stranger);
  const watchAnn = `${WATCH_PATH}/${classId}/${ann.userId}`;

  expect(await refusal(watchAnn, '')).toBe(401);
  expect(await refusal(watchAnn, teacher.cookie, 'http://evil.example')).toBe(403);
  // Another class's instructor, a classmate, the learner themself: not instructors of this class.
  expect(await refusal(watchAnn, otherTeacher.cookie)).toBe(403);
  expect(await refusal(watchAnn, bob.cookie)).toBe(403);
  expect(await refusal(watchAnn, ann.cookie)).toBe(403);
  // Not a member of the class, or no such class: the same answer, nothing learned.
  expect(await refusal(`${WATCH_PATH}/${classId}/${stranger.userId}`, teacher.cookie)).toBe(403);
  expect(await refusal(`${WATCH_PATH}/no-such-class/${ann.userId}`, teacher.cookie)).toBe(403);
  expect(await refusal(`${WATCH_PATH}/${classId}`, teacher.cookie)).toBe(400);
  // A learner removed from the class is no longer watchable.
  expect((await teacher.fetch('DELETE', `/api/classes/${classId}/members/${bob.userId}`)).status).toBe(200);
  expect(await refusal(`${WATCH_PATH}/${classId}/${bob.userId}`, teacher.cookie)).toBe(403);

  for (const allowed of [teacher, admin]) {
    const watcher = new Watcher(classId, ann.userId, allowed.cookie);
    await watcher.opened;
    await watcher.until(() => watcher.of('terminals').length > 0, 'the terminal list');
    watcher.ws.close();
    await watcher.closed;
  }
});

it("shows the learner's terminals live with their scrollback, tells the learner who watches, and never lets a watcher type unasked", async () => {
  const [ann, teacher] = await Promise.all([account('ann'), account('teacher', 'instructor')]);
  const classId = await classOf(teacher, ann);
  const first = await new LearnerTerminal('1', ann.cookie).hello();
  first.send({ t: 'input', data: 'echo before-$((40+2))\r' });
  await first.until(() => first.output.includes('before-42'), 'the first command');

  const watcher = new Watcher(classId, ann.userId, teacher.cookie);
  await watcher.until(() => watcher.output('1').includes('before-42'), 'the scrollback');
  expect(watcher.of('terminals').at(-1)?.terminals).toEqual(['1']);
  // The learner's size comes before the replay, and again when it changes.
  expect(watcher.messages.find((m) => m.t === 'size' || m.t === 'output')).toEqual({ t: 'size', terminal: '1', cols: 80, rows: 24 });
  first.send({ t: 'resize', cols: 100, rows: 30 });
  await watcher.until(() => watcher.of('size').at(-1)?.cols === 100, 'the new size');
  expect(watcher.of('size').at(-1)).toEqual({ t: 'size', terminal: '1', cols: 100, rows: 30 });
  await first.until(() => first.notice?.watchers[0] === 'teacher', 'the watching notice');

  first.send({ t: 'input', data: 'echo live-$((50+5))\r' });
  await watcher.until(() => watcher.output('1').includes('live-55'), 'live output');
  // A terminal the learner opens later shows up, and is told who watches.
  const second = await new LearnerTerminal('2', ann.cookie).hello();
  await watcher.until(() => watcher.of('terminals').at(-1)?.terminals.includes('2') ?? false, 'the second terminal');
  await second.until(() => second.notice?.watchers[0] === 'teacher', 'the notice in the second terminal');

  // Typing before the learner accepts reaches nothing.
  watcher.send({ t: 'input', terminal: '1', data: 'echo unasked-$((1+1))\r' });
  await watcher.until(() => watcher.of('error').length === 1, 'the refusal');
  watcher.send({ t: 'takeover-request' });
  await first.until(() => first.notice?.takeover?.state === 'asked', 'the request');
  expect(first.notice?.takeover).toEqual({ by: 'teacher', state: 'asked' });
  watcher.send({ t: 'input', terminal: '1', data: 'echo asked-$((2+2))\r' });
  await watcher.until(() => watcher.of('error').length === 2, 'the second refusal');

  second.send({ t: 'takeover', answer: 'accept' });
  await watcher.until(() => watcher.takeover === 'granted', 'the grant');
  await first.until(() => first.notice?.takeover?.state === 'granted', 'the granted notice');
  watcher.send({ t: 'input', terminal: '1', data: 'echo helped-$((3+3))\r' });
  await first.until(() => first.output.includes('helped-6'), "the instructor's command");

  first.send({ t: 'takeover', answer: 'end' });
  await watcher.until(() => watcher.takeover === 'none', 'the end');
  watcher.send({ t: 'input', terminal: '1', data: 'echo after-$((4+4))\r' });
  await watcher.until(() => watcher.of('error').length === 3, 'the refusal after the end');
  first.send({ t: 'input', data: 'echo mark\r' });
  await first.until(() => first.output.includes('mark\r\n'), 'the mark');
  expect(first.output).not.toMatch(/unasked-2|asked-4|after-8/);

  // A refused request: the watcher is told, and the learner's notice drops it.
  watcher.send({ t: 'takeover-request' });
  await first.until(() => first.notice?.takeover?.state === 'asked', 'the second request');
  first.send({ t: 'takeover', answer: 'refuse' });
  await watcher.until(() => watcher.takeover === 'refused', 'the refusal');
  expect(first.notice?.takeover).toBeNull();

  watcher.ws.close();
  await first.until(() => first.notice?.watchers.length === 0, 'the end of the watch');
});

it('closes a watch when the learner leaves the class, or the watcher is no longer an instructor', async () => {
  const [ann, bob, teacher] = await Promise.all([account('ann'), account('bob'), account('teacher', 'instructor')]);
  const classId = await classOf(teacher, ann, bob);
  const annWatch = new Watcher(classId, ann.userId, teacher.cookie);
  const bobWatch = new Watcher(classId, bob.userId, teacher.cookie);
  await annWatch.until(() => annWatch.of('terminals').length > 0, 'the terminal list');
  await bobWatch.until(() => bobWatch.of('terminals').length > 0, 'the terminal list');
  expect((await teacher.fetch('DELETE', `/api/classes/${classId}/members/${bob.userId}`)).status).toBe(200);
  expect(await bobWatch.closed).toBe(4010);
  expect(bobWatch.of('error').at(-1)?.message).toBe('You may no longer watch this learner (they left the class, or your role changed).');
  await api.services.accounts.setRole(teacher.userId, 'learner');
  expect(await annWatch.closed).toBe(4010);
});

it('closes a watch when the instructor signs out', async () => {
  const [ann, teacher] = await Promise.all([account('ann'), account('teacher', 'instructor')]);
  const classId = await classOf(teacher, ann);
  const watcher = new Watcher(classId, ann.userId, teacher.cookie);
  await watcher.until(() => watcher.of('terminals').length > 0, 'the terminal list');
  await teacher.fetch('POST', '/api/auth/signout');
  expect(await watcher.closed).toBe(4005);
});

it("skips output for a watcher that falls behind instead of holding back the learner's shell", async () => {
  const [ann, teacher] = await Promise.all([account('ann'), account('teacher', 'instructor')]);
  await classOf(teacher, ann);
  const learner = await new LearnerTerminal('1', ann.cookie).hello();
  // A watcher on a slow network: its socket reports a full send buffer. (A real socket on
  // loopback would take tens of MB into the kernel's buffers before the server saw it.)
  const slow = new SlowSocket();
  new Watches(api.hub).watch((await api.services.accounts.byEmail('ann@example.org'))!.learner, { learner: 'ann', watcher: 'teacher' }, slow.asWebSocket());
  expect(slow.sent.slice(0, 2)).toEqual([
    { t: 'watching', learner: 'ann' },
    { t: 'terminals', terminals: ['1'] },
  ]);
  slow.bufferedAmount = 2 * 1024 * 1024;
  const before = slow.sent.length;
  learner.send({ t: 'input', data: 'seq 1 30000; echo flood-$((5+5))\r' });
  await learner.until(() => learner.output.includes('flood-10'), 'the end of the output');
  expect(learner.output).toContain('\r\n30000\r\n');
  expect(slow.sent.length).toBe(before);

  slow.bufferedAmount = 0;
  learner.send({ t: 'input', data: 'echo caught-$((6+6))\r' });
  await learner.until(() => slow.sent.some((m) => m.t === 'output' && m.data.includes('caught-12')), "the watcher's copy");
  expect(slow.sent.slice(before)[0]).toEqual({ t: 'gap', terminal: '1' });
  expect(slow.sent.slice(before).some((m) => m.t === 'output' && m.data.includes('30000'))).toBe(false);
  slow.close();
});

/** The watcher's end of a socket whose send buffer the test fills and drains. */
class SlowSocket extends EventEmitter {
  readonly OPEN = 1;
  readonly CLOSED = 3;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: WatchServerMessage[] = [];

  send(frame: string): void {
    this.sent.push(WatchServerMessage.parse(JSON.parse(frame)));
  }

  close(): void {
    this.readyState = this.CLOSED;
    this.emit('close');
  }

  asWebSocket(): WebSocket {
    return this as unknown as WebSocket;
  }
}
