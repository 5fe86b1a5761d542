import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMachineManager, sandboxConfig } from '../../sandbox/index.ts';
import { freePort, TestServer } from '../support/server.ts';

/**
 * Who may start a machine, through the real server: only a terminal or an explicit
 * start does (never a page's event stream or a Check), anonymous visitors only so fast,
 * and beyond the host's capacity an HTTP caller is told when to come back.
 */
const root = path.resolve(import.meta.dirname, '../..');
const env = { UNBOXED_SANDBOX_SCOPE: 'admission', UNBOXED_POOL_SIZE: '0', UNBOXED_CAPACITY: '1', UNBOXED_ANONYMOUS_STARTS_PER_ADDRESS: '2' };
let server: TestServer;
let dataDir: string;

const visitor = async () => {
  const response = await fetch(`${server.origin}/api/me`);
  return response.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
};
const post = (url: string, cookie: string) => fetch(`${server.origin}${url}`, { method: 'POST', headers: { origin: server.origin, cookie } });
const machines = async () => (await createMachineManager(sandboxConfig({ ...process.env, ...env }), dataDir, { log: () => undefined })).list();

beforeAll(async () => {
  if (!existsSync(path.join(root, '.next', 'BUILD_ID'))) throw new Error('no production build: run npm run build first');
  dataDir = await mkdtemp(path.join(tmpdir(), 'unboxed-admission-'));
  server = new TestServer(await freePort(), { ...env, UNBOXED_DATA_DIR: dataDir });
  await server.start();
});

afterAll(async () => {
  if (!dataDir) return;
  await server?.kill('SIGTERM');
  const manager = await createMachineManager(sandboxConfig({ ...process.env, ...env }), dataDir, { log: () => undefined });
  for (const machine of await manager.list()) await manager.destroy(machine.id);
  await rm(dataDir, { recursive: true, force: true });
});

it('a lesson page, its event stream and a Check start no machine', async () => {
  const cookie = await visitor();
  const slug = 'client-and-daemon';
  const events = new AbortController();
  const stream = await fetch(`${server.origin}/api/lessons/${slug}/events`, { headers: { cookie }, signal: events.signal });
  expect(stream.status).toBe(200);
  await fetch(`${server.origin}/lessons/${slug}`, { headers: { cookie } });
  const check = await post(`/api/lessons/${slug}/check`, cookie);
  expect(check.status).toBe(409);
  expect(((await check.json()) as { error: string }).error).toMatch(/open the terminal/);
  await new Promise((r) => setTimeout(r, 3000));
  events.abort();
  expect(await machines()).toEqual([]);
  expect(((await (await fetch(`${server.origin}/api/machine`, { headers: { cookie } })).json()) as { machine: { state: string } }).machine.state).toBe('none');
});

it('starts a machine on request; beyond capacity the next learner gets 503 with Retry-After; past the per-address limit, 429', async () => {
  const first = await visitor();
  const started = await post('/api/machine', first);
  expect(started.status).toBe(200);
  expect(((await started.json()) as { machine: { state: string } }).machine.state).toBe('running');

  // Capacity 1 is taken: the second learner is told when to come back (no machine made).
  const second = await visitor();
  const full = await post('/api/machine', second);
  expect(full.status).toBe(503);
  expect(Number(full.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(((await full.json()) as { error: string }).error).toMatch(/every machine of this host is in use/);

  // Two anonymous starts from this address were counted; the third visitor is refused.
  const third = await visitor();
  const limited = await post('/api/machine', third);
  expect(limited.status).toBe(429);
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(await machines()).toHaveLength(1);
});
