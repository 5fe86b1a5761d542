import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { MachineLimits, type SandboxDriver } from '../../sandbox/driver.ts';
import type { CheckOutcome } from '../checks/outcome.ts';
import { runChecks, type MachineExec } from '../checks/run.ts';
import type { Lesson, WrongCase } from './schema.ts';

/**
 * Proves a lesson on real learner machines, as lessons-tests and `unboxed content test`
 * do: on an untouched machine every check fails (a broken check is an error, not a
 * failure), after solution.sh every check passes, and after each wrong case, on a machine
 * of its own, the exercise it aims at still fails.
 */

/** What one check answered at one step, against what the step expects. */
export interface Verdict {
  readonly exercise: string;
  readonly expected: 'passed' | 'failed';
  readonly outcome: CheckOutcome;
}

/** A state of the machine the lesson's checks are judged on. */
export interface ProofStep {
  /** `untouched`, `solution.sh`, or a wrong case's script, e.g. `wrong/soft-limit.sh`. */
  readonly step: string;
  readonly verdicts: readonly Verdict[];
  /** The step's script exited non-zero: its output, and no verdict. */
  readonly scriptFailed?: string;
}

const isSurprise = (v: Verdict): boolean => v.outcome.status !== v.expected;

/** A machine for one proof step; removed when the step ends, however it ends. */
interface StepMachine {
  readonly exec: MachineExec;
  /** Runs a lesson script as root; undefined when it exits 0, else its output. */
  run(file: string): Promise<string | undefined>;
  /** `v1` or `v2`: which cgroup file system the machine mounts. */
  cgroupVersion(): Promise<string>;
}

const SCRIPT_TIMEOUT_MS = 300_000;

async function withMachine<T>(driver: SandboxDriver, step: (machine: StepMachine) => Promise<T>): Promise<T> {
  const { id } = await driver.create(MachineLimits.parse({}));
  try {
    return await step({
      exec: (argv, options) => driver.exec(id, argv, options),
      async run(file) {
        const result = await driver.exec(id, ['bash', '-c', await readFile(file, 'utf8')], { timeoutMs: SCRIPT_TIMEOUT_MS });
        if (result.exitCode === 0) return undefined;
        return `${path.basename(file)} exited ${result.exitCode}${result.timedOut ? ' (timed out)' : ''}:\n${result.stdout}\n${result.stderr}`.trimEnd();
      },
      async cgroupVersion() {
        const result = await driver.exec(id, ['stat', '-fc', '%T', '/sys/fs/cgroup'], { timeoutMs: 30_000 });
        return result.stdout.trim() === 'cgroup2fs' ? 'v2' : 'v1';
      },
    });
  } finally {
    await driver.destroy(id);
  }
}

/** How a proof runs the lesson's checks. */
export interface ProofOptions {
  /** Each check's time limit. @default CHECK_TIMEOUT_MS, the platform's own */
  readonly checkTimeoutMs?: number;
}

/** The checks as the platform runs them: in one batch, in parallel (lib/checks/run.ts). */
async function judge(machine: StepMachine, lessonDir: string, exercises: Lesson['exercises'], expected: Verdict['expected'], options: ProofOptions): Promise<Verdict[]> {
  const outcomes = await runChecks(machine.exec, lessonDir, exercises.map((e) => e.check), options.checkTimeoutMs);
  return exercises.map((exercise, i) => ({ exercise: exercise.id, expected, outcome: outcomes[i]! }));
}

/** The untouched machine, then the same machine after solution.sh; with its cgroup version. */
export async function proveSolution(driver: SandboxDriver, contentDir: string, lesson: Lesson, options: ProofOptions = {}): Promise<{ steps: [ProofStep, ProofStep]; cgroup: string }> {
  const dir = path.join(contentDir, lesson.dir);
  return withMachine(driver, async (machine) => {
    const cgroup = await machine.cgroupVersion();
    const untouched: ProofStep = { step: 'untouched', verdicts: await judge(machine, dir, lesson.exercises, 'failed', options) };
    const scriptFailed = await machine.run(path.join(dir, 'solution.sh'));
    const solved: ProofStep = scriptFailed
      ? { step: 'solution.sh', verdicts: [], scriptFailed }
      : { step: 'solution.sh', verdicts: await judge(machine, dir, lesson.exercises, 'passed', options) };
    return { steps: [untouched, solved], cgroup };
  });
}

/** A fresh machine after one wrong case: the exercise it aims at must still fail. */
export async function proveWrongCase(driver: SandboxDriver, contentDir: string, lesson: Lesson, wrong: WrongCase, options: ProofOptions = {}): Promise<ProofStep> {
  const dir = path.join(contentDir, lesson.dir);
  return withMachine(driver, async (machine) => {
    const scriptFailed = await machine.run(path.join(dir, wrong.script));
    if (scriptFailed) return { step: wrong.script, verdicts: [], scriptFailed };
    const aimed = lesson.exercises.filter((e) => e.id === wrong.exercise);
    return { step: wrong.script, verdicts: await judge(machine, dir, aimed, 'failed', options) };
  });
}

/** How many wrong cases aim at each exercise, in the lesson's order. */
export function wrongCaseCounts(lesson: Pick<Lesson, 'exercises' | 'wrong'>): Array<{ exercise: string; count: number }> {
  return lesson.exercises.map((e) => ({ exercise: e.id, count: lesson.wrong.filter((w) => w.exercise === e.id).length }));
}

/** The evidence of a surprise, for an author: what the check said and why. */
export function describeSurprise(step: ProofStep, verdict?: Verdict): string {
  if (!verdict) return `${step.step}: the script failed\n${indent(step.scriptFailed ?? '')}`;
  const { outcome } = verdict;
  const head = `${step.step}: ${verdict.exercise} ${outcome.status}, expected ${verdict.expected}`;
  if (outcome.status === 'error') return `${head} (${outcome.cause}: ${outcome.reason})\n${indent(outcome.output)}`;
  const lines = outcome.assertions.map((a) => `${a.pass ? 'pass' : 'FAIL'}  ${a.name}: expected ${a.expected}; found ${a.actual}`);
  return `${head}\n${indent(lines.join('\n'))}`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

/** Every surprise of a step, described; empty when the step went as expected. */
export function describeStep(step: ProofStep): string[] {
  if (step.scriptFailed !== undefined) return [describeSurprise(step)];
  return step.verdicts.filter(isSurprise).map((v) => describeSurprise(step, v));
}
