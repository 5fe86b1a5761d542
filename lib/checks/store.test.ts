import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openDatabase, type Db } from '../db/index.ts';
import { ResultStore } from './store.ts';

let dir: string;
let db: Db;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'unboxed-db-'));
  db = await openDatabase(path.join(dir, 'unboxed.db'));
});

afterEach(async () => {
  await db.destroy();
  await rm(dir, { recursive: true, force: true });
});

const failing = { name: 'box is running', pass: false, expected: 'running', actual: 'created', hint: 'docker start box' };
const passing = { ...failing, pass: true, actual: 'running' };

it('counts attempts, and a passed exercise stays passed with its first pass time and evidence', async () => {
  const store = new ResultStore(db);
  await store.record('ann', 'files', { exercise: 'start', status: 'failed', assertions: [failing], at: '2026-11-23T10:00:00.000Z' });
  expect(await store.lesson('ann', 'files')).toEqual([
    { exercise: 'start', status: 'failed', attempts: 1, checkedAt: '2026-11-23T10:00:00.000Z', assertions: [failing] },
  ]);
  await store.record('ann', 'files', { exercise: 'start', status: 'passed', assertions: [passing], at: '2026-11-23T10:01:00.000Z' });
  await store.record('ann', 'files', { exercise: 'start', status: 'failed', assertions: [failing], at: '2026-11-23T10:02:00.000Z' });
  expect(await store.lesson('ann', 'files')).toEqual([
    { exercise: 'start', status: 'passed', attempts: 3, passedAt: '2026-11-23T10:01:00.000Z', checkedAt: '2026-11-23T10:02:00.000Z', assertions: [passing] },
  ]);
});

it('keeps learners and lessons apart, records broken checks with their reason, and survives a reopen', async () => {
  const store = new ResultStore(db);
  await store.record('ann', 'files', { exercise: 'create', status: 'error', assertions: [], reason: 'stdout line 1 is not JSON', at: '2026-11-23T10:00:00.000Z' });
  await store.record('bob', 'files', { exercise: 'create', status: 'passed', assertions: [passing], at: '2026-11-23T10:00:00.000Z' });
  await db.destroy();
  db = await openDatabase(path.join(dir, 'unboxed.db'));
  const reopened = new ResultStore(db);
  expect(await reopened.lesson('ann', 'files')).toMatchObject([{ status: 'error', reason: 'stdout line 1 is not JSON', attempts: 1 }]);
  expect(await reopened.lesson('bob', 'files')).toMatchObject([{ status: 'passed' }]);
  expect(await reopened.lesson('ann', 'processes')).toEqual([]);
  expect(await reopened.passedPerLesson('bob')).toEqual({ files: 1 });
  expect(await reopened.passedPerLesson('ann')).toEqual({});
});
