import { afterEach, beforeEach, expect, it } from 'vitest';
import { Accounts, type Account } from '../auth/accounts.ts';
import { ResultStore } from '../checks/store.ts';
import { openTestDatabase, type TestDatabase } from '../db/testing.ts';
import { gradebookCsv } from './export.ts';
import { loadGradebook, type GradebookLesson } from './gradebook.ts';
import { learnerReport } from './report.ts';
import { canManage, ClassStore, JoinError, NewClass } from './store.ts';

let test: TestDatabase;
let accounts: Accounts;
let classes: ClassStore;
let teacher: Account, otherTeacher: Account, admin: Account, ann: Account, bob: Account;

const course: GradebookLesson[] = [
  { slug: 'client-and-daemon', title: 'Client and daemon', exercises: [{ id: 'create', title: 'Create it' }, { id: 'start', title: 'Start it' }] },
  { slug: 'files', title: 'Files', exercises: [{ id: 'bundle', title: 'Find the bundle' }] },
];

beforeEach(async () => {
  test = await openTestDatabase();
  accounts = new Accounts(test.db);
  classes = new ClassStore(test.db);
  const make = (name: string, role: Account['role']) => accounts.create({ email: `${name}@example.org`, name, password: 'a long enough password', role });
  [teacher, otherTeacher, admin, ann, bob] = await Promise.all([make('teacher', 'instructor'), make('other', 'instructor'), make('admin', 'admin'), make('ann', 'learner'), make('bob', 'learner')]);
});

afterEach(async () => {
  await test.remove();
});

const deadline = '2026-12-01T17:00:00.000Z';

it('an instructor creates a class, learners join with its code only, and the instructor can remove one', async () => {
  const created = await classes.create(teacher, NewClass.parse({ name: 'Containers 101', lessons: ['files', 'client-and-daemon'], deadline: '2026-12-01T18:00:00+01:00' }));
  expect(created).toMatchObject({ name: 'Containers 101', lessons: ['files', 'client-and-daemon'], deadline, members: 0, instructor: { id: teacher.id } });
  expect(created.joinCode).toMatch(/^[A-Z2-9]{8}$/);

  await expect(classes.join('WRONG-CODE', ann)).rejects.toThrow(JoinError);
  await expect(classes.join('', ann)).rejects.toThrow('no class has the code');
  await expect(classes.join(created.joinCode, teacher)).rejects.toThrow('you teach');
  expect((await classes.join(created.joinCode.toLowerCase(), ann)).alreadyMember).toBe(false);
  expect((await classes.join(`${created.joinCode.slice(0, 4)}-${created.joinCode.slice(4)}`, ann)).alreadyMember).toBe(true);
  await classes.join(created.joinCode, bob);
  expect((await classes.members(created.id)).map((m) => m.name)).toEqual(['ann', 'bob']);
  expect((await classes.joinedBy(ann.id)).map((c) => c.id)).toEqual([created.id]);

  expect(await classes.removeMember(created.id, bob.id)).toBe(true);
  expect(await classes.removeMember(created.id, bob.id)).toBe(false);
  expect((await classes.get(created.id))?.members).toBe(1);

  const newCode = await classes.rotateCode(created.id);
  await expect(classes.join(created.joinCode, bob)).rejects.toThrow(JoinError);
  expect((await classes.join(newCode, bob)).alreadyMember).toBe(false);
});

it('an instructor sees only their classes; an admin sees every class', async () => {
  const mine = await classes.create(teacher, NewClass.parse({ name: 'Mine', lessons: ['files'], deadline }));
  const theirs = await classes.create(otherTeacher, NewClass.parse({ name: 'Theirs', lessons: ['files'], deadline }));
  expect((await classes.taughtBy(teacher)).map((c) => c.id)).toEqual([mine.id]);
  expect((await classes.taughtBy(otherTeacher)).map((c) => c.id)).toEqual([theirs.id]);
  expect((await classes.taughtBy(admin)).map((c) => c.id).sort()).toEqual([mine.id, theirs.id].sort());
  expect(await classes.taughtBy(ann)).toEqual([]);
  expect(canManage(teacher, mine)).toBe(true);
  expect(canManage(teacher, theirs)).toBe(false);
  expect(canManage(admin, theirs)).toBe(true);
  expect(canManage(ann, mine)).toBe(false);
});

it('refuses a class without lessons, with a lesson twice, or without a real deadline', () => {
  expect(NewClass.safeParse({ name: 'x', lessons: [], deadline }).error?.issues[0]?.message).toBe('must name at least one lesson');
  expect(NewClass.safeParse({ name: 'x', lessons: ['files', 'files'], deadline }).error?.issues[0]?.message).toBe('names a lesson twice');
  expect(NewClass.safeParse({ name: 'x', lessons: ['files'], deadline: 'next friday' }).error?.issues[0]?.message).toContain('must be a date and time');
  expect(NewClass.safeParse({ name: ' ', lessons: ['files'], deadline }).success).toBe(false);
});

