import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { DockerDriver } from './docker/driver.ts';
import { dockerCli } from './docker/testing.ts';
import { MachineLimits } from './driver.ts';
import { runManagerConformance } from './manager-conformance.ts';
import { MachineManager, NoMachineError, type ManagerOptions } from './manager.ts';

// A scope of this run's own: the tests see, claim and remove only machines they started.
const driver = new DockerDriver({ cacheDir: path.resolve(import.meta.dirname, '../.cache/test-sandbox'), scope: `t${randomBytes(4).toString('hex')}` });
const limits = MachineLimits.parse({ lifetimeSeconds: 3600, idleSeconds: 600 });
const events: string[] = [];
const manager = (options: Partial<ManagerOptions> = {}) =>
  new MachineManager(driver, { limits, poolSize: 0, capacity: 20, startConcurrency: 4, log: (event, fields) => events.push(`${event} ${String(fields.reason ?? '')}`), ...options });
const sh = (id: string, script: string) => driver.exec(id, ['sh', '-c', script], { timeoutMs: 60_000 });
const until = async (what: () => Promise<boolean>, ms = 120_000) => {
  const deadline = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
};

const removeAll = async () => {
  for (const machine of await driver.list()) await driver.destroy(machine.id);
};
afterEach(removeAll);
afterAll(removeAll);

runManagerConformance('docker', () => driver);

/** Clients attached to terminal 1's dtach master: its sockets but the one it listens on (none when it is not running). */
const attachmentsOf1 = 'master=$(pgrep -o -x -f "dtach -n /run/unboxed-terminals/1.sock bash -l") && echo $(($(ls -l /proc/$master/fd | grep -c socket:) - 1))';

it("opens a warm machine's first terminal ahead, and hands it, with what it printed, to the learner who claims it", async () => {
  const m = manager({ poolSize: 1 });
  await m.start();
  let warm = '';
  await until(async () => {
    warm = (await driver.list()).find((x) => !x.learner && x.state === 'running')?.id ?? '';
    return warm !== '' && (await sh(warm, attachmentsOf1)).stdout.trim() === '1';
  });
  const machine = await m.acquire('learner-held-jjjj');
  const shell = await m.openShell('learner-held-jjjj', '1', { cols: 100, rows: 30 });
  let output = '';
  shell.onData((data) => (output += data));
  // The login prompt printed while nobody listened is delivered.
  await until(async () => /root@machine-/.test(output), 10_000);
  shell.write('echo $((6*7))\r');
  await until(async () => output.includes('42'), 10_000);
  // One attachment, the held one: no second was opened.
  expect((await sh(machine.id, attachmentsOf1)).stdout.trim()).toBe('1');
  shell.close();
  await m.stop();
});

it("two servers' managers starting the same learner's machine at once give them one machine", async () => {
  const [first, second] = [manager(), manager()];
  const [a, b] = await Promise.all([first.acquire('learner-twice-llll'), second.acquire('learner-twice-llll')]);
  expect(a.id).toBe(b.id);
  expect((await driver.list()).map((m) => m.id)).toEqual([a.id]);
});

it("the keeper closes the shell it held in a warm machine another server's learner claimed", async () => {
  const keeper = manager({ poolSize: 1 });
  await keeper.start();
  let warm = '';
  // The keeper's held attachment.
  await until(async () => {
    warm = (await driver.list()).find((x) => !x.learner && x.state === 'running')?.id ?? '';
    return warm !== '' && (await sh(warm, attachmentsOf1)).stdout.trim() === '1';
  });
  const claimed = await manager().acquire('learner-claimed-mmmm');
  await keeper.gc();
  // The held attachment is gone; the shell itself (dtach's master) lives on for the learner.
  await until(async () => (await sh(claimed.id, attachmentsOf1)).stdout.trim() === '0', 10_000);
  await keeper.stop();
});

it('a terminal attaching during a reset gets the fresh machine, never the old one on its way out', async () => {
  const m = manager();
  const old = await m.acquire('learner-reset-kkkk');
  await sh(old.id, 'echo mine >/root/mark');
  const oldHost = (await sh(old.id, 'hostname')).stdout;
  const reset = m.reset('learner-reset-kkkk');
  const attaching = m.acquire('learner-reset-kkkk');
  const fresh = await reset;
  expect(await attaching).toEqual(fresh);
  expect(fresh.createdAt.getTime()).toBeGreaterThan(old.createdAt.getTime());
  expect(await sh(fresh.id, 'hostname; test -e /root/mark && echo kept-the-old-disk')).toMatchObject({ stdout: expect.not.stringContaining('kept') });
  expect((await sh(fresh.id, 'hostname')).stdout).not.toBe(oldHost);
});

it('never starts a machine for a check or a lookup: exec and machineOf of a learner without one start nothing', async () => {
  const m = manager({ poolSize: 0 });
  await expect(m.exec('learner-none-cccc', ['true'], { timeoutMs: 5000 })).rejects.toBeInstanceOf(NoMachineError);
  expect(await m.machineOf('learner-none-cccc')).toBeUndefined();
  expect(await driver.list()).toEqual([]);
});

