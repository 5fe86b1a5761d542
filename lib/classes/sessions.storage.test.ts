import { afterEach, beforeEach, expect, it } from 'vitest';
import { Accounts } from '../auth/accounts.ts';
import { openTestDatabase, type TestDatabase } from '../db/testing.ts';
import { ClassSessions, NewClassSession, WARM_AFTER_START_MS, WARM_BEFORE_START_MS } from './sessions.ts';
import { ClassStore, NewClass, type ClassInfo } from './store.ts';

let test: TestDatabase;
let sessions: ClassSessions;
let containers: ClassInfo, networks: ClassInfo;

beforeEach(async () => {
  test = await openTestDatabase();
  const accounts = new Accounts(test.db);
  const classes = new ClassStore(test.db);
  sessions = new ClassSessions(test.db);
  const teacher = await accounts.create({ email: 'teacher@example.org', name: 'teacher', password: 'a long enough password', role: 'instructor' });
  const deadline = '2026-12-20T17:00:00Z';
  containers = await classes.create(teacher, NewClass.parse({ name: 'Containers', lessons: ['files'], deadline }));
  networks = await classes.create(teacher, NewClass.parse({ name: 'Networks', lessons: ['files'], deadline }));
});

afterEach(async () => {
  await test.remove();
});

const at = (iso: string) => new Date(iso);
const minutes = (n: number) => n * 60_000;
const shift = (date: Date, ms: number) => new Date(date.getTime() + ms);

it('announces, lists (upcoming and the last day, earliest first) and removes sessions of one class', async () => {
  const now = at('2026-12-01T09:00:00Z');
  const later = await sessions.announce(containers.id, { startsAt: at('2026-12-08T09:00:00+01:00'), expectedLearners: 24 });
  const sooner = await sessions.announce(containers.id, { startsAt: at('2026-12-01T10:00:00Z'), expectedLearners: 20 });
  const earlierToday = await sessions.announce(containers.id, { startsAt: at('2026-12-01T08:00:00Z'), expectedLearners: 3 });
  await sessions.announce(containers.id, { startsAt: at('2026-11-29T09:00:00Z'), expectedLearners: 5 });
  await sessions.announce(networks.id, { startsAt: at('2026-12-01T18:00:00Z'), expectedLearners: 12 });
  expect(later).toEqual({ id: later.id, startsAt: '2026-12-08T08:00:00.000Z', expectedLearners: 24 });

  expect(await sessions.list(containers.id, now)).toEqual([earlierToday, sooner, later]);
  expect((await sessions.list(networks.id, now)).map((s) => s.expectedLearners)).toEqual([12]);

  // A session is removed only through its own class.
  expect(await sessions.remove(networks.id, sooner.id)).toBe(false);
  expect(await sessions.remove(containers.id, sooner.id)).toBe(true);
  expect(await sessions.remove(containers.id, sooner.id)).toBe(false);
  expect(await sessions.list(containers.id, now)).toEqual([earlierToday, later]);
});

it('expects learners from 15 minutes before a session starts until 30 minutes after, summed over classes', async () => {
  expect([WARM_BEFORE_START_MS, WARM_AFTER_START_MS]).toEqual([minutes(15), minutes(30)]);
  const start = at('2026-12-01T09:00:00Z');
  await sessions.announce(containers.id, { startsAt: start, expectedLearners: 20 });
  const second = 1000;

  expect(await sessions.expectedLearners(shift(start, -minutes(15) - second))).toBe(0);
  expect(await sessions.expectedLearners(shift(start, -minutes(15)))).toBe(20);
  expect(await sessions.expectedLearners(shift(start, -minutes(15) + second))).toBe(20);
  expect(await sessions.expectedLearners(start)).toBe(20);
  expect(await sessions.expectedLearners(shift(start, minutes(30) - second))).toBe(20);
  expect(await sessions.expectedLearners(shift(start, minutes(30)))).toBe(20);
  expect(await sessions.expectedLearners(shift(start, minutes(30) + second))).toBe(0);

  // Another class starting 20 minutes later overlaps from 09:05 to 09:30.
  await sessions.announce(networks.id, { startsAt: shift(start, minutes(20)), expectedLearners: 7 });
  expect(await sessions.expectedLearners(shift(start, minutes(4)))).toBe(20);
  expect(await sessions.expectedLearners(shift(start, minutes(10)))).toBe(27);
  expect(await sessions.expectedLearners(shift(start, minutes(31)))).toBe(7);
  expect(await sessions.expectedLearners(at('2026-06-01T00:00:00Z'))).toBe(0);
});

it("a class's sessions go with the class", async () => {
  // The app deletes no class yet; an account's removal would, through classes' own cascade.
  const start = at('2026-12-01T09:00:00Z');
  await sessions.announce(containers.id, { startsAt: start, expectedLearners: 20 });
  await sessions.announce(networks.id, { startsAt: start, expectedLearners: 7 });
  await test.db.deleteFrom('classes').where('id', '=', containers.id).execute();
  expect(await sessions.list(containers.id, start)).toEqual([]);
  expect(await sessions.expectedLearners(start)).toBe(7);
});

it('takes a start from an hour ago to 366 days ahead and 1 to 500 learners, naming the field at fault', () => {
  const now = Date.now();
  const parse = (startsAt: unknown, expectedLearners: unknown = 10) => NewClassSession.safeParse({ startsAt, expectedLearners });
  const problem = (startsAt: unknown, expectedLearners: unknown = 10) => parse(startsAt, expectedLearners).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

  expect(parse(new Date(now + minutes(60)).toISOString(), 500).data).toEqual({ startsAt: new Date(now + minutes(60)), expectedLearners: 500 });
  expect(parse(new Date(now - minutes(50)).toISOString()).success).toBe(true);
  expect(problem(new Date(now - minutes(70)).toISOString())).toEqual(['startsAt: is more than an hour ago. Fix: give the start of a session still to come']);
  expect(problem(new Date(now + 367 * 24 * minutes(60)).toISOString())).toEqual(['startsAt: is more than 366 days ahead. Fix: announce the session nearer the time']);
  expect(problem('next monday')).toEqual(['startsAt: must be a date and time with its zone, such as 2026-12-01T09:00:00Z']);
  expect(problem('2026-12-01T09:00')).toEqual(['startsAt: must be a date and time with its zone, such as 2026-12-01T09:00:00Z']);

  const soon = new Date(now + minutes(60)).toISOString();
  expect(problem(soon, 0)).toEqual(['expectedLearners: must be at least 1. Fix: count the learners you expect']);
  expect(problem(soon, 501)).toEqual(['expectedLearners: must be at most 500. Fix: split a larger class into sessions of up to 500']);
  expect(problem(soon, 2.5)).toEqual(['expectedLearners: must be a whole number from 1 to 500']);
  expect(problem(soon, '20')).toEqual(['expectedLearners: must be a whole number from 1 to 500']);
  expect(NewClassSession.safeParse({ startsAt: soon, expectedLearners: 10, classId: 'x' }).success).toBe(false);
});
