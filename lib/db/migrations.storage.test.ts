import { afterEach, beforeEach, expect, it } from 'vitest';
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
  expect(tables.sort()).toEqual(['check_runs', 'class_lessons', 'class_members', 'class_sessions', 'classes', 'exercise_results', 'sessions', 'users']);
  await test.reopen();
  const applied = await test.db.selectFrom('kysely_migration' as never).select('name' as never).execute();
  expect(applied.map((r) => (r as { name: string }).name)).toEqual(['0001-exercise-results', '0002-accounts', '0003-classes', '0004-check-runs', '0005-class-sessions']);
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
