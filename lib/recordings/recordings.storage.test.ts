import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { Accounts, type Account } from '../auth/accounts.ts';
import { ClassStore, NewClass, type ClassInfo } from '../classes/store.ts';
import { openTestDatabase, type TestDatabase } from '../db/testing.ts';
import { Recorder } from './recorder.ts';
import { RecordingStore } from './store.ts';

let test: TestDatabase;
let classes: ClassStore;
let store: RecordingStore;
let ann: Account;
let bob: Account;
let recorded: ClassInfo;
let warnings: string[];

beforeEach(async () => {
  test = await openTestDatabase();
  const accounts = new Accounts(test.db);
  classes = new ClassStore(test.db);
  store = new RecordingStore(test.db);
  warnings = [];
  const make = (name: string, role: Account['role']) => accounts.create({ email: `${name}@example.org`, name, password: 'a long enough password', role });
  const teacher = await make('teacher', 'instructor');
  [ann, bob] = await Promise.all([make('ann', 'learner'), make('bob', 'learner')]);
  recorded = await classes.create(teacher, NewClass.parse({ name: 'Recorded', lessons: ['files'], deadline: '2026-12-01T17:00:00Z' }));
  const plain = await classes.create(teacher, NewClass.parse({ name: 'Plain', lessons: ['files'], deadline: '2026-12-01T17:00:00Z' }));
  await store.setRecording(recorded.id, true);
  await classes.join(recorded.joinCode, ann);
  await classes.join(plain.joinCode, bob);
});

afterEach(async () => {
  await test.remove();
});

function recorder(capBytes?: number) {
  return new Recorder({ store, flushMs: 20, log: { warn: (_fields, message) => warnings.push(message) }, ...(capBytes !== undefined && { capBytes }) });
}

/** Waits until the learner's recordings in the class satisfy `done`. */
const settled = (userId: string, done: (bytes: number) => boolean) =>
  vi.waitFor(async () => {
    const bytes = (await store.list(recorded.id, userId)).reduce((n, r) => n + r.bytes, 0);
    if (!done(bytes)) throw new Error(`${bytes} bytes so far`);
  });

it('records a learner\'s terminal in a recording class as asciicast v2: output and resizes, kept across a reopen', async () => {
  expect((await classes.get(recorded.id))?.recording).toBe(true);
  expect(await store.classesRecording(ann.learner)).toEqual([{ classId: recorded.id, className: 'Recorded', userId: ann.id }]);
  const observer = recorder().observe(ann.learner, 'main', { cols: 80, rows: 24 });
  observer.output('$ echo hi\r\nhi\r\n');
  observer.resize({ cols: 100, rows: 30 });
  observer.closed();
  await settled(ann.id, (bytes) => bytes > 0);
  await test.reopen();
  store = new RecordingStore(test.db);
  const [info] = await store.list(recorded.id, ann.id);
  expect(info).toMatchObject({ terminal: 'main', cols: 80, rows: 24, capped: false });
  const lines = (await store.cast(recorded.id, ann.id, info!.id))!.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
  expect(lines[0]).toMatchObject({ version: 2, width: 80, height: 24, title: 'main' });
  expect(lines.slice(1).map((e) => (e as unknown[]).slice(1))).toEqual([
    ['o', '$ echo hi\r\nhi\r\n'],
    ['r', '100x30'],
  ]);
  // Another learner's id, or another class's, finds nothing.
  expect(await store.cast(recorded.id, bob.id, info!.id)).toBeUndefined();
});

it('records nobody outside a recording class, and stops when the class stops recording', async () => {
  const plain = recorder().observe(bob.learner, 'main', { cols: 80, rows: 24 });
  plain.output('secret\r\n');
  plain.closed();
  const open = recorder().observe(ann.learner, 'main', { cols: 80, rows: 24 });
  open.output('one\r\n');
  await settled(ann.id, (bytes) => bytes > 0);
  const before = (await store.list(recorded.id, ann.id))[0]!.bytes;
  await store.setRecording(recorded.id, false);
  open.output('two\r\n');
  await new Promise((resolve) => setTimeout(resolve, 100));
  open.closed();
  expect(await test.db.selectFrom('recordings').select('user_id').execute()).toEqual([{ user_id: ann.id }]);
  await store.setRecording(recorded.id, true);
  expect((await store.list(recorded.id, ann.id))[0]!.bytes).toBe(before);
});

it('writes a flood in chunks of the size given as it comes, not all at the next period', async () => {
  const rec = new Recorder({ store, flushMs: 60_000, flushChars: 1000, log: { warn: (_fields, message) => warnings.push(message) } });
  const observer = rec.observe(ann.learner, 'main', { cols: 80, rows: 24 });
  for (let i = 0; i < 10; i++) {
    observer.output('y'.repeat(600));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // 6000 characters, written a chunk at a time long before the 60 s period.
  await settled(ann.id, (bytes) => bytes >= 5000);
  const [info] = await store.list(recorded.id, ann.id);
  const chunks = await test.db.selectFrom('recording_chunks').select('events').where('recording_id', '=', info!.id).orderBy('seq').execute();
  expect(chunks.length).toBeGreaterThanOrEqual(4);
  expect(chunks.every((c) => c.events.length < 2 * 1000)).toBe(true);
  observer.closed();
  expect(warnings).toEqual([]);
});

it('stops a learner\'s recordings at their cap with a marker, across terminals, and the terminal goes on', async () => {
  const rec = recorder(2000);
  const one = rec.observe(ann.learner, 'main', { cols: 80, rows: 24 });
  const two = rec.observe(ann.learner, 'second', { cols: 80, rows: 24 });
  for (let i = 0; i < 10; i++) {
    one.output(`${'a'.repeat(100)}\r\n`);
    two.output(`${'b'.repeat(100)}\r\n`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  one.closed();
  two.closed();
  await settled(ann.id, (bytes) => bytes > 0);
  await vi.waitFor(async () => expect((await store.list(recorded.id, ann.id)).every((r) => r.capped)).toBe(true));
  const all = await store.list(recorded.id, ann.id);
  // The cap, give or take the second terminal's stop marker (room is kept for one).
  expect(all.reduce((n, r) => n + r.bytes, 0)).toBeLessThanOrEqual(2000 + 200);
  const cast = (await store.cast(recorded.id, ann.id, all[0]!.id))!;
  expect(cast.trimEnd().split('\n').at(-1)).toMatch(/"m","recording stopped: this learner's recordings reached the class's cap/);
});

it('removes a learner\'s recordings when they leave the class, and all of them with the class', async () => {
  const observer = recorder().observe(ann.learner, 'main', { cols: 80, rows: 24 });
  observer.output('hello\r\n');
  observer.closed();
  await settled(ann.id, (bytes) => bytes > 0);
  await classes.removeMember(recorded.id, ann.id);
  expect(await test.db.selectFrom('recordings').selectAll().execute()).toEqual([]);
  expect(await test.db.selectFrom('recording_chunks').selectAll().execute()).toEqual([]);

  await classes.join(recorded.joinCode, ann);
  const again = recorder().observe(ann.learner, 'main', { cols: 80, rows: 24 });
  again.output('hello again\r\n');
  again.closed();
  await settled(ann.id, (bytes) => bytes > 0);
  await test.db.deleteFrom('classes').where('id', '=', recorded.id).execute();
  expect(await test.db.selectFrom('recording_chunks').selectAll().execute()).toEqual([]);
  expect(warnings).toEqual([]);
});
