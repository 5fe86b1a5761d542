/**
 * A child process for the crash tests: records check runs under the keys run-FROM …
 * run-(TO-1) through the real ResultStore and prints each key once its transaction has
 * committed. What it records depends only on the key, so a retry records the same run.
 * Usage: node --import tsx tests/durability/record-loop.ts TARGET_JSON FROM TO
 */
import { ResultStore } from '../../lib/checks/store.ts';
import { openDatabase, type DatabaseTarget } from '../../lib/db/index.ts';

export const LEARNER = 'crash-learner';
export const LESSON = 'crash-lesson';
export const EXERCISES = ['ex-0', 'ex-1', 'ex-2'] as const;

/** The run recorded under key number i. */
export function runOf(i: number) {
  const pass = i % 7 === 6;
  const assertion = { name: `attempt ${i}`, pass, expected: 'running', actual: pass ? 'running' : 'created' };
  return { exercise: EXERCISES[i % EXERCISES.length]!, status: pass ? ('passed' as const) : ('failed' as const), assertions: [assertion], at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() };
}

if (import.meta.filename === process.argv[1]) {
  const [target, from, to] = process.argv.slice(2);
  const db = await openDatabase(JSON.parse(target!) as DatabaseTarget);
  const store = new ResultStore(db);
  for (let i = Number(from); i < Number(to); i++) {
    await store.record(LEARNER, LESSON, runOf(i), `run-${i}`);
    process.stdout.write(`run-${i}\n`);
  }
  await db.destroy();
}
