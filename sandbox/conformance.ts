import { afterAll, expect, it } from 'vitest';
import { MachineLimits, type SandboxDriver } from './driver.ts';

/**
 * What every driver must do, as one suite each driver's test calls in one line:
 * create → docker run inside → files appear under the machine's /var/lib/docker →
 * a reset machine is clean → destroy leaves nothing behind.
 */
export function runDriverConformance(name: string, factory: () => SandboxDriver, leftovers: (destroyed: readonly string[]) => Promise<string[]>): void {
  const driver = factory();
  const limits = MachineLimits.parse({});
  const created: string[] = [];

  afterAll(async () => {
    for (const id of created) await driver.destroy(id).catch(() => undefined);
  });

  it(`${name}: a machine runs containers, keeps their files, and leaves nothing once destroyed`, async () => {
    await driver.probe();
    const machine = await driver.create(limits);
    created.push(machine.id);
    expect(machine).toMatchObject({ driver: driver.name, state: 'running', learner: undefined });
    expect((await driver.list()).map((m) => m.id)).toContain(machine.id);

    const sh = (script: string) => driver.exec(machine.id, ['sh', '-c', script], { timeoutMs: 120_000 });
    const run = await sh('docker run --name probe busybox echo hello-from-inside');
    expect(run).toMatchObject({ exitCode: 0, stdout: 'hello-from-inside\n', timedOut: false });
    const files = await sh('id=$(docker inspect -f {{.Id}} probe); ls /var/lib/docker/containers/$id; docker info -f {{.Driver}}');
    expect(files.stdout).toContain('config.v2.json');
    expect(files.stdout).toContain('hostconfig.json');
    expect(files.stdout.trim().split('\n').at(-1)).toBe('overlay2');

    const stdin = await driver.exec(machine.id, ['cat'], { stdin: 'through stdin', timeoutMs: 10_000 });
    expect(stdin.stdout).toBe('through stdin');
    const failing = await sh('echo oops >&2; exit 7');
    expect(failing).toMatchObject({ exitCode: 7, stderr: 'oops\n' });
    const slow = await driver.exec(machine.id, ['sleep', '30'], { timeoutMs: 500 });
    expect(slow.timedOut).toBe(true);

    const assigned = await driver.assign(machine.id, 'conformance-learner');
    expect(assigned?.learner).toBe('conformance-learner');
    created.push(assigned!.id);

    // Reset is a fresh machine: nothing of the old one's containers.
    const fresh = await driver.create(limits);
    created.push(fresh.id);
    const clean = await driver.exec(fresh.id, ['docker', 'ps', '-aq'], { timeoutMs: 30_000 });
    expect(clean).toMatchObject({ exitCode: 0, stdout: '' });

    for (const id of [assigned!.id, fresh.id]) await driver.destroy(id);
    expect((await driver.list()).map((m) => m.id)).not.toContain(assigned!.id);
    expect(await leftovers([machine.id, assigned!.id, fresh.id])).toEqual([]);
    await expect(driver.inspect(fresh.id)).rejects.toThrow(/no learner machine/);
  });
}
