import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase } from '../../lib/db/index.ts';
import { FleetStore } from '../../lib/machines/fleet-store.ts';
import { createMachineManager, sandboxConfig } from '../../sandbox/index.ts';
import { freePort, TestServer } from '../support/server.ts';
import { TerminalSocket, visitorCookie } from '../support/terminal-socket.ts';

/**
 * Two app servers on one engine and one database (an SQLite file both open, as one host
 * runs them; PostgreSQL for several hosts). Before they shared state, the second server's
 * collector stopped the first one's learners' machines as idle: it judged by the activity
 * it had seen itself, none. The idle limit is the shortest allowed (60 s) so that happens
 * within the test.
 */
const root = path.resolve(import.meta.dirname, '../..');
const env = { UNBOXED_SANDBOX_SCOPE: 'multi', UNBOXED_POOL_SIZE: '1', UNBOXED_CAPACITY: '4', UNBOXED_MACHINE_IDLE_SECONDS: '60' };
const IDLE_MS = 60_000;
let dataDir: string;
let keeper: TestServer;
let other: TestServer;

const manager = async () => createMachineManager(sandboxConfig({ ...process.env, ...env }), dataDir, { log: () => undefined });
/** The holder of the keeper lease, read from the servers' own database. */
const leaseHolder = async () => {
  const db = await openDatabase(path.join(dataDir, 'unboxed.db'));
  try {
    return await new FleetStore(db).keeper(new Date());
  } finally {
    await db.destroy();
  }
};
const holderOf = (server: TestServer) => new RegExp(`^${hostname()}/${server.pid}/`);

beforeAll(async () => {
  if (!existsSync(path.join(root, '.next', 'BUILD_ID'))) throw new Error('no production build: run npm run build first');
  dataDir = await mkdtemp(path.join(tmpdir(), 'unboxed-two-servers-'));
  // Started side by side: whichever takes the lease first keeps the pool, the other serves learners only.
  // Each alone answers within a minute on a quiet host; side by side on two busy cores, measured up to 103 s.
  const servers = [new TestServer(await freePort(), { ...env, UNBOXED_DATA_DIR: dataDir }, 240_000), new TestServer(await freePort(), { ...env, UNBOXED_DATA_DIR: dataDir }, 240_000)] as const;
  // Known before they start: one failing to start must not leave the other running (a stray keeper of this scope collects its machines).
  [keeper, other] = servers;
  await Promise.all(servers.map((s) => s.start()));
  const holder = (await leaseHolder()) ?? '';
  [keeper, other] = holderOf(servers[0]).test(holder) ? servers : [servers[1], servers[0]];
});

afterAll(async () => {
  if (!dataDir) return;
  await Promise.all([keeper?.kill('SIGTERM'), other?.kill('SIGTERM')]);
  const machines = await manager();
  for (const machine of await machines.list()) await machines.destroy(machine.id);
  await rm(dataDir, { recursive: true, force: true });
});

it('one server keeps the pool; a learner typing through the other keeps their machine past the idle limit; their shell reattaches through either server', async () => {
  expect(await leaseHolder()).toMatch(holderOf(keeper));
  // The keeper's first tick starts the pool's machine before it listens; the engine may list it only later (seen on a busy CI host).
  await expect.poll(async () => (await (await manager()).list()).filter((m) => !m.learner).length, { timeout: 120_000, interval: 1000 }).toBe(1);
  const pool = (await (await manager()).list()).filter((m) => !m.learner);

  // The learner comes in through the server that does not collect, and claims the keeper's warm machine.
  const cookie = await visitorCookie(other.origin);
  const learnerTerminal = await TerminalSocket.open(other.origin, '1', cookie);
  const shellPid = (await learnerTerminal.run('echo pid-$$', /pid-(\d+)\r\n/)).match(/pid-(\d+)\r\n/)![1];
  // Active every 5 s through `other` until the keeper has collected at least twice after the
  // machine passed its idle limit as the keeper alone would see it (since it started).
  const until = pool[0]!.createdAt.getTime() + IDLE_MS + 65_000;
  for (let i = 0; Date.now() < until; i++) {
    await learnerTerminal.run(`echo tick-$((${i}+1000))`, `tick-${i + 1000}\r\n`);
    await new Promise((r) => setTimeout(r, 5000));
  }
  const machines = await (await manager()).list();
  expect(machines.filter((m) => m.learner).map((m) => m.state)).toEqual(['running']);

  // A reload that the proxy sends to the keeper: the same shell (dtach in the machine), its
  // history included. The first server's attachment stays and sees the same screen.
  const reattached = await TerminalSocket.open(keeper.origin, '1', cookie);
  expect(await reattached.run('echo again-$$', `again-${shellPid}\r\n`)).toContain(`again-${shellPid}`);
  // Through the other server and its own attachment: it arrives there a moment later.
  await expect.poll(() => learnerTerminal.output, { timeout: 10_000 }).toContain(`again-${shellPid}`);
  learnerTerminal.close();
  reattached.close();
});

it('when the keeper stops, the other server takes the lease over and keeps the pool', async () => {
  await keeper.kill('SIGTERM');
  // The lease was given up on shutdown: the other server takes it at its next tick (every 30 s).
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline && !holderOf(other).test((await leaseHolder()) ?? '')) await new Promise((r) => setTimeout(r, 1000));
  expect(await leaseHolder()).toMatch(holderOf(other));
  // A learner arriving now gets a machine started before they came (the pool's), and the new keeper warms another.
  const arrived = Date.now();
  const terminal = await TerminalSocket.open(other.origin, '1', await visitorCookie(other.origin));
  terminal.close();
  const learners = (await (await manager()).list()).filter((m) => m.learner);
  expect(learners).toHaveLength(2);
  for (const machine of learners) expect(machine.createdAt.getTime()).toBeLessThan(arrived);
  const refilled = Date.now() + 60_000;
  while (Date.now() < refilled && !(await (await manager()).list()).some((m) => !m.learner && m.state === 'running')) await new Promise((r) => setTimeout(r, 1000));
  expect((await (await manager()).list()).filter((m) => !m.learner && m.state === 'running')).toHaveLength(1);
});
