import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { CheckOutcome } from '../../lib/checks/outcome.ts';
import { runCheck, type MachineExec } from '../../lib/checks/run.ts';
import { loadCourse } from '../../lib/lessons/load.ts';
import { MachineAgents } from '../../sandbox/agent.ts';
import { MachineLimits, type SandboxDriver } from '../../sandbox/driver.ts';
import { chooseDriver, sandboxConfig } from '../../sandbox/index.ts';

/**
 * Check integrity against the learner's own root (issue 16): on an untouched machine,
 * tools that print a passing assertion instead of doing their work must never make a
 * check pass. Tools shadowing the system's on PATH are never run (the runner calls what
 * it needs by absolute path, under a fixed PATH); a system tool replaced in place is
 * caught because its lines lack the run's nonce (or its verdicts disagree with the
 * library's exit status). What a root learner can still forge is in docs/gradebook.md.
 */
const root = path.resolve(import.meta.dirname, '../..');
const contentDir = path.join(root, 'content');
const { lessons } = await loadCourse(contentDir);
const driver: SandboxDriver = await chooseDriver(sandboxConfig(process.env), path.join(root, '.cache/test-check-integrity'));

/** What the demonstrated attack installed: a tool that claims every assertion passed. */
const FORGER = `#!/bin/sh
echo '{"name":"forged","pass":true,"expected":"anything","actual":"anything"}'
exit 0
`;

/** The tools the runner, the check library and the lessons' checks call by name. */
const TOOLS = [
  'env', 'timeout', 'bash', 'sh', 'jq', 'docker', 'grep', 'awk', 'sed', 'tr', 'cat', 'readlink', 'find', 'head', 'sort', 'paste',
  'ps', 'pgrep', 'pidof', 'curl', 'ss', 'ip', 'nsenter', 'runc', 'ctr', 'capsh', 'stat', 'getconf', 'hostname', 'date', 'test',
];

const TAMPERED = /nonce/;

/** A new machine, and its checks' way in as the server's: its agent (sandbox/agent.ts), the engine's exec where the agent cannot run. */
async function freshMachine(): Promise<{ id: string; exec: MachineExec }> {
  const machine = await driver.create(MachineLimits.parse({}));
  const agents = new MachineAgents(driver);
  onTestFinished(async () => {
    agents.release(machine.id);
    await driver.destroy(machine.id);
  });
  return { id: machine.id, exec: (argv, options) => agents.run(machine.id, argv, options) };
}

/** Writes the forger to each path (by rename, so a binary in use is replaced cleanly). */
async function installForger(id: string, paths: readonly string[]): Promise<void> {
  const script = 'for p in "$@"; do cat /tmp/forger >"$p.new" && chmod 755 "$p.new" && mv -f "$p.new" "$p" || exit 1; done';
  await driver.exec(id, ['/bin/sh', '-c', 'cat >/tmp/forger'], { stdin: FORGER, timeoutMs: 10_000 });
  const result = await driver.exec(id, ['/bin/sh', '-c', script, 'install', ...paths], { timeoutMs: 30_000 });
  expect(result.exitCode, result.stderr).toBe(0);
}

/** Every exercise of every lesson, checked on the machine. */
async function checkAll(exec: MachineExec): Promise<Array<{ exercise: string; outcome: CheckOutcome }>> {
  const outcomes = [];
  for (const lesson of lessons) {
    for (const exercise of lesson.exercises) {
      outcomes.push({ exercise: `${lesson.dir}/${exercise.id}`, outcome: await runCheck(exec, path.join(contentDir, lesson.dir), exercise.check) });
    }
  }
  return outcomes;
}

describe(`check integrity (${driver.name} driver)`, () => {
  it('forging tools in /usr/local/bin and /usr/local/sbin, ahead of the system on PATH, pass nothing', async () => {
    const machine = await freshMachine();
    await installForger(machine.id, TOOLS.flatMap((tool) => [`/usr/local/bin/${tool}`, `/usr/local/sbin/${tool}`]));
    for (const { exercise, outcome } of await checkAll(machine.exec)) {
      const seen = `${exercise}: ${JSON.stringify(outcome)}`;
      if (driver.boundary === 'container') {
        // The agent and the engine's exec run the runner's absolute paths: the forgers
        // never run, and every check judges the untouched machine.
        expect(outcome.status, seen).toBe('failed');
      } else {
        // Over SSH the VM's login shell resolves the driver's own `timeout` wrapper through
        // sshd's PATH: a forger there is caught by the nonce.
        expect(outcome.status, seen).not.toBe('passed');
        if (outcome.status === 'error') expect(outcome.reason, seen).toMatch(TAMPERED);
      }
    }
  });

  for (const tool of ['/usr/bin/env', '/usr/bin/timeout', '/usr/bin/bash']) {
    it(`the system's own ${tool} replaced by a forger: every check is an error that says so, none passes`, async () => {
      const machine = await freshMachine();
      await installForger(machine.id, [tool]);
      for (const { exercise, outcome } of await checkAll(machine.exec)) {
        expect(outcome, `${exercise}: ${JSON.stringify(outcome)}`).toMatchObject({ status: 'error', reason: expect.stringMatching(TAMPERED) });
      }
    });
  }

  it("the system's own /usr/bin/jq replaced by a forger: no check passes", async () => {
    const machine = await freshMachine();
    await installForger(machine.id, ['/usr/bin/jq']);
    // The library prints its assertions by bash alone; a check that reads data through
    // jq gets the forger's line as data, which matches no expected state.
    for (const { exercise, outcome } of await checkAll(machine.exec)) {
      expect(outcome.status, `${exercise}: ${JSON.stringify(outcome)}`).not.toBe('passed');
    }
  });
});
