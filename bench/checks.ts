/**
 * Live verification latency: from a finished command (the shell's OSC 133 mark reaching
 * the server) to the tick being pushed to the page, on a real learner machine.
 *
 *   npx tsx bench/checks.ts [runs=20]
 *
 * Each run uses a fresh result store, so the lesson's checks really run. An idle learner
 * costs nothing: checks run only when a command finishes or the page asks.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LiveChecks } from '../lib/checks/live.ts';
import type { ExerciseResult } from '../lib/checks/result.ts';
import { ResultStore } from '../lib/checks/store.ts';
import { openDatabase } from '../lib/db/index.ts';
import { loadCourse } from '../lib/lessons/load.ts';
import { MachineLimits } from '../sandbox/driver.ts';
import { chooseDriver, sandboxConfig } from '../sandbox/index.ts';
import { percentile } from './percentile.ts';

const runs = Number(process.argv[2] ?? 20);
const contentDir = path.resolve('content');
const { lessons } = await loadCourse(contentDir);
const lesson = lessons[0]!;
const driver = await chooseDriver(sandboxConfig(process.env), path.resolve('.cache/bench-checks'));
const machine = await driver.create(MachineLimits.parse({}));
const dir = await mkdtemp(path.join(tmpdir(), 'unboxed-bench-checks-'));

async function measure(label: string): Promise<void> {
  const firstTick: number[] = [];
  const allTicks: number[] = [];
  for (let i = 0; i < runs; i++) {
    const db = await openDatabase(path.join(dir, `run-${label}-${i}.db`));
    const live = new LiveChecks({
      lesson: async (slug) => lessons.find((l) => l.slug === slug),
      contentDir,
      store: new ResultStore(db),
      machine: async () => (argv, options) => driver.exec(machine.id, argv, options),
      onError: (error) => console.error(error),
      log: { warn: (fields, message) => console.warn(message, fields) },
    });
    const seen: ExerciseResult[] = [];
    const start = performance.now();
    const done = new Promise<void>((resolve) =>
      live.watch('bench', lesson.slug, (result) => {
        seen.push(result);
        if (seen.length === 1) firstTick.push(performance.now() - start);
        if (seen.length === lesson.exercises.length) {
          allTicks.push(performance.now() - start);
          resolve();
        }
      }),
    );
    live.commandFinished('bench');
    await done;
    await db.destroy();
  }
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  console.log(`${label.padEnd(28)} first result p50 ${ms(percentile(firstTick, 50))} p95 ${ms(percentile(firstTick, 95))};  all ${lesson.exercises.length} p50 ${ms(percentile(allTicks, 50))} p95 ${ms(percentile(allTicks, 95))}  (n=${runs})`);
}

try {
  console.log(`lesson ${lesson.dir}, ${lesson.exercises.length} exercises, driver ${driver.name}`);
  await measure('untouched (checks fail)');
  const solution = await driver.exec(machine.id, ['bash', '-c', await readFile(path.join(contentDir, lesson.dir, 'solution.sh'), 'utf8')], { timeoutMs: 60_000 });
  if (solution.exitCode !== 0) throw new Error(`solution failed: ${solution.stderr}`);
  await measure('solved (checks pass: ticks)');
} finally {
  await driver.destroy(machine.id);
  await rm(dir, { recursive: true, force: true });
}
