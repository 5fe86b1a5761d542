import path from 'node:path';
import { describe, it } from 'vitest';
import { loadCourse } from '../lib/lessons/load.ts';
import { describeStep, proveSolution, proveWrongCase, wrongCaseCounts } from '../lib/lessons/prove.ts';
import { chooseDriver, sandboxConfig } from '../sandbox/index.ts';

/**
 * Proves every lesson on real learner machines of the default driver (lib/lessons/prove.ts):
 * on an untouched machine every check fails (and none is broken), after solution.sh every
 * check passes, and after each wrong/ case, on a fresh machine, its targeted check still
 * fails. `unboxed content test` runs the same proof for one lesson, on either driver.
 */
const root = path.resolve(import.meta.dirname, '..');
const contentDir = path.join(root, 'content');
const { lessons } = await loadCourse(contentDir);
const driver = await chooseDriver(sandboxConfig(process.env), path.join(root, '.cache/lessons-tests'));

for (const lesson of lessons) {
  // Each proof on machines of its own: a lesson's proofs run side by side (maxConcurrency
  // in vitest.machine.config.ts), each asserting with its own test's expect.
  describe.concurrent(`lesson ${lesson.dir}`, () => {
    it('fails every check on an untouched machine, passes every one after solution.sh', async ({ expect }) => {
      const { steps } = await proveSolution(driver, contentDir, lesson);
      expect(steps.flatMap(describeStep).join('\n')).toBe('');
    });

    for (const wrong of lesson.wrong) {
      it(`refuses ${wrong.script} for '${wrong.exercise}' (${wrong.why})`, async ({ expect }) => {
        const step = await proveWrongCase(driver, contentDir, lesson, wrong);
        expect(describeStep(step).join('\n')).toBe('');
      });
    }

    it('has wrong cases for every exercise', ({ expect }) => {
      const counts = wrongCaseCounts(lesson);
      console.log(`${lesson.dir}: wrong cases per exercise: ${counts.map((c) => `${c.exercise} ${c.count}`).join(', ')}`);
      expect(counts.filter((c) => c.count < 2)).toEqual([]);
    });
  });
}
