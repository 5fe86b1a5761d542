import { afterEach, beforeEach, expect, it } from 'vitest';
import { parseSnapshotOutput } from '../changes/diff.ts';
import { openTestDatabase, type TestDatabase } from '../db/testing.ts';
import { ResultStore } from './store.ts';

let test: TestDatabase;
let store: ResultStore;

beforeEach(async () => {
  test = await openTestDatabase();
  store = new ResultStore(test.db);
});

afterEach(async () => {
  await test.remove();
});

const failing = { name: 'box is running', pass: false, expected: 'running', actual: 'created', hint: 'docker start box' };
const passing = { ...failing, pass: true, actual: 'running' };
/** A second pass with other evidence, to see whose evidence a standing keeps. */
const passingAgain = { ...passing, actual: 'running (restarted)' };

it('counts attempts, and a passed exercise stays passed with its first pass time and evidence', async () => {
  await store.record('ann', 'files', { exercise: 'start', status: 'failed', assertions: [failing], at: '2026-11-23T10:00:00.000Z' });
  expect(await store.lesson('ann', 'files')).toEqual([
    { exercise: 'start', status: 'failed', attempts: 1, checkedAt: '2026-11-23T10:00:00.000Z', assertions: [failing] },
  ]);
  await store.record('ann', 'files', { exercise: 'start', status: 'passed', assertions: [passing], at: '2026-11-23T10:01:00.000Z' });
  await store.record('ann', 'files', { exercise: 'start', status: 'failed', assertions: [failing], at: '2026-11-23T10:02:00.000Z' });
  await store.record('ann', 'files', { exercise: 'start', status: 'error', assertions: [], reason: 'the check did not finish in time', at: '2026-11-23T10:03:00.000Z' });
  await store.record('ann', 'files', { exercise: 'start', status: 'passed', assertions: [passingAgain], at: '2026-11-23T10:04:00.000Z' });
  expect(await store.lesson('ann', 'files')).toEqual([
    { exercise: 'start', status: 'passed', attempts: 5, passedAt: '2026-11-23T10:01:00.000Z', checkedAt: '2026-11-23T10:04:00.000Z', assertions: [passing] },
  ]);
});

it('keeps learners and lessons apart, records broken checks with their reason, and survives a reopen', async () => {
  await store.record('ann', 'files', { exercise: 'create', status: 'error', assertions: [], reason: 'stdout line 1 is not JSON', at: '2026-11-23T10:00:00.000Z' });
  await store.record('bob', 'files', { exercise: 'create', status: 'passed', assertions: [passing], at: '2026-11-23T10:00:00.000Z' });
  const reopened = new ResultStore(await test.reopen());
  expect(await reopened.lesson('ann', 'files')).toMatchObject([{ status: 'error', reason: 'stdout line 1 is not JSON', attempts: 1 }]);
  expect(await reopened.lesson('bob', 'files')).toMatchObject([{ status: 'passed' }]);
  expect(await reopened.lesson('ann', 'processes')).toEqual([]);
  expect(await reopened.passedPerLesson('bob')).toEqual({ files: 1 });
  expect(await reopened.passedPerLesson('ann')).toEqual({});
  expect(await reopened.resultsOfLearners(['ann', 'bob'], ['files'])).toHaveLength(2);
  expect(await reopened.resultsOfLearners(['bob'], ['files'])).toEqual([
    { learner: 'bob', lesson: 'files', exercise: 'create', status: 'passed', attempts: 1, firstPassedAt: '2026-11-23T10:00:00.000Z', checkedAt: '2026-11-23T10:00:00.000Z' },
  ]);
  expect(await reopened.resultsOfLearners([], ['files'])).toEqual([]);
  expect(await reopened.resultsOfLearners(['ann'], [])).toEqual([]);
});

