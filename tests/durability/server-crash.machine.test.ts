import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadCourse } from '../../lib/lessons/load.ts';
import { openDatabase } from '../../lib/db/index.ts';
import { openTestDatabase, type TestDatabase } from '../../lib/db/testing.ts';
import { createMachineManager, sandboxConfig } from '../../sandbox/index.ts';
import { freePort, TestServer } from '../support/server.ts';

/**
 * The real server (production build, a real learner machine) is killed with SIGKILL
 * while Check requests run and record, then restarted on the same database; the
 * client sends what it got no answer for again, with the same Idempotency-Key. The
 * Check button does that too (components/lesson/check-request.ts: a fresh key per
 * click, sent again once a second after a network error or a 5xx), but this test
 * retries only after the restart, when the server has forgotten the keys it was
 * answering: the checks run again, and only the database's run log (check_runs) keeps
 * them from counting twice. (A retry the same server process still remembers reuses
 * the first run without checking again: lib/checks/live.storage.test.ts.) Every run is
 * then recorded exactly once per exercise: nothing answered is lost, nothing retried
 * counts twice. Needs `npm run build` and the machine image; uses SQLite, or
 * PostgreSQL when UNBOXED_TEST_POSTGRES_URL is set.
 */
const root = path.resolve(import.meta.dirname, '../..');
/** This test's machines, apart from any other on the engine. */
const SCOPE = 'durability';
let database: TestDatabase;
let server: TestServer;
let port: number;
let learner = '';

async function startServer(): Promise<void> {
  const target = database.target;
  server = new TestServer(port, {
    UNBOXED_POOL_SIZE: '0',
    UNBOXED_SANDBOX_SCOPE: SCOPE,
    UNBOXED_DATA_DIR: target.kind === 'sqlite' ? path.dirname(target.file) : path.join(root, '.data'),
    DATABASE_URL: target.kind === 'postgres' ? target.url : '',
  });
  await server.start();
}

function killServer(signal: NodeJS.Signals): Promise<void> {
  return server.kill(signal);
}

let cookie = '';

/** POST …/check with this key; resolves to whether the server answered 200. */
async function check(slug: string, key: string): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${port}/api/lessons/${slug}/check`, {
    method: 'POST',
    headers: { origin: `http://127.0.0.1:${port}`, cookie, 'idempotency-key': key },
  }).catch(() => undefined);
  if (response && !response.ok) throw new Error(`check ${key} answered ${response.status}: ${await response.text()}`);
  return response?.ok ?? false;
}

beforeAll(async () => {
  if (!existsSync(path.join(root, '.next', 'BUILD_ID'))) throw new Error('no production build: run npm run build first');
  database = await openTestDatabase();
  await database.close();
  port = await freePort();
});

afterAll(async () => {
  if (server?.running) await killServer('SIGKILL');
  // Every machine this test's server started in its own scope: the learner's, and the pool's (one was left running before).
  const machines = await createMachineManager(sandboxConfig({ ...process.env, UNBOXED_SANDBOX_SCOPE: SCOPE }), path.join(root, '.data'), { log: () => undefined });
  for (const m of await machines.list()) await machines.destroy(m.id);
  await database.remove();
});

it('a server killed with SIGKILL while recording checks loses no answered run and counts no retried run twice', async () => {
  const { lessons } = await loadCourse(path.join(root, 'content'));
  const lesson = lessons[0]!;
  await startServer();
  const first = await fetch(`http://127.0.0.1:${port}/api/me`);
  cookie = first.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  learner = /unboxed_session=([^.;]+)\./.exec(cookie)![1]!;
  // Checks run on a machine the learner started (a Check never starts one).
  const started = await fetch(`http://127.0.0.1:${port}/api/machine`, { method: 'POST', headers: { origin: `http://127.0.0.1:${port}`, cookie } });
  expect(started.status).toBe(200);

  const sent: string[] = [];
  const answered = new Set<string>();
  const durations: number[] = [];
  let cutOff = 0;
  // How many of its exercises each cut-off request had recorded when the server died.
  const recordedAtKill: number[] = [];
  const recordedRuns = async (keys: string[]) => {
    const db = await openDatabase(database.target);
    try {
      const rows = await db.selectFrom('check_runs').select('key').where('learner', '=', learner).execute();
      return keys.map((k) => rows.filter((r) => r.key.startsWith(`${learner}/${k}/`)).length);
    } finally {
      await db.destroy();
    }
  };
  let next = 0;
  // Each round kills the server this far into a Check run (of a typical run's length):
  // early, midway and late, so some of a run's exercises are recorded and some not.
  for (const fraction of [0.3, 0.6, 0.9]) {
    let inFlight: { key: string; since: number } | undefined;
    let answeredThisRound = 0;
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        const key = `crash-test-${next++}`;
        sent.push(key);
        inFlight = { key, since: Date.now() };
        const ok = await check(lesson.slug, key);
        if (!ok) return;
        durations.push(Date.now() - inFlight.since);
        answered.add(key);
        answeredThisRound += 1;
      }
    })();
    while (answeredThisRound < 2) await new Promise((r) => setTimeout(r, 50));
    const typical = [...durations].sort((a, b) => a - b)[Math.floor(durations.length / 2)]!;
    // Wait for the next request to be that far into its run, then SIGKILL.
    const target = answeredThisRound;
    while (answeredThisRound === target && Date.now() - inFlight!.since < fraction * typical) await new Promise((r) => setTimeout(r, 10));
    stop = true;
    await killServer('SIGKILL');
    await loop;
    await startServer();
    // The client retries what got no answer, with the same key, and one answered run again.
    const unanswered = sent.filter((k) => !answered.has(k));
    cutOff += unanswered.length;
    recordedAtKill.push(...(await recordedRuns(unanswered)));
    for (const key of [...unanswered, [...answered][0]!]) {
      expect(await check(lesson.slug, key)).toBe(true);
      answered.add(key);
    }
  }
  // The kills hit requests in flight: their retries are what this test is about.
  expect(cutOff).toBeGreaterThanOrEqual(2);
  await killServer('SIGTERM');

  const db = await openDatabase(database.target);
  try {
    const runs = await db.selectFrom('check_runs').select(['key', 'exercise']).where('learner', '=', learner).execute();
    const standings = await db.selectFrom('exercise_results').select(['exercise', 'attempts', 'status']).where('learner', '=', learner).where('lesson', '=', lesson.slug).execute();
    // Nothing passes on an untouched machine, so every run checks every exercise, once.
    expect(new Set(runs.map((r) => r.key)).size).toBe(runs.length);
    for (const key of sent) {
      for (const exercise of lesson.exercises) expect(runs.filter((r) => r.key === `${learner}/${key}/${lesson.slug}/${exercise.id}`), `${key} ${exercise.id}`).toHaveLength(1);
    }
    expect(runs).toHaveLength(sent.length * lesson.exercises.length);
    for (const exercise of lesson.exercises) {
      expect(standings.find((s) => s.exercise === exercise.id)).toMatchObject({ attempts: sent.length, status: 'failed' });
    }
    console.log(`server-crash: 3 SIGKILLs cut off ${cutOff} of ${sent.length} Check requests (a run takes ~${Math.round(durations.sort((a, b) => a - b)[Math.floor(durations.length / 2)]! / 100) / 10} s); recorded at the kill: ${recordedAtKill.join(', ')} of ${lesson.exercises.length} exercises; ${runs.length} runs recorded once each`);
  } finally {
    await db.destroy();
  }
});
