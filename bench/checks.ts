/**
 * What a learner waits for after a command, on a real learner machine, along the
 * server's own path (lib/checks/machine-checks.ts `afterCommand`): from the command's end
 * (the shell's mark reaching the server) to the What changed panel's change set, to the
 * first tick, and to every open exercise of lesson 1 judged.
 *
 *   npx tsx bench/checks.ts [runs=20] [--exec]      (UNBOXED_SANDBOX_DRIVER=qemu for the VM)
 *
 * Commands reach the machine through its agent (sandbox/agent.ts), as in the server;
 * `--exec` runs each through the engine's exec instead, for comparison. Each run uses a
 * fresh result store, so the lesson's checks really run. An idle learner costs nothing:
 * checks and snapshots run only when a command finishes or the page asks.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MachineChanges } from '../lib/changes/live.ts';
import { LiveChecks } from '../lib/checks/live.ts';
import { afterCommand } from '../lib/checks/machine-checks.ts';
import type { MachineExec } from '../lib/checks/run.ts';
import { ResultStore } from '../lib/checks/store.ts';
import { openDatabase } from '../lib/db/index.ts';
import { loadCourse } from '../lib/lessons/load.ts';
import { MachineAgents } from '../sandbox/agent.ts';
import { MachineLimits } from '../sandbox/driver.ts';
import { chooseDriver, sandboxConfig } from '../sandbox/index.ts';
import { percentile } from './percentile.ts';

const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 20);
const throughExec = args.includes('--exec');
const contentDir = path.resolve('content');
const { lessons } = await loadCourse(contentDir);
const lesson = lessons[0]!;
const driver = await chooseDriver(sandboxConfig(process.env), path.resolve('.cache/bench-checks'));
const machine = await driver.create(MachineLimits.parse({}));
const agents = new MachineAgents(driver);
const exec: MachineExec = throughExec ? (argv, options) => driver.exec(machine.id, argv, options) : (argv, options) => agents.run(machine.id, argv, options);
const dir = await mkdtemp(path.join(tmpdir(), 'unboxed-bench-checks-'));
const sh = async (command: string) => {
  const result = await driver.exec(machine.id, ['bash', '-c', command], { timeoutMs: 600_000 });
  if (result.exitCode !== 0) throw new Error(`${command}: ${result.stderr}`);
};

async function measure(label: string): Promise<void> {
  const panel: number[] = [];
  const firstTick: number[] = [];
  const allTicks: number[] = [];
  const log = { warn: (fields: object, message: string) => console.warn(message, fields) };
  const changes = new MachineChanges({ machine: async () => exec, log });
  // The baseline a terminal's opening takes.
  await changes.commandFinished('bench', { terminal: '', command: '' });
  for (let i = 0; i < runs; i++) {
    const db = await openDatabase(path.join(dir, `run-${label.replaceAll(/\W/g, '-')}-${i}.db`));
    const live = new LiveChecks({
      lesson: async (slug) => lessons.find((l) => l.slug === slug),
      contentDir,
      store: new ResultStore(db),
      machine: async () => exec,
      onError: (error) => console.error(error),
      log,
    });
    const start = performance.now();
    let judged = 0;
    const ticks = new Promise<void>((resolve) =>
      live.watch('bench', lesson.slug, () => {
        if (++judged === 1) firstTick.push(performance.now() - start);
        if (judged === lesson.exercises.length) {
          allTicks.push(performance.now() - start);
          resolve();
        }
      }),
    );
    const changeSet = new Promise<void>((resolve) => {
      const stop = changes.watch('bench', () => {
        panel.push(performance.now() - start);
        stop();
        resolve();
      });
    });
    afterCommand(changes, live).commandFinished('bench', { terminal: '1', command: 'true', exitCode: 0 });
    await Promise.all([ticks, changeSet]);
    await db.destroy();
  }
  const ms = (v: number[]) => `p50 ${percentile(v, 50).toFixed(0)} p95 ${percentile(v, 95).toFixed(0)} ms`;
  console.log(`${label.padEnd(36)} change set ${ms(panel)};  first tick ${ms(firstTick)};  all ${lesson.exercises.length} judged ${ms(allTicks)}  (n=${runs})`);
}

try {
  console.log(`lesson ${lesson.dir}, ${lesson.exercises.length} exercises, driver ${driver.name}, ${throughExec ? 'an engine exec per command' : "through the machine's agent"}`);
  await measure('0 containers, checks fail');
  await sh('for i in $(seq 20); do docker run -d --name bg$i busybox sleep 3600 >/dev/null; done');
  await measure('20 containers, checks fail');
  await sh(await readFile(path.join(contentDir, lesson.dir, 'solution.sh'), 'utf8'));
  await measure('20 containers, solved (all pass)');
} finally {
  agents.release(machine.id);
  await driver.destroy(machine.id);
  await rm(dir, { recursive: true, force: true });
}
