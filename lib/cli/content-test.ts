import { parseArgs } from 'node:util';
import pLimit from 'p-limit';
import { chooseDriver, DRIVER_NAMES, type SandboxConfig } from '../../sandbox/index.ts';
import { loadCourse } from '../lessons/load.ts';
import { CHECK_TIMEOUT_MS } from '../checks/run.ts';
import { describeStep, proveSolution, proveWrongCase, wrongCaseCounts, type ProofOptions, type ProofStep } from '../lessons/prove.ts';
import type { Lesson } from '../lessons/schema.ts';

export const contentTestUsage = `usage: unboxed content test [LESSON...] [--driver docker|qemu] [--jobs N] [--solution-only] [--check-timeout S]

  Proves lessons on fresh learner machines: every check fails on an untouched machine,
  passes after solution.sh, and still fails after each wrong case. LESSON is a folder
  (05-cgroups), its number (05) or its slug (cgroups); none means every lesson.
  --driver          the machine driver (default: UNBOXED_SANDBOX_DRIVER, else the fastest that works)
  --jobs            machines at once (default: 3 for docker, 1 for qemu)
  --solution-only   the untouched machine and solution.sh only, no wrong cases: every check's
                    failing and passing answer on another kind of machine (a cgroup v2 VM),
                    when the wrong cases are proven on the default driver
  --check-timeout   each check's time limit in seconds (default ${CHECK_TIMEOUT_MS / 1000}, the platform's own);
                    more for machines slower than a learner's (a VM under software
                    emulation on a busy CI host), when the proof is of what checks say`;

/** Finds the lessons named on the command line, or says which names match nothing. */
function selectLessons(lessons: readonly Lesson[], names: readonly string[]): Lesson[] | string {
  if (names.length === 0) return [...lessons];
  const chosen: Lesson[] = [];
  for (const name of names) {
    const lesson = lessons.find((l) => l.dir === name || l.slug === name || l.dir.split('-')[0] === name);
    if (!lesson) return `no lesson '${name}'. Fix: name one of ${lessons.map((l) => l.dir).join(', ')} (or its number, or its slug)`;
    if (!chosen.includes(lesson)) chosen.push(lesson);
  }
  return chosen;
}

/** A flag's whole number from `min` to `max`; undefined when not given, or what is wrong with it. */
function wholeNumber(flag: string, value: string | undefined, min: number, max: number): number | undefined | string {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= min && n <= max ? n : `${flag} '${value}' is not a whole number from ${min} to ${max}`;
}

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/** `unboxed content test`: an author's proof of one lesson or more; returns the exit code. */
export async function runContentTest(args: readonly string[], contentDir: string, sandbox: SandboxConfig, cacheDir: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { driver: { type: 'string' }, jobs: { type: 'string' }, 'solution-only': { type: 'boolean' }, 'check-timeout': { type: 'string' } },
    allowPositionals: true,
  });
  const driverName = DRIVER_NAMES.find((name) => name === values.driver);
  if (values.driver !== undefined && !driverName) {
    console.error(`unknown driver '${values.driver}'. Fix: --driver ${DRIVER_NAMES.join(' or --driver ')}\n\n${contentTestUsage}`);
    return 2;
  }
  const jobs = wholeNumber('--jobs', values.jobs, 1, 16);
  const checkSeconds = wholeNumber('--check-timeout', values['check-timeout'], 1, 600);
  if (typeof jobs === 'string' || typeof checkSeconds === 'string') {
    console.error(`${typeof jobs === 'string' ? jobs : checkSeconds}\n\n${contentTestUsage}`);
    return 2;
  }
  const proof: ProofOptions = { checkTimeoutMs: (checkSeconds ?? CHECK_TIMEOUT_MS / 1000) * 1000 };
  const { lessons } = await loadCourse(contentDir);
  const chosen = selectLessons(lessons, positionals);
  if (typeof chosen === 'string') {
    console.error(chosen);
    return 2;
  }
  const driver = await chooseDriver({ ...sandbox, driver: driverName ?? sandbox.driver }, cacheDir);
  const limit = pLimit(jobs ?? (driver.boundary === 'vm' ? 1 : 3));
  const started = performance.now();
  console.log(`proving ${chosen.length} lesson(s) on the ${driver.name} driver, ${limit.concurrency} machine(s) at once`);

  const wrongCasesToo = !values['solution-only'];
  const results = await Promise.all(chosen.map((lesson) => proveOne(driver, contentDir, lesson, limit, wrongCasesToo, proof)));
  const surprises = results.flatMap((r) => r.surprises);
  const wrongCases = wrongCasesToo ? chosen.reduce((n, l) => n + l.wrong.length, 0) : 0;
  console.log(`\n${chosen.length} lesson(s), ${wrongCases} wrong case(s), ${surprises.length} surprise(s), ${seconds(started)}`);
  for (const surprise of surprises) console.log(`\n${surprise}`);
  return surprises.length === 0 ? 0 : 1;
}

async function proveOne(driver: Awaited<ReturnType<typeof chooseDriver>>, contentDir: string, lesson: Lesson, limit: ReturnType<typeof pLimit>, wrongCasesToo: boolean, proof: ProofOptions) {
  const report = (step: ProofStep, since: number) => {
    const problems = describeStep(step);
    console.log(`  ${lesson.dir}  ${step.step.padEnd(40)} ${problems.length === 0 ? 'as expected' : 'SURPRISE'}  ${seconds(since)}`);
    return problems.map((p) => `${lesson.dir}: ${p}`);
  };
  const solution = limit(async () => {
    const since = performance.now();
    const { steps, cgroup } = await proveSolution(driver, contentDir, lesson, proof);
    console.log(`  ${lesson.dir}  machine: ${driver.name} driver, cgroup ${cgroup}`);
    return steps.flatMap((step) => report(step, since));
  });
  const wrong = (wrongCasesToo ? lesson.wrong : []).map((w) =>
    limit(async () => {
      const since = performance.now();
      return report(await proveWrongCase(driver, contentDir, lesson, w, proof), since);
    }),
  );
  const surprises = (await Promise.all([solution, ...wrong])).flat();
  const counts = wrongCaseCounts(lesson);
  const few = counts.filter((c) => c.count < 2);
  console.log(`  ${lesson.dir}  wrong cases per exercise: ${counts.map((c) => `${c.exercise} ${c.count}`).join(', ')}`);
  return { surprises: few.length > 0 ? [...surprises, `${lesson.dir}: fewer than two wrong cases for ${few.map((c) => c.exercise).join(', ')}`] : surprises };
}
