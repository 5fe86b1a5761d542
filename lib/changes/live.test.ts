import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { MachineExec } from '../checks/run.ts';
import { localExec } from '../checks/testing.ts';
import { MachineChanges } from './live.ts';

/**
 * The learner's change sets, with the snapshot script run by a real bash on this host:
 * its state and its watched roots are the test's own folders (the argv's state folder and
 * roots are swapped; this host's processes and mounts change on their own, so only file
 * records are asserted).
 */
let work: string;
let root: string;

beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'unboxed-live-changes-'));
  root = path.join(work, 'watched');
  await mkdir(root);
});
afterEach(() => rm(work, { recursive: true, force: true }));

/** localExec on the test's folders; the first snapshot says when it is taken, and answers once released. */
function hostMachine() {
  let calls = 0;
  let taken: () => void = () => undefined;
  let release: () => void = () => undefined;
  const baselineTaken = new Promise<void>((resolve) => (taken = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const exec: MachineExec = async (argv, options) => {
    const at = argv.indexOf('snapshot');
    const end = argv.indexOf('--');
    const ours = [...argv.slice(0, at + 1), path.join(work, 'state'), ...argv.slice(at + 2, at + 4), root, ...argv.slice(end)];
    const result = await localExec(ours, options);
    if (++calls === 1) {
      taken();
      await released;
    }
    return result;
  };
  return { exec, baselineTaken, release };
}

it("a shell's first prompt while the baseline is taken is no change set of its own: the learner's first command keeps all of its changes", async () => {
  const machine = hostMachine();
  const changes = new MachineChanges({ machine: async () => machine.exec, log: { warn: () => undefined } });
  void changes.startWatching('ann');
  // The terminal's first prompt ends an empty "command" while the baseline is on its way.
  const firstPrompt = changes.commandFinished('ann', { terminal: '1', command: '' });
  // The learner's first command starts as the baseline is taken, and changes the machine.
  await machine.baselineTaken;
  await writeFile(path.join(root, 'made-by-the-command'), 'x');
  machine.release();
  await firstPrompt;
  const entry = await changes.commandFinished('ann', { terminal: '1', command: 'touch made-by-the-command', exitCode: 0 });
  expect(entry?.changes.files.items.map((f) => path.basename(f.path))).toEqual(['made-by-the-command']);
  expect(changes.history('ann').map((e) => (e.baseline ? '(start)' : e.command))).toEqual(['(start)', 'touch made-by-the-command']);
});
