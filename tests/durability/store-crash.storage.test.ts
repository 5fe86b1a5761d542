import { spawn } from 'node:child_process';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ResultStore } from '../../lib/checks/store.ts';
import { openTestDatabase, type TestDatabase } from '../../lib/db/testing.ts';
import { EXERCISES, LEARNER, LESSON, runOf } from './record-loop.ts';

/**
 * A process recording check runs is killed with SIGKILL at arbitrary moments (most of
 * its time is spent inside the recording transaction), then every run is retried under
 * its key: nothing acknowledged is lost, nothing counts twice, the log and the
 * standings agree.
 */
let test: TestDatabase;

beforeEach(async () => {
  test = await openTestDatabase();
  // The recording processes open it themselves.
  await test.close();
});

afterEach(async () => {
  await test.remove();
});

const RUNS = 300;

/** Runs the loop over [from, to); kills it after `killAfter` acknowledgements, if given. */
function recordLoop(from: number, to: number, killAfter?: number): Promise<{ acked: string[]; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/durability/record-loop.ts', JSON.stringify(test.target), String(from), String(to)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked: string[] = [];
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      acked.push(...lines);
      if (killAfter !== undefined && acked.length >= killAfter) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ acked, killed: true });
      else if (code === 0) resolve({ acked, killed: false });
      else reject(new Error(`record loop exited with ${code}`));
    });
  });
}

async function logAndStandings() {
  const db = await test.reopen();
  const log = await db.selectFrom('check_runs').select(['key', 'exercise']).where('learner', '=', LEARNER).execute();
  const standings = await new ResultStore(db).lesson(LEARNER, LESSON);
  await test.close();
  return { keys: log.map((r) => r.key), perExercise: Object.fromEntries(EXERCISES.map((e) => [e, log.filter((r) => r.exercise === e).length])), standings };
}

it('a recording process killed with SIGKILL loses no acknowledged run and counts none twice after retries', async () => {
  const acknowledged = new Set<string>();
  for (const killAfter of [15, 60, 120]) {
    const { acked, killed } = await recordLoop(0, RUNS, killAfter);
    expect(killed).toBe(true);
    acked.forEach((k) => acknowledged.add(k));
    const { keys, perExercise, standings } = await logAndStandings();
    const recorded = new Set(keys);
    expect(keys.length).toBe(recorded.size);
    for (const key of acknowledged) expect(recorded.has(key), `${key} was acknowledged before the kill`).toBe(true);
    // Each standing counts exactly the runs in the log: a killed transaction left neither half.
    for (const s of standings) expect(s.attempts).toBe(perExercise[s.exercise]);
  }

  // Retry everything: runs already recorded are recognised by their keys.
  await recordLoop(0, RUNS);
  const { keys, perExercise, standings } = await logAndStandings();
  expect(keys.length).toBe(RUNS);
  expect(new Set(keys).size).toBe(RUNS);
  for (const exercise of EXERCISES) {
    const expected = Array.from({ length: RUNS }, (_, i) => i).filter((i) => runOf(i).exercise === exercise);
    expect(perExercise[exercise]).toBe(expected.length);
    const standing = standings.find((s) => s.exercise === exercise)!;
    expect(standing.attempts).toBe(expected.length);
    const firstPass = expected.find((i) => runOf(i).status === 'passed')!;
    expect(standing.passedAt).toBe(runOf(firstPass).at);
  }
});

it('recording the same key twice counts once and says so', async () => {
  const db = await test.reopen();
  const store = new ResultStore(db);
  expect(await store.record(LEARNER, LESSON, runOf(0), 'once')).toBe(true);
  expect(await store.record(LEARNER, LESSON, runOf(0), 'once')).toBe(false);
  expect(await store.record(LEARNER, LESSON, runOf(3), 'twice')).toBe(true);
  expect((await store.lesson(LEARNER, LESSON)).map((s) => [s.exercise, s.attempts])).toEqual([['ex-0', 2]]);
});
