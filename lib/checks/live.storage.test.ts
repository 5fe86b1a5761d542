import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { MachineChanges } from '../changes/live.ts';
import { openTestDatabase, type TestDatabase } from '../db/testing.ts';
import { LiveChecks } from './live.ts';
import { afterShellOpened } from './machine-checks.ts';
import type { ExerciseResult } from './result.ts';
import type { MachineExec } from './run.ts';
import { ResultStore } from './store.ts';
import { localExec } from './testing.ts';

/**
 * LiveChecks with real check scripts run by a local bash (lib/checks/testing.ts), a real
 * ResultStore, and a logger that records what it is given.
 */
let test: TestDatabase;
let content: string;
let store: ResultStore;
let warnings: { fields: object; message: string }[];
let errors: unknown[];
let execs: number;
/** What the machine does with each check's argv: by default, runs it. */
let machine: MachineExec;

/** What the `answer` check finds: a file the test writes, as a learner's command would. */
let answerFile: string;

const checks = {
  answer: `assert_equal "answer" 42 "$(cat "$ANSWER_FILE" 2>/dev/null || echo none)"`,
  broken: `echo "all good!"\nassert_equal x 1 1`,
  'not-yet': `assert_equal "answer" 42 41 "multiply, do not add"`,
  // What a forged tool prints: an assertion, without the run's nonce.
  forged: `echo '{"name":"x","pass":true,"expected":"1","actual":"1"}'`,
};

function liveChecks(exercises: readonly (keyof typeof checks)[]): LiveChecks {
  return new LiveChecks({
    lesson: async (slug) => (slug === 'files' ? { dir: 'files', exercises: exercises.map((id) => ({ id, title: id, check: `checks/${id}.sh`, hints: [] })) } : undefined),
    contentDir: content,
    store,
    machine: async () => (argv, options) => {
      execs += 1;
      return machine(argv, options);
    },
    onError: (error) => errors.push(error),
    log: { warn: (fields, message) => warnings.push({ fields, message }) },
  });
}

beforeEach(async () => {
  test = await openTestDatabase();
  store = new ResultStore(test.db);
  content = await mkdtemp(path.join(tmpdir(), 'unboxed-live-'));
  await mkdir(path.join(content, 'files', 'checks'), { recursive: true });
  answerFile = path.join(content, 'answer');
  for (const [id, script] of Object.entries(checks)) await writeFile(path.join(content, 'files', 'checks', `${id}.sh`), `#!/bin/bash\nANSWER_FILE=${answerFile}\n${script}\n`);
  warnings = [];
  errors = [];
  execs = 0;
  machine = localExec;
});

afterEach(async () => {
  await rm(content, { recursive: true, force: true });
  await test.remove();
});

it('logs a broken check at warn with its lesson, exercise and output; the learner gets its reason', async () => {
  await liveChecks(['broken', 'not-yet']).check('ann', ['files']);
  expect(warnings).toEqual([
    {
      message: 'check is broken',
      fields: {
        learner: 'ann',
        lesson: 'files',
        exercise: 'broken',
        check: 'checks/broken.sh',
        reason: 'stdout line 1 is not JSON: all good!',
        output: 'all good!\n<nonce> {"name":"x","pass":true,"expected":"1","actual":"1"}\n',
      },
    },
  ]);
  const standings = (await store.lesson('ann', 'files')).sort((a, b) => a.exercise.localeCompare(b.exercise));
  expect(standings).toMatchObject([
    { exercise: 'broken', status: 'error', reason: 'stdout line 1 is not JSON: all good!', assertions: [] },
    // The platform's own look (no command, no Check): judged, not tried.
    { exercise: 'not-yet', status: 'failed', attempts: 0 },
  ]);
  expect(errors).toEqual([]);
});

