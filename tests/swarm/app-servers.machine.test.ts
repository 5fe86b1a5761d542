import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LOST_MACHINE } from '../../sandbox/manager.ts';
import { SwarmDriver } from '../../sandbox/swarm/driver.ts';
import { freePort, TestServer } from '../support/server.ts';
import { TerminalSocket, visitorCookie } from '../support/terminal-socket.ts';
import { CLIENT_TLS, CLIENT_TLS_DIR, ENGINE_PORT, kill, NODES, nodeDocker, up, imageTag } from './cluster.ts';
import { restoreCluster } from './hooks.ts';

/**
 * The whole installation on the test swarm: two app servers on one database, learners
 * arriving through either and spread over the three nodes, each passing an exercise; a
 * node killed under a learner mid-session, the one leading the swarm (the learner is told
 * and given a fresh machine on another node, results kept); a node drained under another
 * (who works on, while a newcomer goes elsewhere).
 */
const root = path.resolve(import.meta.dirname, '../..');
const [manager] = NODES as [(typeof NODES)[number]];
const SCOPE = 'apps';
const MANAGERS = NODES.map((n) => `${n.address}:${ENGINE_PORT}`);
const driver = new SwarmDriver({ managers: MANAGERS, tls: CLIENT_TLS, scope: SCOPE });
const env = {
  UNBOXED_SANDBOX_DRIVER: 'swarm',
  UNBOXED_SWARM_MANAGER: MANAGERS.join(','),
  UNBOXED_SWARM_TLS_DIR: CLIENT_TLS_DIR,
  UNBOXED_SANDBOX_SCOPE: SCOPE,
  UNBOXED_POOL_SIZE: '3',
  // The test nodes' disk budgets (unboxed.disk-mib, half this host's free disk) hold only a
  // few default 10 GiB disks each: the pool and three learners take 2 GiB ones.
  UNBOXED_MACHINE_DISK_MIB: '2048',
};
const LESSON = 'client-and-daemon';
/** Passes the lesson's socket-activation exercise: dockerd stopped, then woken by a request to its socket. */
const PASS = 'systemctl stop docker.service && curl -sf --unix-socket /var/run/docker.sock http://localhost/_ping; echo "passed-$?"';
let image: string;
let dataDir: string;
let servers: readonly [TestServer, TestServer];
/** The node whose CLI the test asks (a live one). */
let asked = manager;

interface Learner {
  readonly cookie: string;
  readonly id: string;
  terminal: TerminalSocket;
}

/** The hostname of the node a machine runs on (its service's node label). */
async function nodeOf(machineId: string): Promise<string> {
  const nodeId = (await nodeDocker(asked, ['service', 'inspect', machineId, '--format', '{{index .Spec.Labels "unboxed.node"}}'])).trim();
  return (await nodeDocker(asked, ['node', 'inspect', nodeId, '--format', '{{.Description.Hostname}}'])).trim();
}

async function machineOf(learner: Learner): Promise<{ id: string; node: string }> {
  const machine = await driver.find(learner.id);
  if (machine?.state !== 'running') throw new Error(`learner ${learner.id} has no running machine (${machine?.state ?? 'none'})`);
  return { id: machine.id, node: await nodeOf(machine.id) };
}

/** A visitor opens a terminal through `server`; which learner they are is read off the machine they were given. */
async function arrive(server: TestServer): Promise<Learner> {
  const before = new Set((await driver.list()).flatMap((m) => (m.learner ? [m.learner] : [])));
  const cookie = await visitorCookie(server.origin);
  const terminal = await TerminalSocket.open(server.origin, '1', cookie);
  const fresh = (await driver.list()).flatMap((m) => (m.learner && !before.has(m.learner) ? [m.learner] : []));
  expect(fresh).toHaveLength(1);
  return { cookie, id: fresh[0]!, terminal };
}

async function passed(server: TestServer, learner: Learner): Promise<number> {
  const response = await fetch(`${server.origin}/api/progress`, { headers: { cookie: learner.cookie } });
  return ((await response.json()) as { passed: Record<string, number> }).passed[LESSON] ?? 0;
}

async function passExercise(server: TestServer, learner: Learner): Promise<void> {
  await learner.terminal.run(PASS, /passed-\d+/, 60_000);
  const check = await fetch(`${server.origin}/api/lessons/${LESSON}/check`, { method: 'POST', headers: { cookie: learner.cookie, origin: server.origin } });
  expect(check.status).toBe(200);
  expect(await passed(server, learner)).toBeGreaterThanOrEqual(1);
}

const warmMachines = async () => (await driver.list()).filter((m) => !m.learner && m.state === 'running');

