import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { CloseCode, ServerMessage, TERMINAL_PATH } from '../terminal/protocol.ts';
import type { AccountServices } from './api.ts';
import { startApiServer, type ApiServer } from './testing.ts';

/**
 * A session that ends takes what it opened with it: sign-out and an admin's revocation
 * close the account's open terminal sockets and live-results streams at once (a check
 * at connect time alone leaves an open terminal running commands), while another
 * session of the same account keeps its own. The API and the terminal door as server.ts
 * wires them, with a local bash per learner instead of a machine.
 */
let api: ApiServer;
let base: string;
let services: AccountServices;

beforeEach(async () => {
  api = await startApiServer({ signUpsPerAddress: 50, trustedProxies: [] });
  ({ base, services } = api);
});

afterEach(() => api.close());

/** A browser: keeps its cookies and sends this site's Origin. */
class Browser {
  private readonly cookies = new Map<string, string>();

  async post(path: string, body: unknown = {}): Promise<number> {
    const response = await fetch(`http://${base}${path}`, {
      method: 'POST',
      headers: { origin: `http://${base}`, cookie: this.cookieHeader(), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    for (const set of response.headers.getSetCookie()) {
      const pair = set.split(';')[0]!;
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      if (value === '' || /Max-Age=0/i.test(set)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    await response.body?.cancel();
    return response.status;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

const password = 'a long enough password';

async function signedIn(name: string, how: 'signup' | 'signin'): Promise<Browser> {
  const browser = new Browser();
  const body = how === 'signup' ? { email: `${name}@example.org`, name, password } : { email: `${name}@example.org`, password };
  expect(await browser.post(`/api/auth/${how}`, body)).toBe(how === 'signup' ? 201 : 200);
  return browser;
}

/** An open terminal of the browser, proven to run commands; `closed` resolves with its close code. */
async function openTerminal(browser: Browser, name: string): Promise<{ closed: Promise<number>; messages: ServerMessage[] }> {
  const ws = new WebSocket(`ws://${base}${TERMINAL_PATH}/${name}`, { headers: { cookie: browser.cookieHeader(), origin: `http://${base}` } });
  const messages: ServerMessage[] = [];
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.on('unexpected-response', (_req, res) => reject(new Error(`the terminal was refused with ${res.statusCode}`)));
    ws.on('open', () => ws.send(JSON.stringify({ t: 'hello', lastSeq: 0, cols: 80, rows: 24 })));
    ws.on('message', (raw) => {
      const message = ServerMessage.parse(JSON.parse(String(raw)));
      messages.push(message);
      if (message.t === 'ready') ws.send(JSON.stringify({ t: 'input', data: 'echo "alive-$((6*7))"\n' }));
      if (message.t === 'output' && message.data.includes('alive-42')) resolve();
    });
  });
  return { closed, messages };
}

/** An open live-results stream of the browser; `ended` resolves when the server ends it. */
async function openEvents(browser: Browser): Promise<{ ended: Promise<'ended'> }> {
  const response = await fetch(`http://${base}/api/lessons/client-and-daemon/events`, { headers: { cookie: browser.cookieHeader() } });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  const ended = (async () => {
    while (!(await reader.read().catch(() => ({ done: true }))).done);
    return 'ended' as const;
  })();
  return { ended };
}

/** What `promise` settles to within `ms`, or 'still open'. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'still open'> {
  return Promise.race([promise, new Promise<'still open'>((resolve) => setTimeout(() => resolve('still open'), ms))]);
}

it("signing out closes that session's terminals and event streams, and leaves the account's other sessions theirs", async () => {
  const laptop = await signedIn('ann', 'signup');
  const phone = await signedIn('ann', 'signin');
  const laptopTerminal = await openTerminal(laptop, 'laptop');
  const laptopEvents = await openEvents(laptop);
  const phoneTerminal = await openTerminal(phone, 'phone');
  const phoneEvents = await openEvents(phone);
  expect(await within(laptopTerminal.closed, 200)).toBe('still open');

  expect(await laptop.post('/api/auth/signout')).toBe(200);
  expect(await within(laptopTerminal.closed, 5000)).toBe(CloseCode.signedOut);
  expect(laptopTerminal.messages.at(-1)).toEqual({ t: 'error', message: expect.stringMatching(/^Your session ended/) });
  expect(await within(laptopEvents.ended, 5000)).toBe('ended');

  expect(await within(phoneTerminal.closed, 500)).toBe('still open');
  expect(await within(phoneEvents.ended, 0)).toBe('still open');
});

it("an admin's revocation closes every open terminal and event stream of the account", async () => {
  const admin = await signedIn('admin', 'signup');
  await services.accounts.setRole((await services.accounts.byEmail('admin@example.org'))!.id, 'admin');
  const laptop = await signedIn('ann', 'signup');
  const phone = await signedIn('ann', 'signin');
  const open = [await openTerminal(laptop, 'laptop'), await openTerminal(phone, 'phone')];
  const streams = [await openEvents(laptop), await openEvents(phone)];
  const adminTerminal = await openTerminal(admin, 'admin');

  const annId = (await services.accounts.byEmail('ann@example.org'))!.id;
  expect(await admin.post(`/api/admin/users/${annId}/revoke`)).toBe(200);
  for (const terminal of open) expect(await within(terminal.closed, 5000)).toBe(CloseCode.signedOut);
  for (const stream of streams) expect(await within(stream.ended, 5000)).toBe('ended');
  expect(await within(adminTerminal.closed, 200)).toBe('still open');
});

it('closes at once a connection tied to a session that ended after it was read (a sign-out racing the connection)', async () => {
  const account = await services.accounts.create({ email: 'ann@example.org', name: 'ann', password, role: 'learner' });
  const started = await services.sessions.start(account);
  const session = (await services.sessions.read(started.setCookie.split(';')[0]))!;
  await services.sessions.end(session.id);
  let closed = false;
  services.sessions.hold(session, () => (closed = true));
  await vi.waitFor(() => expect(closed).toBe(true));
});