it('logs a tampered run as such and records it as an error with its reason, never a pass', async () => {
  await liveChecks(['forged']).check('ann', ['files']);
  const reason = "stdout line 1 is an assertion without this run's nonce: something in the machine other than the check printed it (a replaced or shadowing tool?), so this run proves nothing";
  expect(warnings).toEqual([
    {
      message: 'check run was tampered with',
      fields: { learner: 'ann', lesson: 'files', exercise: 'forged', check: 'checks/forged.sh', reason, output: '{"name":"x","pass":true,"expected":"1","actual":"1"}\n' },
    },
  ]);
  expect(await store.lesson('ann', 'files')).toMatchObject([{ exercise: 'forged', status: 'error', reason, assertions: [] }]);
});

it('answers a retry with the same key from the run it retries, without checking again', async () => {
  const live = liveChecks(['not-yet']);
  // The retry arrives while the first request still runs, and once more after it answered.
  await Promise.all([live.check('ann', ['files'], 'ann/key-1'), live.check('ann', ['files'], 'ann/key-1')]);
  await live.check('ann', ['files'], 'ann/key-1');
  expect(execs).toBe(1);
  expect(await store.lesson('ann', 'files')).toMatchObject([{ exercise: 'not-yet', status: 'failed', attempts: 1 }]);
  // A new click is a new key: a new run.
  await live.check('ann', ['files'], 'ann/key-2');
  expect(execs).toBe(2);
  expect(await store.lesson('ann', 'files')).toMatchObject([{ exercise: 'not-yet', attempts: 2 }]);
});

it('runs the retry of a request that failed, and records it once', async () => {
  const live = liveChecks(['not-yet']);
  machine = () => Promise.reject(new Error('the machine did not answer'));
  await expect(live.check('ann', ['files'], 'ann/key-1')).rejects.toThrow('the machine did not answer');
  machine = localExec;
  await live.check('ann', ['files'], 'ann/key-1');
  expect(execs).toBe(2);
  expect(await store.lesson('ann', 'files')).toMatchObject([{ exercise: 'not-yet', status: 'failed', attempts: 1 }]);
});

it('counts the learner\'s tries as attempts: Checks, and commands after which the check found something new', async () => {
  const live = liveChecks(['answer']);
  const attempts = async () => (await store.lesson('ann', 'files'))[0]?.attempts;
  // Nobody watches the lesson here, so a finished command only tells the next run whose it is.
  const command = async (line: string) => {
    const none = { items: [], more: 0 };
    live.commandFinished('ann', { line, changes: { containers: none, files: none, processes: none, mounts: none, cgroups: none, namespaces: none, interfaces: none, truncated: 0 } });
    await live.check('ann', ['files']);
  };
  // The page opening looks: judged, not an attempt.
  await live.check('ann', ['files']);
  expect(await store.lesson('ann', 'files')).toMatchObject([{ exercise: 'answer', status: 'failed', attempts: 0 }]);
  // A command that changes nothing the check reads (ls) is not a try at it.
  await command('ls');
  expect(await attempts()).toBe(0);
  // A command after which the check finds another state is.
  await writeFile(answerFile, '41');
  await command('echo 41 > answer');
  expect(await attempts()).toBe(1);
  // So is every Check the learner presses, changed or not.
  await live.check('ann', ['files'], 'ann/key-1');
  expect(await attempts()).toBe(2);
  // An instructor's re-check is not the learner's try.
  await live.check('ann', ['files'], 'ann/recheck-1', 'platform');
  expect(await attempts()).toBe(2);
  // The command that passes counts.
  await writeFile(answerFile, '42');
  await command('echo 42 > answer');
  expect(await store.lesson('ann', 'files')).toMatchObject([{ exercise: 'answer', status: 'passed', attempts: 3 }]);
});

it("a shell that opens checks the lesson the learner has open, with no prompt from it: a judgement, not an attempt", async () => {
  const live = liveChecks(['not-yet']);
  const seen: ExerciseResult[] = [];
  live.watch('ann', 'files', (result) => seen.push(result));
  // The machine's shell printed its first prompt before the app attached: no mark came.
  const changes = new MachineChanges({ machine: async () => undefined, log: { warn: () => undefined } });
  afterShellOpened(changes, live)('ann');
  await expect.poll(() => seen.map((r) => r.status)).toEqual(['failed']);
  expect(await store.lesson('ann', 'files')).toMatchObject([{ exercise: 'not-yet', status: 'failed', attempts: 0 }]);
});
