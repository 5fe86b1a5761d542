/**
 * A class arriving in the same second on the three-node test swarm (tests/swarm/cluster.ts)
 * through two app servers that share one database: the keeper warms the pool, then every
 * learner (half through each server) opens a terminal at once. Prints how long the pool
 * took to warm; for each learner, the time until their terminal is ready (a machine theirs,
 * its shell attached) and until a command's output is back (p50, p95, max); how many got a
 * warm machine; and where the machines went.
 *
 *   npm run build && npx tsx bench/swarm-class.ts [learners=30] [pool=learners]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SwarmDriver } from '../sandbox/swarm/driver.ts';
import { CLIENT_TLS, CLIENT_TLS_DIR, ENGINE_PORT, NODES, nodeDocker, up, imageTag } from '../tests/swarm/cluster.ts';
import { freePort, TestServer } from '../tests/support/server.ts';
import { TerminalSocket, visitorCookie } from '../tests/support/terminal-socket.ts';
import { percentile } from './percentile.ts';

const learners = Number(process.argv[2] ?? 30);
const poolSize = Number(process.argv[3] ?? learners);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const manager = `${NODES[0]!.address}:${ENGINE_PORT}`;
const SCOPE = 'classbench';
const driver = new SwarmDriver({ managers: [manager], tls: CLIENT_TLS, scope: SCOPE });

const image = await imageTag();
await up(image);
// Room for the whole class on the three nodes (the test cluster labels 8 each), and a disk
// budget for it: 2 GiB disks, sparse ext4 files of which a fresh machine writes little.
const perNode = Math.ceil(Math.max(learners, poolSize) / NODES.length) + 1;
const diskBudgets = await Promise.all(NODES.map(async (n) => (await nodeDocker(NODES[0]!, ['node', 'inspect', n.name, '--format', '{{index .Spec.Labels "unboxed.disk-mib"}}'])).trim()));
for (const node of NODES) await driver.updateNode(node.name, { labels: { 'unboxed.capacity': String(perNode), 'unboxed.disk-mib': String(perNode * 2048) } });

const dataDir = await mkdtemp(path.join(tmpdir(), 'unboxed-bench-swarm-class-'));
const env = {
  UNBOXED_SANDBOX_DRIVER: 'swarm',
  UNBOXED_SWARM_MANAGER: manager,
  UNBOXED_SWARM_TLS_DIR: CLIENT_TLS_DIR,
  UNBOXED_SANDBOX_SCOPE: SCOPE,
  UNBOXED_POOL_SIZE: String(poolSize),
  UNBOXED_MACHINE_DISK_MIB: '2048',
  UNBOXED_DISK_RESERVE_MIB: '0',
  // A class arrives from one address (here, loopback): anonymous starts are capped per address.
  UNBOXED_ANONYMOUS_STARTS_PER_ADDRESS: '1000',
  UNBOXED_ANONYMOUS_STARTS_PER_MINUTE: '1000',
  UNBOXED_DATA_DIR: dataDir,
};
const servers = [new TestServer(await freePort(), env, 300_000), new TestServer(await freePort(), env, 300_000)] as const;
const terminals: TerminalSocket[] = [];
try {
  let at = performance.now();
  await Promise.all(servers.map((s) => s.start()));
  console.log(`two app servers answer: ${seconds(performance.now() - at)}`);

  at = performance.now();
  const warm = async () => (await driver.list()).filter((m) => !m.learner && m.state === 'running').length;
  for (let last = -1; ; ) {
    const now = await warm();
    if (now !== last) console.log(`  ${seconds(performance.now() - at)}: ${now}/${poolSize} warm`);
    last = now;
    if (now >= poolSize) break;
    if (performance.now() - at > 40 * 60_000) throw new Error(`the pool did not warm in 40 minutes (${now}/${poolSize})`);
    await new Promise((r) => setTimeout(r, 5000));
  }
  console.log(`pool of ${poolSize} warm: ${seconds(performance.now() - at)}`);

  // Cookies first (a page load each), then every terminal in the same moment.
  const cookies = await Promise.all(Array.from({ length: learners }, (_, i) => visitorCookie(servers[i % 2]!.origin)));
  at = performance.now();
  const times = await Promise.all(
    cookies.map(async (cookie, i) => {
      const terminal = await TerminalSocket.open(servers[i % 2]!.origin, '1', cookie, 30 * 60_000);
      const ready = performance.now() - at;
      terminals.push(terminal);
      await terminal.run(`echo shell-$((${i}+1000))`, `shell-${i + 1000}\r\n`, 60_000);
      return { ready, shell: performance.now() - at };
    }),
  );
  const spread = (ms: number[]) => `p50 ${seconds(percentile(ms, 50))}, p95 ${seconds(percentile(ms, 95))}, max ${seconds(Math.max(...ms))}`;
  console.log(`${learners} learners at once through two servers: terminal ready (a machine theirs, its shell attached) ${spread(times.map((t) => t.ready))}; a command's output back ${spread(times.map((t) => t.shell))}`);
  const machines = (await driver.list()).filter((m) => m.learner);
  console.log(`learners on a warm machine: ${machines.filter((m) => m.id.includes('-pool-')).length} of ${machines.length}`);
  const load = await driver.nodes();
  console.log(`machines per node: ${load.map((n) => `${n.hostname} ${n.machines}/${n.capacity}`).join(', ')}`);
} finally {
  for (const terminal of terminals) terminal.close();
  await Promise.all(servers.map((s) => s.kill('SIGTERM')));
  for (const machine of await driver.list()) await driver.destroy(machine.id);
  for (const [i, node] of NODES.entries()) await driver.updateNode(node.name, { labels: { 'unboxed.capacity': String(node.capacity), 'unboxed.disk-mib': diskBudgets[i]! } });
  await rm(dataDir, { recursive: true, force: true });
}
