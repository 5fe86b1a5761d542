import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks, type MachineExec } from '../checks/run.ts';
import { MachineAgents } from '../../sandbox/agent.ts';
import { MachineLimits } from '../../sandbox/driver.ts';
import { chooseDriver, sandboxConfig } from '../../sandbox/index.ts';
import { snapshotChanges } from './snapshot.ts';
import type { ChangeSet } from './schema.ts';

/**
 * "What changed" on a real machine of the default driver: what the source articles show
 * by hand (snapshot, one command, diff) for docker create, start and stop, unshare, and a
 * command that changes nothing.
 */
const root = path.resolve(import.meta.dirname, '../..');
const driver = await chooseDriver(sandboxConfig(process.env), path.join(root, '.cache/test-changes'));
let id = '';
let exec: MachineExec;
const agents = new MachineAgents(driver);

beforeAll(async () => {
  id = (await driver.create(MachineLimits.parse({}))).id;
  // As the server runs snapshots and checks: through the machine's agent.
  exec = (argv, options) => agents.run(id, argv, options);
  expect((await snapshotChanges(exec)).baseline).toBe(true);
});
afterAll(async () => {
  agents.release(id);
  await driver.destroy(id);
});

/**
 * The processes a change set shows, but for a VM's udev workers: systemd-udevd starts them
 * for the devices a command made (a veth, a namespace's lo) and they end seconds later, in
 * whatever command runs then.
 */
function learnerProcesses(changes: ChangeSet) {
  return changes.processes.items.filter((p) => !p.parents.includes('systemd-udevd'));
}

/** Runs a command in the machine as a learner would, then snapshots what it changed. */
async function after(command: string): Promise<ChangeSet> {
  const result = await driver.exec(id, ['bash', '-c', command], { timeoutMs: 120_000 });
  expect(result.exitCode, result.stderr).toBe(0);
  const { baseline, changes } = await snapshotChanges(exec);
  expect(baseline).toBe(false);
  return changes;
}

const paths = (set: ChangeSet, change: string) => set.files.items.filter((f) => f.change === change).map((f) => [f.path, ...f.sample.map((s) => `${f.path}/${s}`)]).flat();

describe(`what changed (${driver.name} driver)`, () => {
  let container = '';

  it('docker create: a folder of JSON under containers/, and no new process', async () => {
    const changes = await after('docker create --name web busybox sleep 3600');
    container = (await driver.exec(id, ['docker', 'inspect', '-f', '{{.Id}}', 'web'], { timeoutMs: 30_000 })).stdout.trim();
    expect(changes.containers.items).toEqual([{ change: 'created', id: container, name: 'web' }]);
    expect(paths(changes, 'created')).toContain(`/var/lib/docker/containers/${container}/config.v2.json`);
    expect(changes.files.items.find((f) => f.path === `/var/lib/docker/containers/${container}`)).toMatchObject({ container: 'web' });
    expect(learnerProcesses(changes).filter((p) => p.change === 'created')).toEqual([]);
    expect(changes.mounts.items).toEqual([]);
  });

  it('docker start: a bundle on tmpfs, a shim and its process, an overlay mount, a cgroup, namespaces', async () => {
    const changes = await after('docker start web');
    const bundle = paths(changes, 'created').find((p) => p.includes(`/run/containerd/io.containerd.runtime.v2.task/moby/${container}`));
    expect(bundle).toBeDefined();
    const run = await driver.exec(id, ['stat', '-fc', '%T', '/run'], { timeoutMs: 30_000 });
    expect(run.stdout.trim()).toBe('tmpfs');
    const started = changes.processes.items.filter((p) => p.change === 'created');
    expect(started.map((p) => p.command)).toEqual(expect.arrayContaining(['containerd-shim', 'sleep']));
    expect(started.find((p) => p.command === 'sleep')?.parents.at(-1)).toBe('containerd-shim');
    expect(changes.mounts.items).toEqual(expect.arrayContaining([expect.objectContaining({ change: 'created', fsType: 'overlay', container: 'web' })]));
    expect(changes.cgroups.items).toEqual(expect.arrayContaining([expect.objectContaining({ change: 'created', container: 'web' })]));
    expect(changes.namespaces.items.map((n) => n.type)).toEqual(expect.arrayContaining(['mnt', 'net', 'pid', 'uts', 'ipc']));
    expect(changes.interfaces.items).toEqual([expect.objectContaining({ change: 'created', master: 'docker0' })]);
  });

  it('docker stop: the bundle and the processes go, the log stays', async () => {
    const changes = await after('docker stop -t 1 web');
    expect(paths(changes, 'removed').some((p) => p.includes(`/run/containerd/io.containerd.runtime.v2.task/moby/${container}`))).toBe(true);
    expect(paths(changes, 'removed').some((p) => p.endsWith('-json.log'))).toBe(false);
    expect(changes.processes.items.filter((p) => p.change === 'removed').map((p) => p.command)).toEqual(expect.arrayContaining(['containerd-shim', 'sleep']));
    expect(changes.mounts.items.filter((m) => m.change === 'removed' && m.fsType === 'overlay')).toHaveLength(1);
  });

  it('unshare: a new namespace and the process in it', async () => {
    const changes = await after('setsid -f unshare --uts --net sleep 600 </dev/null >/dev/null 2>&1');
    const created = changes.namespaces.items.filter((n) => n.change === 'created');
    expect(created.map((n) => n.type).sort()).toEqual(['net', 'uts']);
    expect(created[0]!.members[0]).toMatch(/^\d+ sleep$/);
    expect(learnerProcesses(changes)).toEqual([expect.objectContaining({ change: 'created', command: 'sleep', commandLine: 'sleep 600' })]);
  });

  it("leaves out the platform's own check runs, even while they run", async () => {
    const lessonDir = await mkdtemp(path.join(tmpdir(), 'unboxed-changes-lesson-'));
    try {
      await mkdir(path.join(lessonDir, 'checks'));
      await writeFile(path.join(lessonDir, 'checks', 'slow.sh'), 'docker inspect web >/dev/null; sleep 2; assert_equal ok 1 1\n');
      const running = runChecks(exec, lessonDir, ['checks/slow.sh']);
      await new Promise((resolve) => setTimeout(resolve, 700));
      const during = await snapshotChanges(exec);
      expect((await running)[0]).toMatchObject({ status: 'passed' });
      const after = await snapshotChanges(exec);
      for (const { changes } of [during, after]) {
        expect(learnerProcesses(changes)).toEqual([]);
        expect(changes.files.items).toEqual([]);
      }
    } finally {
      await rm(lessonDir, { recursive: true, force: true });
    }
  });

  it('a command that changes nothing shows nothing', async () => {
    const changes = await after('true');
    expect(changes).toEqual({ containers: { items: [], more: 0 }, files: { items: [], more: 0 }, processes: { items: [], more: 0 }, mounts: { items: [], more: 0 }, cgroups: { items: [], more: 0 }, namespaces: { items: [], more: 0 }, interfaces: { items: [], more: 0 }, truncated: 0 });
  });
});