beforeAll(async () => {
  if (!existsSync(path.join(root, '.next', 'BUILD_ID'))) throw new Error('no production build: run npm run build first');
  image = await imageTag();
  await up(image);
  dataDir = await mkdtemp(path.join(tmpdir(), 'unboxed-swarm-apps-'));
  servers = [new TestServer(await freePort(), { ...env, UNBOXED_DATA_DIR: dataDir }, 240_000), new TestServer(await freePort(), { ...env, UNBOXED_DATA_DIR: dataDir }, 240_000)];
  // One after the other: two servers opening a new SQLite file at once both migrate it.
  for (const server of servers) await server.start();
});

afterAll(async () => {
  if (!dataDir) return;
  await Promise.all(servers.map((s) => s.kill('SIGTERM')));
  await restoreCluster(driver, NODES.map((n) => n.name));
  await rm(dataDir, { recursive: true, force: true });
});

it(
  'learners through two app servers spread over the nodes; a dead node’s learner is told and gets a fresh machine elsewhere with every result kept; a drained node’s learner works on while a newcomer goes elsewhere',
  async () => {
    const [first, second] = servers;
    // The keeper (either server) warms three machines, one a node: placements spread.
    const warmedAt = performance.now();
    await expect.poll(async () => (await warmMachines()).length, { timeout: 300_000, interval: 2000 }).toBe(3);
    const warmNodes = await Promise.all((await warmMachines()).map((m) => nodeOf(m.id)));
    expect(new Set(warmNodes).size).toBe(NODES.length);
    console.log(`pool of 3 warm on 3 nodes: ${((performance.now() - warmedAt) / 1000).toFixed(1)} s after the servers answered`);

    // Three learners, through both servers, each on a warm machine of their own node.
    const learners: Learner[] = [];
    for (const server of [first, second, first]) {
      const started = performance.now();
      learners.push(await arrive(server));
      console.log(`learner ${learners.length} through ${server === first ? 'the first' : 'the second'} server: a shell in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    const homes = await Promise.all(learners.map(machineOf));
    expect(new Set(homes.map((h) => h.node)).size).toBe(NODES.length);
    for (const [i, learner] of learners.entries()) await passExercise(i % 2 === 0 ? first : second, learner);

    // The node that leads the swarm dies under its learner: a new leader is elected (until
    // then managers answer that there is none), and the servers go on through another manager.
    const leader = (await nodeDocker(asked, ['node', 'ls', '--format', '{{.Hostname}} {{.ManagerStatus}}'])).split('\n').find((line) => line.endsWith(' Leader'))!.split(' ')[0];
    const victimIndex = homes.findIndex((h) => h.node === leader);
    const victim = learners[victimIndex]!;
    const dying = NODES.find((n) => n.name === leader)!;
    asked = NODES.find((n) => n !== dying)!;
    const killedAt = performance.now();
    await kill(dying);
    // Their terminal is told the connection broke; the page reconnects, here through the other server.
    await expect.poll(() => victim.terminal.closed?.code, { timeout: 30_000 }).toBe(4007);
    expect(victim.terminal.notices.at(-1)).toMatch(/^Lost the connection to your machine/);
    const other = victimIndex % 2 === 0 ? second : first;
    victim.terminal = await TerminalSocket.open(other.origin, '1', victim.cookie);
    const replacedMs = performance.now() - killedAt;
    expect(victim.terminal.notices, victim.terminal.notices.join('\n')).toContain(LOST_MACHINE);
    const home = await machineOf(victim);
    expect(home.node).not.toBe(dying.name);
    expect(home.id).not.toBe(homes[victimIndex]!.id);
    expect(await passed(other, victim)).toBeGreaterThanOrEqual(1);
    // The fresh machine is whole: a second pass is recorded too.
    await passExercise(other, victim);
    console.log(`node killed → the learner's fresh machine answers on ${home.node}: ${(replacedMs / 1000).toFixed(1)} s`);

    // The others, on live nodes, never noticed.
    const survivors = learners.filter((l) => l !== victim);
    for (const learner of survivors) await learner.terminal.run('echo still-$((40+2))', 'still-42', 30_000);

    // Drain the node of a survivor.
    const [resident] = survivors as [Learner];
    const drained = (await machineOf(resident)).node;
    await driver.updateNode(drained, { availability: 'pause' });
    const newcomer = await arrive(second);
    expect((await machineOf(newcomer)).node).not.toBe(drained);
    expect((await machineOf(newcomer)).node).not.toBe(dying.name);
    await resident.terminal.run('echo drained-$((40+2))', 'drained-42', 30_000);
    expect(await machineOf(resident)).toMatchObject({ node: drained });
    // No warm machine stays on the drained node (nobody would be given it) or on the dead one.
    await expect.poll(async () => (await Promise.all((await driver.list()).filter((m) => !m.learner).map((m) => nodeOf(m.id)))).filter((n) => n === drained || n === dying.name), { timeout: 90_000, interval: 3000 }).toEqual([]);

    for (const learner of [...learners, newcomer]) learner.terminal.close();
  },
  900_000,
);
