import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localExec } from '../checks/testing.ts';
import { snapshotChanges } from './snapshot.ts';

/**
 * The snapshot script run by a real bash on this host, watching folders of the test's
 * own: only its file records are asserted (this host's processes and mounts change on
 * their own). Machines run it in lib/changes/changes.machine.test.ts.
 */
let work: string;
let root: string;
const snapshot = () => snapshotChanges(localExec, { roots: [root], stateDir: path.join(work, 'state') });

beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'unboxed-changes-'));
  root = path.join(work, 'watched');
  await mkdir(root);
  await writeFile(path.join(root, 'config.json'), '{}');
});
afterEach(() => rm(work, { recursive: true, force: true }));

describe('snapshotChanges', () => {
  it('takes a baseline first, then reports nothing when nothing changed', async () => {
    expect((await snapshot()).baseline).toBe(true);
    const second = await snapshot();
    expect(second.baseline).toBe(false);
    expect(second.changes.files).toEqual({ items: [], more: 0 });
  });

  it('reports a created folder once, with how many entries it holds and some of their names', async () => {
    await snapshot();
    await mkdir(path.join(root, 'layer/diff'), { recursive: true });
    await Promise.all(Array.from({ length: 3000 }, (_, i) => writeFile(path.join(root, 'layer/diff', `f${i}`), 'x')));
    const { changes } = await snapshot();
    expect(changes.files.items).toHaveLength(1);
    const [layer] = changes.files.items;
    expect(layer).toMatchObject({ change: 'created', path: path.join(root, 'layer'), type: 'folder', entries: 3001 });
    expect(layer!.sample).toHaveLength(20);
    expect(layer!.sample[0]).toBe('diff');
  });

  it('reports a file replaced by a link as one change, and a file whose size changed', async () => {
    await writeFile(path.join(root, 'state.json'), 'short');
    await snapshot();
    await rm(path.join(root, 'config.json'));
    await symlink('/elsewhere/config.json', path.join(root, 'config.json'));
    await writeFile(path.join(root, 'state.json'), 'much longer now');
    const { changes } = await snapshot();
    expect(changes.files.items.map((i) => [i.change, path.basename(i.path), i.details])).toEqual([
      ['changed', 'config.json', ['file → link', 'mode 644 → 777', 'size 2 → 22', 'link (none) → /elsewhere/config.json']],
      ['changed', 'state.json', ['size 5 → 15']],
    ]);
  });

  it('reports a watched root that vanished as removed, with what it held', async () => {
    await mkdir(path.join(root, 'sub'));
    await snapshot();
    await rm(root, { recursive: true });
    const { changes } = await snapshot();
    expect(changes.files.items).toEqual([
      { change: 'removed', path: root, type: 'folder', details: [], entries: 2, sample: ['config.json', 'sub'], container: undefined },
    ]);
  });

  it('leaves out ignored paths, and bounds a flood of separate changes with a count of the rest', async () => {
    await mkdir(path.join(root, 'noisy'));
    await Promise.all(Array.from({ length: 60 }, (_, i) => writeFile(path.join(root, `a${i}`), '')));
    await snapshotChanges(localExec, { roots: [root], stateDir: path.join(work, 'state'), ignore: [path.join(root, 'noisy')] });
    await writeFile(path.join(root, 'noisy/log'), 'line');
    await Promise.all(Array.from({ length: 60 }, (_, i) => writeFile(path.join(root, `a${i}`), 'changed')));
    const { changes } = await snapshotChanges(localExec, { roots: [root], stateDir: path.join(work, 'state'), ignore: [path.join(root, 'noisy')], itemLimit: 40 });
    expect(changes.files.items).toHaveLength(40);
    expect(changes.files.more).toBe(20);
    expect(changes.files.items.some((i) => i.path.includes('noisy'))).toBe(false);
  });
});