it('serves learners within capacity in arrival order, and the one beyond it waits with its place until a machine frees', async () => {
  const m = manager({ capacity: 2, startConcurrency: 2 });
  const said: string[] = [];
  const [a, b] = [m.acquire('learner-cap-aaaa'), m.acquire('learner-cap-bbbb')];
  const c = m.acquire('learner-cap-cccc', (message) => said.push(message));
  let cServed = false;
  void c.then(() => (cServed = true));
  const [ma] = await Promise.all([a, b]);
  await new Promise((r) => setTimeout(r, 1000));
  expect(cServed).toBe(false);
  expect(said.join('\n')).toMatch(/you are next: all 2 machines of this host are in use; a machine should free up in about \d+ min/);
  expect(await m.retryAfter()).toBeGreaterThan(0);
  await m.destroy(ma.id);
  const mc = await c;
  expect(mc).toMatchObject({ learner: 'learner-cap-cccc', state: 'running' });
  expect((await driver.list()).filter((x) => x.state !== 'stopped')).toHaveLength(2);
  await m.stop();
});

it('measures a cluster’s capacity again each tick: a node added lets the learner waiting beyond the old capacity through', async () => {
  let measured = 1;
  const m = manager({ capacity: 1, measureCapacity: async () => measured });
  await m.start(500);
  await m.acquire('learner-grow-aaaa');
  const said: string[] = [];
  let served = false;
  const waiting = m.acquire('learner-grow-bbbb', (message) => said.push(message)).then((machine) => ((served = true), machine));
  await new Promise((r) => setTimeout(r, 1500));
  expect(served).toBe(false);
  expect(said.join('\n')).toMatch(/all 1 machines of this host are in use/);
  measured = 2;
  expect(await waiting).toMatchObject({ learner: 'learner-grow-bbbb', state: 'running' });
  expect(m.capacity).toBe(2);
  expect(events).toContain('capacity-changed ');
  await m.stop();
});

it("removes stopped machines, the unused longest first, when the host's disk runs short, and never a running one", async () => {
  const m = manager();
  const [older, newer, running] = [await m.acquire('learner-disk-gggg'), await m.acquire('learner-disk-hhhh'), await m.acquire('learner-disk-iiii')];
  await driver.stop(older.id);
  await driver.stop(newer.id);
  // A reserve just above what is free now: removing one stopped machine's disk (its limit) covers it.
  const disk = await driver.freeDisk();
  if (disk.on !== 'host') throw new Error(`the docker driver's disk is the host's, not ${disk.on}`);
  const free = Math.floor(disk.bytes / 2 ** 20);
  const short = manager({ diskReserveMiB: free + 1 });
  short.touch('learner-disk-gggg');
  await new Promise((r) => setTimeout(r, 5));
  short.touch('learner-disk-hhhh');
  expect(await short.gc()).toEqual([older.id]);
  expect(events).toContain('machine-removed disk budget');
  expect(await short.machineOf('learner-disk-hhhh')).toMatchObject({ state: 'stopped' });
  // However short the disk, a running machine stays.
  const desperate = manager({ diskReserveMiB: 2 ** 30 });
  expect(await desperate.gc()).toEqual([newer.id]);
  expect(await desperate.machineOf('learner-disk-iiii')).toMatchObject({ id: running.id, state: 'running' });

  // Nor does a new machine start when filling its disk would take the host below its
  // reserve: the learner waits, told why; a stopped machine (its disk already there) starts.
  const said: string[] = [];
  const waiting = desperate.acquire('learner-disk-jjjj', (message) => said.push(message));
  void waiting.catch(() => undefined);
  await until(async () => said.some((message) => message.includes('Waiting for disk space')));
  expect(said.at(-1)).toMatch(/this host keeps \d+ MiB free for itself, a new machine may use up to 10240 MiB/);
  expect(await desperate.retryAfter()).toBe(60);
  expect(await desperate.machineOf('learner-disk-jjjj')).toBeUndefined();
  await driver.stop(running.id);
  expect(await desperate.acquire('learner-disk-iiii')).toMatchObject({ id: running.id, state: 'running' });
  await desperate.stop();
  await expect(waiting).rejects.toThrow(/shutting down/);
});

it('never removes a learner machine that stopped underneath it (an engine or host crash): it starts again with its files', async () => {
  const m = manager();
  const machine = await m.acquire('learner-crash-eeee');
  await sh(machine.id, 'echo still-here >/root/work.txt && sync');
  await dockerCli(['kill', machine.id]);
  expect(await m.gc()).toEqual([]);
  expect(await m.machineOf('learner-crash-eeee')).toMatchObject({ state: 'stopped' });
  const back = await m.acquire('learner-crash-eeee');
  expect((await sh(back.id, 'cat /root/work.txt; docker info >/dev/null && echo docker-answers')).stdout).toBe('still-here\ndocker-answers\n');
  await driver.destroy(back.id);
});

it('warms the pool for announced learners within capacity, and lets the surplus go once they have arrived', async () => {
  let expected = 5;
  const m = manager({ capacity: 3, expectedLearners: () => Promise.resolve(expected) });
  await m.start();
  await until(async () => (await driver.list()).filter((x) => !x.learner && x.state === 'running').length === 3);
  await new Promise((r) => setTimeout(r, 500));
  await m.pump();
  expect(await driver.list()).toHaveLength(3);
  const claimed = await m.acquire('learner-warm-ffff');
  expect(claimed.learner).toBe('learner-warm-ffff');
  // The claim makes room for one more warm machine.
  await until(async () => (await driver.list()).filter((x) => x.state === 'running').length === 3);
  expect(await driver.list()).toHaveLength(3);
  // The session is over: the pool needs one machine for the one recent arrival; the other goes.
  expected = 0;
  const removed = await m.gc();
  expect(removed).toHaveLength(1);
  expect(events).toContain('machine-removed pool surplus');
  const left = await driver.list();
  expect(left.filter((x) => !x.learner)).toHaveLength(1);
  expect(left.find((x) => x.learner)?.id).toBe(claimed.id);
  await m.stop();
});
