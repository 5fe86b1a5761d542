/**
 * Learner machine figures, per driver: time to ready cold and from the warm pool, exec
 * round trip of a trivial check, memory per idle machine, and how many fit in 16 GiB.
 *
 *   npx tsx bench/sandbox.ts [cold=3] [execs=50]
 *
 * Ready means the shell works, the machine's dockerd answers and the lesson images are
 * loaded. Every machine it starts is removed at the end.
 */
import path from 'node:path';
import { MachineManager } from '../sandbox/manager.ts';
import { MachineLimits } from '../sandbox/driver.ts';
import { chooseDriver } from '../sandbox/index.ts';
import { dockerOk } from '../sandbox/docker/engine.ts';
import { residentMiB, runProcess } from '../sandbox/process.ts';
import { percentile } from './percentile.ts';

const cold = Number(process.argv[2] ?? 3);
const execs = Number(process.argv[3] ?? 50);

function report(label: string, ms: readonly number[]): void {
  console.log(`${label.padEnd(36)} n=${String(ms.length).padEnd(3)} p50 ${percentile(ms, 50).toFixed(0).padStart(6)} ms  p95 ${percentile(ms, 95).toFixed(0).padStart(6)} ms`);
}

const driver = await chooseDriver(process.env, path.resolve('.cache/bench-sandbox'));
const limits = MachineLimits.parse({});
const before = new Set((await driver.list()).map((m) => m.id));
const qemuBefore = new Set(await qemuPids());
console.log(`driver: ${driver.name}`);

try {
  const coldMs: number[] = [];
  for (let i = 0; i < cold; i++) {
    const start = performance.now();
    await driver.create(limits);
    coldMs.push(performance.now() - start);
  }
  report('time to ready, cold', coldMs);

  const manager = new MachineManager(driver, { limits, poolSize: 1, log: () => undefined });
  const warmMs: number[] = [];
  for (let i = 0; i < cold; i++) {
    await manager.fillPool();
    const start = performance.now();
    await manager.forLearner(`bench-learner-${i}`);
    warmMs.push(performance.now() - start);
  }
  report('time to ready, from the warm pool', warmMs);
  await manager.fillPool();

  // Claiming renames machines: look them up again.
  const ours = (await driver.list()).filter((m) => !before.has(m.id)).map((m) => m.id);
  const id = ours[0]!;
  const execMs: number[] = [];
  for (let i = 0; i < execs; i++) {
    const start = performance.now();
    await driver.exec(id, ['sh', '-c', 'test -d /var/lib/docker/containers && echo ok'], { timeoutMs: 10_000 });
    execMs.push(performance.now() - start);
  }
  report('exec round trip (trivial check)', execMs);

  await new Promise((r) => setTimeout(r, 5000));
  const mib = driver.name === 'docker' ? await dockerMemory(ours) : await qemuMemory();
  const idle = mib.reduce((a, b) => a + b, 0) / mib.length;
  console.log(`${'memory per idle machine'.padEnd(36)} ${idle.toFixed(0)} MiB (${driver.name === 'docker' ? 'cgroup usage, page cache included' : "QEMU's resident memory on the host"})`);
  console.log(`${'machines that fit in 16 GiB'.padEnd(36)} ${Math.floor((16 * 1024) / idle)} by idle usage; ${Math.floor((16 * 1024) / limits.memoryMiB)} at their ${limits.memoryMiB} MiB limit`);
} finally {
  // Everything that was not there before the bench: its machines and the pool's refills.
  for (const machine of await driver.list()) if (!before.has(machine.id)) await driver.destroy(machine.id);
}

async function dockerMemory(ids: readonly string[]): Promise<number[]> {
  const stats = await dockerOk(['stats', '--no-stream', '--format', '{{.MemUsage}}', ...ids]);
  return stats
    .trim()
    .split('\n')
    .map((line) => parseFloat(line) * (/GiB/.test(line.split('/')[0]!) ? 1024 : 1));
}

/** The QEMU processes of this bench's VMs (those that were not running before it): VmRSS. */
async function qemuMemory(): Promise<number[]> {
  const ours = (await qemuPids()).filter((pid) => !qemuBefore.has(pid));
  return Promise.all(ours.map((pid) => residentMiB(pid)));
}

async function qemuPids(): Promise<string[]> {
  return (await runProcess('pgrep', ['-f', 'qemu-system'])).stdout.trim().split('\n').filter(Boolean);
}
