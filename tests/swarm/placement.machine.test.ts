import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MachineLimits, type MachineInfo } from '../../sandbox/driver.ts';
import { MachineManager } from '../../sandbox/manager.ts';
import { runProcess } from '../../sandbox/process.ts';
import { SwarmDriver } from '../../sandbox/swarm/driver.ts';
import { CLIENT_TLS, CLIENT_TLS_DIR, ENGINE_PORT, NODES, up, imageTag } from './cluster.ts';

/**
 * Placement by room, and a drain that moves no learner: an operator drains a node by
 * setting its availability to `pause` (swarm's `drain` would shut its tasks down, and a
 * machine pinned to its node would then never run again).
 */
const [manager] = NODES as [(typeof NODES)[number]];
const driver = new SwarmDriver({ managers: [`${manager.address}:${ENGINE_PORT}`], tls: CLIENT_TLS, scope: 'place' });
const limits = MachineLimits.parse({ memoryMiB: 512, diskMiB: 2048 });
const created: MachineInfo[] = [];
const availability = (node: string, value: 'active' | 'pause') => driver.updateNode(node, { availability: value });

beforeAll(async () => {
  const image = await imageTag();
  await up(image);
});

afterAll(async () => {
  for (const node of NODES) await availability(node.name, 'active');
  for (const machine of created) await driver.destroy(machine.id);
});

it("lists every node with its capacity and load, places a machine where there is most room, and a drained node's machine runs on while new ones go elsewhere", async () => {
  // Woken: on a new cluster no node's engine has loaded the disk plugin yet, and a node
  // that just joined may not be ready to the swarm yet.
  let before = await driver.nodes({ wake: true });
  for (const deadline = Date.now() + 60_000; !before.every((n) => n.open) && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 1000));
    before = await driver.nodes({ wake: true });
  }
  expect(before.map((n) => n.hostname).sort()).toEqual(NODES.map((n) => n.name));
  expect(before.every((n) => n.open && n.capacity === 8 && n.state === 'ready')).toBe(true);
  expect(await driver.capacity()).toBe(3 * 8);

  // A learner's: a warm machine nobody has claimed is of no use on a drained node (it reads lost).
  const first = await driver.create(limits, 'learner-on-a-drained-node');
  created.push(first);
  const loaded = await driver.nodes();
  const home = loaded.find((n) => n.machines === 1)!;
  expect(loaded.filter((n) => n.machines === 0)).toHaveLength(NODES.length - 1);

  // Drain its node and one other: one open node remains.
  const other = loaded.find((n) => n.id !== home.id)!;
  await availability(home.hostname, 'pause');
  await availability(other.hostname, 'pause');
  const drained = await driver.nodes();
  expect(drained.filter((n) => n.open).map((n) => n.hostname)).toEqual(loaded.filter((n) => n.id !== home.id && n.id !== other.id).map((n) => n.hostname));
  // The admission queue's capacity: the open node's 8, and the one machine the drained node still runs.
  expect(await driver.capacity()).toBe(8 + 1);

  const second = await driver.create(limits);
  created.push(second);
  const after = await driver.nodes();
  expect(after.find((n) => n.open)!.machines).toBe(1);
  // The first machine was not moved or stopped: same node, same boot, still answering.
  expect(await driver.inspect(first.id)).toMatchObject({ state: 'running' });
  expect((await driver.exec(first.id, ['hostname'], { timeoutMs: 10_000 })).exitCode).toBe(0);
  expect(after.find((n) => n.id === home.id)).toMatchObject({ open: false, availability: 'pause', machines: 1 });

  // The operator's view, and a node label that would break placement refused with its fix.
  const env = { ...process.env, UNBOXED_SWARM_MANAGER: `${manager.address}:${ENGINE_PORT}`, UNBOXED_SWARM_TLS_DIR: CLIENT_TLS_DIR, UNBOXED_SANDBOX_SCOPE: 'place' };
  const cli = (...args: string[]) => runProcess('node', ['--import', 'tsx', 'bin/unboxed.ts', 'sandbox', 'nodes', ...args], { env, cwd: path.resolve(import.meta.dirname, '../..') });
  const listed = await cli();
  expect(listed.stdout).toMatch(new RegExp(`^${home.hostname} +ready +drained +yes +no +1/8 +2048/${home.disk!.budgetMiB}$`, 'm'));
  const refused = await cli('add', home.hostname, '--engine', 'not-an-address', '--capacity', '8');
  expect(refused).toMatchObject({ exitCode: 1, stderr: expect.stringMatching(/unboxed.engine label is host:port/) });

  // With every node drained, a new machine is refused with the reason.
  await availability(after.find((n) => n.open)!.hostname, 'pause');
  await expect(driver.create(limits)).rejects.toThrow(/no learner node has room: every node is full \(machines, or disk for one of 2048 MiB\), drained or down/);
});