it('moves an anonymous learner’s results into the account, combining what both did', async () => {
  await store.record('account', 'files', { exercise: 'start', status: 'failed', assertions: [failing], at: '2026-01-01T10:00:00.000Z' });
  await store.record('anon', 'files', { exercise: 'start', status: 'passed', assertions: [passing], at: '2026-01-01T11:00:00.000Z' });
  await store.record('anon', 'files', { exercise: 'create', status: 'failed', assertions: [failing], at: '2026-01-01T11:05:00.000Z' });
  await store.record('account', 'daemon', { exercise: 'api', status: 'passed', assertions: [passing], at: '2026-01-01T09:00:00.000Z' });

  expect(await store.moveResults('anon', 'account')).toBe(2);
  expect(await store.lesson('anon', 'files')).toEqual([]);
  const files = await store.lesson('account', 'files');
  expect(files.find((r) => r.exercise === 'start')).toEqual({
    exercise: 'start',
    status: 'passed',
    attempts: 2,
    passedAt: '2026-01-01T11:00:00.000Z',
    checkedAt: '2026-01-01T11:00:00.000Z',
    assertions: [passing],
  });
  expect(files.find((r) => r.exercise === 'create')).toMatchObject({ status: 'failed', attempts: 1 });
  expect(await store.passedPerLesson('account')).toEqual({ files: 1, daemon: 1 });
  const runs = await test.db.selectFrom('check_runs').select('learner').execute();
  expect(new Set(runs.map((r) => r.learner))).toEqual(new Set(['account']));
  expect(await store.moveResults('account', 'account')).toBe(0);
});

it('a move keeps the better standing: the earlier pass with its evidence, else the later check', async () => {
  // The account passed first; the anonymous learner only failed since, then passed later.
  await store.record('account', 'files', { exercise: 'start', status: 'passed', assertions: [passing], at: '2026-01-01T09:00:00.000Z' });
  await store.record('anon', 'files', { exercise: 'start', status: 'failed', assertions: [failing], at: '2026-01-01T12:00:00.000Z' });
  // Both passed: the anonymous learner's pass came first.
  await store.record('account', 'files', { exercise: 'create', status: 'passed', assertions: [passingAgain], at: '2026-01-01T10:00:00.000Z' });
  await store.record('anon', 'files', { exercise: 'create', status: 'passed', assertions: [passing], at: '2026-01-01T08:00:00.000Z' });
  // Neither passed: the account's check is the later one and stands.
  await store.record('account', 'files', { exercise: 'bundle', status: 'error', assertions: [], reason: 'broken check', at: '2026-01-01T10:00:00.000Z' });
  await store.record('anon', 'files', { exercise: 'bundle', status: 'failed', assertions: [failing], at: '2026-01-01T08:00:00.000Z' });

  expect(await store.moveResults('anon', 'account')).toBe(3);
  const byExercise = Object.fromEntries((await store.lesson('account', 'files')).map((r) => [r.exercise, r]));
  expect(byExercise.start).toEqual({
    exercise: 'start',
    status: 'passed',
    attempts: 2,
    passedAt: '2026-01-01T09:00:00.000Z',
    checkedAt: '2026-01-01T12:00:00.000Z',
    assertions: [passing],
  });
  expect(byExercise.create).toMatchObject({ status: 'passed', attempts: 2, passedAt: '2026-01-01T08:00:00.000Z', checkedAt: '2026-01-01T10:00:00.000Z', assertions: [passing] });
  expect(byExercise.bundle).toEqual({ exercise: 'bundle', status: 'error', attempts: 2, checkedAt: '2026-01-01T10:00:00.000Z', assertions: [], reason: 'broken check' });
});

it("keeps the command a pass came after, and what it changed, with the pass's evidence", async () => {
  const changes = parseSnapshotOutput('+D\tf977227546113b3b5c318ca0f0c8b2c3fcba90191aa8c29de450bb8a7cb7a02f\tbox\n').changes;
  await store.record('ann', 'files', { exercise: 'start', status: 'passed', assertions: [passing], command: { line: 'docker start box', changes }, at: '2026-11-23T10:01:00.000Z' });
  await store.record('ann', 'files', { exercise: 'start', status: 'passed', assertions: [passingAgain], at: '2026-11-23T10:02:00.000Z' });
  expect(await store.lesson('ann', 'files')).toMatchObject([{ status: 'passed', assertions: [passing], command: { line: 'docker start box', changes } }]);
});
