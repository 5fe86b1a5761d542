/**
 * "What changed" cost per command, on a real learner machine of the chosen driver: the
 * time from a command's end to its change set (one exec into the machine: snapshot,
 * compare, group), with 0 and with 20 containers running; the size of a snapshot; the
 * CPU the machine spent on it.
 *
 *   npx tsx bench/changes.ts [runs=20]       (UNBOXED_SANDBOX_DRIVER=qemu for the VM)
 *
 * An idle machine costs nothing: a snapshot is taken only when a command ends.
 */
import path from 'node:path';
import { snapshotChanges } from '../lib/changes/snapshot.ts';
import { changeCount } from '../lib/changes/schema.ts';
import type { MachineExec } from '../lib/checks/run.ts';
import { MachineAgents } from '../sandbox/agent.ts';
import { MachineLimits } from '../sandbox/driver.ts';
import { chooseDriver, sandboxConfig } from '../sandbox/index.ts';
import { runProcess } from '../sandbox/process.ts';
import { percentile } from './percentile.ts';

const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 20);
const throughExec = args.includes('--exec');
const driver = await chooseDriver(sandboxConfig(process.env), path.resolve('.cache/bench-changes'));
const machine = await driver.create(MachineLimits.parse({}));
const agents = new MachineAgents(driver);
const exec: MachineExec = throughExec ? (argv, options) => driver.exec(machine.id, argv, options) : (argv, options) => agents.run(machine.id, argv, options);
const sh = async (command: string) => {
  const result = await driver.exec(machine.id, ['bash', '-c', command], { timeoutMs: 600_000 });
  if (result.exitCode !== 0) throw new Error(`${command}: ${result.stderr}`);
  return result.stdout.trim();
};
/**
 * CPU time (ms) the whole machine has used, read on the host from its container's cgroup
 * (docker driver; execs count there, inside the machine they may sit above its own
 * cgroup). Undefined for a VM.
 */
async function machineCpuMs(): Promise<number | undefined> {
  if (driver.name !== 'docker') return undefined;
  const host = async (command: string) => (await runProcess('bash', ['-c', command])).stdout.trim();
  const id = await host(`docker inspect -f '{{.Id}}' ${machine.id}`);
  const v1 = await host(`find /sys/fs/cgroup/cpu,cpuacct -maxdepth 4 -path '*${id}*' -name cpuacct.usage 2>/dev/null | head -1`);
  if (v1) return Number(await host(`cat ${v1}`)) / 1e6;
  const v2 = await host(`find /sys/fs/cgroup -maxdepth 4 -path '*${id}*' -name cpu.stat 2>/dev/null | head -1`);
  return v2 ? Number(await host(`awk '$1 == "usage_usec" { print $2 }' ${v2}`)) / 1e3 : undefined;
}

async function measure(label: string, command: string): Promise<void> {
  const took: number[] = [];
  let items = 0;
  for (let i = 0; i < runs; i++) {
    await sh(command);
    const start = performance.now();
    const { changes } = await snapshotChanges(exec);
    took.push(performance.now() - start);
    items = Math.max(items, changeCount(changes));
  }
  // The snapshot's own CPU: the machine's, over 5 snapshots of a quiet machine.
  const before = await machineCpuMs();
  for (let i = 0; i < 5; i++) await snapshotChanges(exec);
  const after = await machineCpuMs();
  const cpu = before === undefined || after === undefined ? 'machine CPU n/a' : `machine CPU ${((after - before) / 5).toFixed(0)} ms/command`;
  const size = await sh('wc -c </run/unboxed/changes/last');
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  console.log(
    `${label.padEnd(40)} p50 ${ms(percentile(took, 50))} p95 ${ms(percentile(took, 95))}  snapshot ${(Number(size) / 1024).toFixed(0)} KiB  ${cpu}  (largest change set ${items} items, n=${runs})`,
  );
}

try {
  console.log(`driver ${driver.name}, ${throughExec ? 'an engine exec per snapshot' : "through the machine's agent"}`);
  await snapshotChanges(exec);
  await measure('0 containers, command changes nothing', 'true');
  await measure('0 containers, docker create + rm', 'docker create --name probe busybox true >/dev/null && docker rm probe >/dev/null');
  await sh('for i in $(seq 20); do docker run -d --name bg$i busybox sleep 3600 >/dev/null; done');
  await snapshotChanges(exec);
  await measure('20 containers, command changes nothing', 'true');
  await measure('20 containers, docker run -d + rm -f', 'docker run -d --name probe busybox sleep 60 >/dev/null && docker rm -f probe >/dev/null');
} finally {
  agents.release(machine.id);
  await driver.destroy(machine.id);
}