it("two app servers placing on a node's last place at once: one machine gets it, the other is refused, and the node holds no more than its capacity", async () => {
  // Another app server: a driver of its own, which places without knowing this one's placements.
  const otherServer = new SwarmDriver({ managers: [`${manager.address}:${ENGINE_PORT}`], tls: CLIENT_TLS, scope: 'place' });
  const nodes = await driver.nodes();
  const target = nodes.find((n) => n.machines === 0)!;
  for (const node of nodes) await availability(node.hostname, 'pause');
  await driver.updateNode(target.hostname, { availability: 'active', labels: { 'unboxed.capacity': '1' } });
  try {
    const results = await Promise.allSettled([driver.create(limits), otherServer.create(limits)]);
    created.push(...results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: expect.objectContaining({ message: expect.stringMatching(/no learner node has room/) }) });
    expect((await driver.nodes()).find((n) => n.id === target.id)).toMatchObject({ machines: 1, capacity: 1 });

    // Room for machines but not for one more disk of this size: the node's disk budget is its own.
    await driver.updateNode(target.hostname, { labels: { 'unboxed.capacity': '8', 'unboxed.disk-mib': String(limits.diskMiB + limits.diskMiB / 2) } });
    // The only open node: its free disk is its budget's, node by node.
    expect(await driver.freeDisk()).toEqual({ on: 'nodes', nodes: [{ node: target.id, bytes: (limits.diskMiB / 2) * 2 ** 20 }] });
    await expect(driver.create(limits)).rejects.toThrow(/no learner node has room: every node is full \(machines, or disk for one of 2048 MiB\)/);
  } finally {
    await driver.updateNode(target.hostname, { labels: { 'unboxed.capacity': '8', 'unboxed.disk-mib': String(target.disk!.budgetMiB) } });
  }
});

it("a node's disk budget is its own to the manager: a learner waits, told why, while the only open node's budget holds a stopped machine's disk, which the manager removes to give them a machine there", async () => {
  // A scope of its own: the node's load and budget as this manager sees them are its machines' alone.
  const scoped = new SwarmDriver({ managers: [`${manager.address}:${ENGINE_PORT}`], tls: CLIENT_TLS, scope: 'budget' });
  const nodes = await scoped.nodes();
  const target = nodes[0]!;
  for (const node of nodes) await availability(node.hostname, 'pause');
  await scoped.updateNode(target.hostname, { availability: 'active', labels: { 'unboxed.disk-mib': String(limits.diskMiB) } });
  const events: string[] = [];
  const machines = new MachineManager(scoped, { limits, poolSize: 0, capacity: 8, startConcurrency: 2, log: (event, fields) => events.push(`${event} ${String(fields.reason ?? '')}`) });
  try {
    const stopped = await machines.acquire('learner-budget-aaaa');
    await scoped.stop(stopped.id);
    expect(await scoped.inspect(stopped.id)).toMatchObject({ state: 'stopped', node: target.id });
    expect(await scoped.freeDisk()).toEqual({ on: 'nodes', nodes: [{ node: target.id, bytes: 0 }] });

    const said: string[] = [];
    const newcomer = machines.acquire('learner-budget-bbbb', (message) => said.push(message));
    await expect.poll(() => said.at(-1), { timeout: 30_000 }).toMatch(/Waiting for disk space \(you are next\): no learner node's disk budget has room for one more machine's 2048 MiB \(the most one has free is 0 MiB\)/);
    expect(await machines.gc()).toEqual([stopped.id]);
    expect(events).toContain('machine-removed disk budget');
    expect(await newcomer).toMatchObject({ learner: 'learner-budget-bbbb', state: 'running', node: target.id });
  } finally {
    await machines.stop();
    for (const machine of await scoped.list()) await scoped.destroy(machine.id);
    await scoped.updateNode(target.hostname, { labels: { 'unboxed.disk-mib': String(target.disk!.budgetMiB) } });
  }
});

it('a learner who finds every node full waits, told why, and gets a machine once a place frees, not an error', async () => {
  const scoped = new SwarmDriver({ managers: [`${manager.address}:${ENGINE_PORT}`], tls: CLIENT_TLS, scope: 'room' });
  const nodes = await scoped.nodes();
  const target = nodes[0]!;
  for (const node of nodes) await availability(node.hostname, 'pause');
  await scoped.updateNode(target.hostname, { availability: 'active', labels: { 'unboxed.capacity': '1' } });
  const events: string[] = [];
  // The manager's own count allows 8: only the cluster knows its one place is taken.
  const machines = new MachineManager(scoped, { limits, poolSize: 0, capacity: 8, startConcurrency: 2, log: (event) => events.push(event) });
  try {
    const first = await machines.acquire('learner-room-aaaa');
    const said: string[] = [];
    const newcomer = machines.acquire('learner-room-bbbb', (message) => said.push(message));
    await expect.poll(() => said.at(-1), { timeout: 60_000 }).toMatch(/^Waiting for room \(you are next\): no learner node has room: every node is full .*You get a machine as soon as one ends/);
    expect(events).toContain('machine-start-waits-for-room');
    await scoped.destroy(first.id);
    expect(await newcomer).toMatchObject({ learner: 'learner-room-bbbb', state: 'running', node: target.id });
  } finally {
    await machines.stop();
    for (const machine of await scoped.list()) await scoped.destroy(machine.id);
    await scoped.updateNode(target.hostname, { labels: { 'unboxed.capacity': String(target.capacity) } });
  }
});
