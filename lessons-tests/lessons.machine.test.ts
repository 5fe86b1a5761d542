import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runCheck, type MachineExec } from '../lib/checks/run.ts';
import { loadCourse } from '../lib/lessons/load.ts';
import { MachineLimits, type SandboxDriver } from '../sandbox/driver.ts';
import { chooseDriver, sandboxConfig } from '../sandbox/index.ts';

/**
 * Proves every lesson on real learner machines of the default driver: on an untouched
 * machine every check fails (and none is broken), after solution.sh every check passes,
 * and after each wrong/ case its targeted check still fails.
 */
const root = path.resolve(import.meta.dirname, '..');
const contentDir = path.join(root, 'content');
const { lessons } = await loadCourse(contentDir);
const driver: SandboxDriver = await chooseDriver(sandboxConfig(process.env), path.join(root, '.cache/lessons-tests'));

/** A new machine for one test, destroyed when the test ends (60 at once would exhaust the host). */
async function freshMachine(): Promise<{ id: string; exec: MachineExec }> {
  const machine = await driver.create(MachineLimits.parse({}));
  onTestFinished(() => driver.destroy(machine.id));
  return { id: machine.id, exec: (argv, options) => driver.exec(machine.id, argv, options) };
}

async function runScript(id: string, file: string): Promise<void> {
  const result = await driver.exec(id, ['bash', '-c', await readFile(file, 'utf8')], { timeoutMs: 300_000 });
  expect(result.exitCode, `${path.relative(root, file)} failed:\n${result.stdout}\n${result.stderr}`).toBe(0);
}

for (const lesson of lessons) {
  const dir = path.join(contentDir, lesson.dir);

  describe(`lesson ${lesson.dir}`, () => {
    it('fails every check on an untouched machine, passes every one after solution.sh', async () => {
      const machine = await freshMachine();
      for (const exercise of lesson.exercises) {
        const outcome = await runCheck(machine.exec, dir, exercise.check);
        expect(outcome.status, `${exercise.id} before the solution: ${JSON.stringify(outcome)}`).toBe('failed');
      }
      await runScript(machine.id, path.join(dir, 'solution.sh'));
      for (const exercise of lesson.exercises) {
        const outcome = await runCheck(machine.exec, dir, exercise.check);
        expect(outcome.status, `${exercise.id} after the solution: ${JSON.stringify(outcome)}`).toBe('passed');
      }
    });

    for (const wrong of lesson.wrong) {
      it(`refuses ${wrong.script} for '${wrong.exercise}' (${wrong.why})`, async () => {
        const machine = await freshMachine();
        await runScript(machine.id, path.join(dir, wrong.script));
        const check = lesson.exercises.find((e) => e.id === wrong.exercise)!.check;
        const outcome = await runCheck(machine.exec, dir, check);
        expect(outcome.status, JSON.stringify(outcome)).toBe('failed');
      });
    }
  });
}