it('builds the gradebook from recorded results: grid, evidence, summary, stuck list and CSV', async () => {
  const info = await classes.create(teacher, NewClass.parse({ name: 'Containers, "101"', lessons: ['client-and-daemon', 'files'], deadline }));
  await classes.join(info.joinCode, ann);
  await classes.join(info.joinCode, bob);
  const store = new ResultStore(test.db);
  const failing = { name: 'from-curl exists', pass: false, expected: 'a container named from-curl', actual: 'no such container', hint: 'use the API' };
  const passing = { ...failing, pass: true, actual: 'from-curl (busybox)' };
  await store.record(ann.learner, 'client-and-daemon', { exercise: 'create', status: 'failed', assertions: [failing], at: '2026-11-30T10:00:00.000Z' });
  await store.record(ann.learner, 'client-and-daemon', { exercise: 'create', status: 'passed', assertions: [passing], at: '2026-11-30T10:05:00.000Z' });
  await store.record(bob.learner, 'client-and-daemon', { exercise: 'create', status: 'passed', assertions: [passing], at: '2026-12-02T09:00:00.000Z' });
  for (const at of ['2026-11-30T10:00:00.000Z', '2026-11-30T10:01:00.000Z', '2026-11-30T10:02:00.000Z'])
    await store.record(bob.learner, 'client-and-daemon', { exercise: 'start', status: 'failed', assertions: [failing], at });
  // Results outside the class's lessons or of non-members stay out.
  await store.record(bob.learner, 'other-lesson', { exercise: 'x', status: 'passed', assertions: [passing], at: deadline });
  await store.record(teacher.learner, 'files', { exercise: 'bundle', status: 'passed', assertions: [passing], at: deadline });

  const gradebook = await loadGradebook(store, (await classes.get(info.id))!, await classes.members(info.id), course);
  expect(gradebook.columns.map((c) => `${c.lesson}/${c.exercise}`)).toEqual(['client-and-daemon/create', 'client-and-daemon/start', 'files/bundle']);
  const [annRow, bobRow] = gradebook.learners;
  expect(annRow!.cells.map((c) => [c.status, c.attempts, c.firstPassedAt, c.onTime])).toEqual([
    ['passed', 2, '2026-11-30T10:05:00.000Z', true],
    ['not-started', 0, null, null],
    ['not-started', 0, null, null],
  ]);
  expect(bobRow!.cells.map((c) => [c.status, c.attempts, c.onTime])).toEqual([
    ['passed', 1, false],
    ['failed', 3, null],
    ['not-started', 0, null],
  ]);
  expect(gradebook.summary.map((s) => [s.exercise, s.passed, s.stuck, s.notStarted, s.attempts, s.completion])).toEqual([
    ['create', 2, 0, 0, 3, 1],
    ['start', 0, 1, 1, 3, 0],
    ['bundle', 0, 0, 2, 0, 0],
  ]);
  expect(gradebook.stuck.map((s) => s.exercise)).toEqual(['start']);

  const report = await learnerReport(store, (await classes.get(info.id))!, (await classes.members(info.id)).find((m) => m.userId === bob.id)!, course);
  const start = report.lessons[0]!.exercises.find((e) => e.id === 'start')!;
  expect(start).toMatchObject({ status: 'failed', attempts: 3, lastCheckedAt: '2026-11-30T10:02:00.000Z', assertions: [failing] });

  const csv = gradebookCsv(gradebook).split('\r\n');
  // A random id may start with '-', which the CSV writes after an apostrophe (export.test.ts).
  const cell = (id: string) => (id.startsWith('-') ? `'${id}` : id);
  expect(csv[0]).toBe('class_id,class_name,learner_id,learner_name,learner_email,joined_at,lesson,exercise,exercise_title,status,attempts,first_passed_at,last_checked_at,on_time');
  expect(csv).toHaveLength(1 + 2 * 3 + 1);
  expect(csv[1]).toBe(`${cell(info.id)},"Containers, ""101""",${cell(ann.id)},ann,ann@example.org,${annRow!.joinedAt},client-and-daemon,create,Create it,passed,2,2026-11-30T10:05:00.000Z,2026-11-30T10:05:00.000Z,true`);
  expect(csv[5]).toBe(`${cell(info.id)},"Containers, ""101""",${cell(bob.id)},bob,bob@example.org,${bobRow!.joinedAt},client-and-daemon,start,Start it,failed,3,,2026-11-30T10:02:00.000Z,`);
});
