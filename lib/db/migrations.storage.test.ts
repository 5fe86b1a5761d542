import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { ResultStore } from '../checks/store.ts';
import { dialectOf } from './index.ts';
import { openTestDatabase, type TestDatabase } from './testing.ts';

let test: TestDatabase;

beforeEach(async () => {
  test = await openTestDatabase();
});

afterEach(async () => {
  await test.remove();
});

const failing = { name: 'box is running', pass: false, expected: 'running', actual: 'created' };
const passing = { ...failing, pass: true, actual: 'running' };

it('migrates an empty database to the latest version, and reopening applies nothing twice', async () => {
  expect(dialectOf(test.db)).toBe(process.env.UNBOXED_TEST_POSTGRES_URL ? 'postgres' : 'sqlite');
  const tables = (await test.db.introspection.getTables()).map((t) => t.name).filter((n) => !n.startsWith('kysely_'));
  expect(tables.sort()).toEqual(['check_runs', 'class_lessons', 'class_members', 'class_sessions', 'classes', 'exercise_results', 'fleet_leases', 'learner_activity', 'recording_chunks', 'recordings', 'sessions', 'users']);
  await test.reopen();
  const applied = await test.db.selectFrom('kysely_migration' as never).select('name' as never).execute();
  expect(applied.map((r) => (r as { name: string }).name)).toEqual(['0001-exercise-results', '0002-accounts', '0003-classes', '0004-check-runs', '0005-class-sessions', '0006-recordings', '0007-attempts', '0008-fleet-state']);
});

it('records check results with the same semantics on both dialects', async () => {
  const store = new ResultStore(test.db);
  await store.record('ann', 'files', { exercise: 'start', status: 'failed', assertions: [failing], at: '2026-11-23T10:00:00.000Z' });
  await store.record('ann', 'files', { exercise: 'start', status: 'passed', assertions: [passing], at: '2026-11-23T10:01:00.000Z' });
  await store.record('ann', 'files', { exercise: 'start', status: 'failed', assertions: [failing], at: '2026-11-23T10:02:00.000Z' });
  await test.reopen();
  const reopened = new ResultStore(test.db);
  expect(await reopened.lesson('ann', 'files')).toEqual([
    { exercise: 'start', status: 'passed', attempts: 3, passedAt: '2026-11-23T10:01:00.000Z', checkedAt: '2026-11-23T10:02:00.000Z', assertions: [passing] },
  ]);
  expect(await reopened.passedPerLesson('ann')).toEqual({ files: 1 });
});

it('0007 recounts the attempts of runs logged before it: Checks and changed verdicts, not page opens or re-checks', async () => {
  const attempts = await import('./migrations/0007-attempts.ts');
  const db = test.db as unknown as Kysely<unknown>;
  await attempts.down(db);
  const run = (key: string, exercise: string, status: string, at: string) => ({ key, learner: 'ann', lesson: 'files', exercise, status, checked_at: `2026-11-23T10:0${at}:00.000Z` });
  await sql`insert into check_runs (key, learner, lesson, exercise, status, checked_at) values ${sql.join(
    [
      // start: opened (failed), two commands that changed nothing, a Check, a re-check, the command that passed.
      run('u1', 'start', 'failed', '0'),
      run('u2', 'start', 'failed', '1'),
      run('u3', 'start', 'failed', '2'),
      run('ann/k1/files/start', 'start', 'failed', '3'),
      run('ann/recheck-1/files/start', 'start', 'failed', '4'),
      run('u4', 'start', 'passed', '5'),
      // other: only looked at.
      run('u5', 'other', 'failed', '0'),
      run('u6', 'other', 'failed', '1'),
    ].map((r) => sql`(${r.key}, ${r.learner}, ${r.lesson}, ${r.exercise}, ${r.status}, ${r.checked_at})`),
  )}`.execute(db);
  const standing = (exercise: string, status: 'passed' | 'failed', count: number) => ({ learner: 'ann', lesson: 'files', exercise, status, attempts: count, first_passed_at: null, checked_at: '2026-11-23T10:05:00.000Z', evidence: '{"assertions":[]}' });
  await test.db.insertInto('exercise_results').values([standing('start', 'passed', 6), standing('other', 'failed', 2), standing('unlogged', 'failed', 9)]).execute();
  await attempts.up(db);
  const rows = await test.db.selectFrom('exercise_results').select(['exercise', 'attempts']).orderBy('exercise').execute();
  expect(rows).toEqual([
    { exercise: 'other', attempts: 0 },
    { exercise: 'start', attempts: 2 },
    { exercise: 'unlogged', attempts: 1 },
  ]);
  const counted = await test.db.selectFrom('check_runs').select('key').where('counted', '=', 1).orderBy('key').execute();
  expect(counted.map((r) => r.key)).toEqual(['ann/k1/files/start', 'u4']);
});

/** A process that opens (and so migrates) `file` the moment `go` exists; resolves with its exit code and what it printed on stderr. */
function opener(go: string, file: string): Promise<{ code: number | null; stderr: string }> {
  const index = path.resolve(import.meta.dirname, 'index.ts');
  const code = [
    "import { existsSync } from 'node:fs';",
    `import { openDatabase } from ${JSON.stringify(index)};`,
    'while (!existsSync(process.argv[1])) await new Promise((r) => setTimeout(r, 1));',
    'await (await openDatabase(process.argv[2])).destroy();',
  ].join('\n');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, go, file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

it.skipIf(!!process.env.UNBOXED_TEST_POSTGRES_URL)('two servers opening one new SQLite file at the same moment both start: the second waits for the first one\'s migrations', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'unboxed-db-race-'));
  try {
    for (let round = 0; round < 4; round++) {
      const go = path.join(dir, `go-${round}`);
      const file = path.join(dir, `unboxed-${round}.db`);
      const both = [opener(go, file), opener(go, file)];
      // Both have loaded the code by then: they open within a millisecond of each other.
      await new Promise((r) => setTimeout(r, 3000));
      await writeFile(go, '');
      expect(await Promise.all(both)).toEqual([
        { code: 0, stderr: '' },
        { code: 0, stderr: '' },
      ]);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
