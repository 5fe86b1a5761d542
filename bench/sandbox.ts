/**
 * Learner machine figures, per driver: cold start by phase, claim from the warm pool,
 * exec round trip, then a fleet grown to each size in turn with the time to look up one
 * learner's machine and to list them all, memory and disk per idle machine, and how many
 * fit in 16 GiB.
 *
 *   npx tsx bench/sandbox.ts [--cold 5] [--execs 50] [--fleet 10,50,150]
 *
 * Ready means the shell works, the machine's dockerd answers and the lesson images are
 * there. Machines live in a scope of the bench's own (docker driver) and are removed at
 * the end.
 */
import { randomBytes } from 'node:crypto';
import { statfs } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DockerDriver } from '../sandbox/docker/driver.ts';
import { dockerCli } from '../sandbox/docker/testing.ts';
import { MachineLimits, type SandboxDriver } from '../sandbox/driver.ts';
import { chooseDriver, sandboxConfig } from '../sandbox/index.ts';
import { MachineManager } from '../sandbox/manager.ts';
import { residentMiB, runProcess } from '../sandbox/process.ts';
import { percentile } from './percentile.ts';

const { values } = parseArgs({ options: { cold: { type: 'string', default: '5' }, execs: { type: 'string', default: '50' }, fleet: { type: 'string', default: '10,50,150' } } });
const fleet = values.fleet.split(',').map(Number);
const phases = new Map<string, number[]>();
const log = (event: string, fields: Record<string, unknown>) => {
  if (event !== 'machine-started') return;
  for (const [phase, ms] of Object.entries(fields.phases as Record<string, number>)) phases.set(phase, [...(phases.get(phase) ?? []), ms]);
};
const config = sandboxConfig(process.env);
const cacheDir = path.resolve('.cache/bench-sandbox');
const chosen = await chooseDriver(config, cacheDir, log);
const driver: SandboxDriver = chosen.name === 'docker' ? new DockerDriver({ cacheDir, log, scope: `bench${randomBytes(3).toString('hex')}` }) : chosen;
const limits = MachineLimits.parse({});
const qemuBefore = new Set(await qemuPids());
const line = (label: string, text: string) => console.log(`${label.padEnd(40)} ${text}`);
const report = (label: string, ms: readonly number[]) =>
  line(label, `n=${String(ms.length).padEnd(4)} p50 ${percentile(ms, 50).toFixed(0).padStart(6)} ms  p95 ${percentile(ms, 95).toFixed(0).padStart(6)} ms  max ${Math.max(...ms).toFixed(0).padStart(6)} ms`);
const timed = async <T>(into: number[], fn: () => Promise<T>): Promise<T> => {
  const start = performance.now();
  const result = await fn();
  into.push(performance.now() - start);
  return result;
};
console.log(`driver: ${driver.name}`);

try {
  await driver.prepare(limits);
  const coldMs: number[] = [];
  for (let i = 0; i < Number(values.cold); i++) await timed(coldMs, () => driver.create(limits));
  report('time to ready, cold', coldMs);
  for (const [phase, ms] of phases) report(`  phase: ${phase}`, ms);

  // The server's manager (started: it keeps a warm pool); each claim waits until the pool is full again.
  const pooled = new MachineManager(driver, { limits, poolSize: 1, capacity: 1000, startConcurrency: 4, log: () => undefined });
  await pooled.start(3_600_000);
  const warmMs: number[] = [];
  for (let i = 0; i < Number(values.cold); i++) {
    while (!(await driver.list()).some((m) => !m.learner && m.state === 'running')) await new Promise((r) => setTimeout(r, 100));
    await timed(warmMs, () => pooled.acquire(`bench-learner-${i}`));
  }
  report('time to a machine, from the warm pool', warmMs);
  await pooled.stop();
  for (const machine of await driver.list()) if (!machine.learner) await driver.destroy(machine.id);

  // An operator's manager (not started: no pool) grows the fleet to exact sizes.
  const manager = new MachineManager(driver, { limits, poolSize: 0, capacity: 1000, startConcurrency: 4, log: () => undefined });

  const execMs: number[] = [];
  for (let i = 0; i < Number(values.execs); i++) await timed(execMs, () => manager.exec('bench-learner-0', ['sh', '-c', 'test -d /var/lib/docker/containers'], { timeoutMs: 10_000 }));
  report('exec round trip (trivial check)', execMs);

  const diskBefore = await poolUsedBytes();
  for (const size of fleet) {
    const have = (await driver.list()).length;
    const start = performance.now();
    const starts: Array<Promise<unknown>> = [];
    for (let i = have; i < size; i++) starts.push(manager.acquire(`bench-learner-${i}`));
    await Promise.all(starts);
    line(`grew the fleet to ${size}`, `${((performance.now() - start) / 1000).toFixed(1)} s for ${size - have} machines (4 at a time)`);
    const lookups: number[] = [];
    const lists: number[] = [];
    for (let i = 0; i < 20; i++) await timed(lookups, () => manager.machineOf(`bench-learner-${i % size}`));
    for (let i = 0; i < 5; i++) await timed(lists, () => manager.list());
    report(`  lookup of one learner's machine @${size}`, lookups);
    report(`  list of every machine @${size}`, lists);
  }

  await new Promise((r) => setTimeout(r, 5000));
  const ours = await driver.list();
  const mib = driver.name === 'docker' ? await dockerMemory(ours.map((m) => m.id)) : await qemuMemory();
  const idle = mib.reduce((a, b) => a + b, 0) / mib.length;
  line('memory per idle machine', `${idle.toFixed(0)} MiB over ${mib.length} (${driver.name === 'docker' ? 'cgroup usage, page cache included' : "QEMU's resident memory on the host"})`);
  line('machines that fit in 16 GiB', `${Math.floor((16 * 1024) / idle)} by idle usage; ${Math.floor((16 * 1024) / limits.memoryMiB)} at their ${limits.memoryMiB} MiB limit`);
  if (diskBefore !== undefined) line('disk per idle machine', `${((((await poolUsedBytes())! - diskBefore) / ours.length) / 2 ** 20).toFixed(0)} MiB (copy-on-write clones of one prepared disk)`);
} finally {
  for (const machine of await driver.list()) await driver.destroy(machine.id).catch((error: unknown) => console.error(String(error)));
}

async function dockerMemory(ids: readonly string[]): Promise<number[]> {
  const stats = await dockerCli(['stats', '--no-stream', '--format', '{{.MemUsage}}', ...ids]);
  return stats
    .trim()
    .split('\n')
    .map((row) => parseFloat(row) * (/GiB/.test(row.split('/')[0]!) ? 1024 : 1));
}

/** Bytes used in the docker driver's disk pool. */
async function poolUsedBytes(): Promise<number | undefined> {
  if (driver.name !== 'docker') return undefined;
  const s = await statfs('/var/lib/unboxed/disks');
  return (s.blocks - s.bfree) * s.bsize;
}

/** The QEMU processes of this bench's VMs (those that were not running before it): VmRSS. */
async function qemuMemory(): Promise<number[]> {
  const ours = (await qemuPids()).filter((pid) => !qemuBefore.has(pid));
  return Promise.all(ours.map((pid) => residentMiB(pid)));
}

async function qemuPids(): Promise<string[]> {
  return (await runProcess('pgrep', ['-f', 'qemu-system'])).stdout.trim().split('\n').filter(Boolean);
}
