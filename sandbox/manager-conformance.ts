import { afterAll, expect, it } from 'vitest';
import { MachineLimits, type SandboxDriver } from './driver.ts';
import { MachineManager, type ManagerOptions } from './manager.ts';

/**
 * The manager's promises that rest on what a driver does, as one suite each driver's test
 * calls in one line: a pool machine is claimed, a restarted server finds the learner's
 * machine and its work, a reset gives a clean machine under the same name, the lifetime
 * removes it; an idle machine stops (files kept) and starts again as the learner left it.
 * `factory` gives a driver that sees only this run's machines.
 */
export function runManagerConformance(name: string, factory: () => SandboxDriver): void {
  const driver = factory();
  const limits = MachineLimits.parse({ lifetimeSeconds: 3600, idleSeconds: 600 });
  const events: string[] = [];
  const manager = (options: Partial<ManagerOptions> = {}) =>
    new MachineManager(driver, { limits, poolSize: 0, capacity: 4, startConcurrency: 2, log: (event, fields) => events.push(`${event} ${String(fields.reason ?? '')}`), ...options });
  const sh = (id: string, script: string) => driver.exec(id, ['sh', '-c', script], { timeoutMs: 120_000 });

  afterAll(async () => {
    for (const machine of await driver.list()) await driver.destroy(machine.id);
  });

  it(`${name}: the manager claims from the warm pool, re-adopts after a restart, resets to a clean machine, and expires machines`, async () => {
    const first = manager({ poolSize: 1 });
    await first.start();
    const deadline = Date.now() + 600_000;
    while (!(await driver.list()).some((m) => !m.learner && m.state === 'running')) {
      if (Date.now() > deadline) throw new Error('the pool did not fill in 10 minutes');
      await new Promise((r) => setTimeout(r, 500));
    }
    const machine = await first.acquire('learner-one-aaaa');
    expect(machine.learner).toBe('learner-one-aaaa');
    expect(await first.machineOf('learner-one-aaaa')).toMatchObject({ id: machine.id, state: 'running' });
    await sh(machine.id, 'docker create --name keep busybox true && echo mine >/root/mark');
    await first.stop();

    // A restarted server has a new manager: it finds the learner's machine and its work.
    const restarted = manager();
    const again = await restarted.acquire('learner-one-aaaa');
    expect(again.id).toBe(machine.id);
    expect((await restarted.exec('learner-one-aaaa', ['sh', '-c', 'docker ps -a --format {{.Names}}; cat /root/mark'], { timeoutMs: 60_000 })).stdout).toBe('keep\nmine\n');

    // A reset: the same name, a new machine, with nothing of the old one.
    const reset = await restarted.reset('learner-one-aaaa');
    expect(reset).toMatchObject({ id: machine.id, learner: 'learner-one-aaaa', state: 'running' });
    expect(await sh(reset.id, 'docker ps -aq; if test -e /root/mark; then echo kept-the-old-disk; fi')).toMatchObject({ exitCode: 0, stdout: '' });
    expect(events).toContain('machine-removed reset');

    // Past the lifetime every machine goes.
    expect(await restarted.gc(Date.now() + 3601 * 1000)).toContain(reset.id);
    expect(events).toContain('machine-removed lifetime');
    expect(await restarted.machineOf('learner-one-aaaa')).toBeUndefined();
  });

  it(`${name}: the manager stops an idle machine (memory freed, files kept) and starts it again, as the learner left it, when they return`, async () => {
    const m = manager();
    const machine = await m.acquire('learner-idle-dddd');
    await sh(machine.id, 'echo lunch >/root/notes.txt && docker create --name kept busybox true');
    expect(await m.gc(Date.now() + 601 * 1000)).not.toContain(machine.id);
    expect(events).toContain('machine-stopped idle');
    expect(await m.machineOf('learner-idle-dddd')).toMatchObject({ id: machine.id, state: 'stopped' });

    const said: string[] = [];
    const back = await m.acquire('learner-idle-dddd', (message) => said.push(message));
    expect(back).toMatchObject({ id: machine.id, state: 'running' });
    expect(said.join('\n')).toContain('your files are kept');
    expect((await sh(back.id, 'cat /root/notes.txt; docker ps -a --format {{.Names}}')).stdout).toBe('lunch\nkept\n');
    await driver.destroy(back.id);
  });
}
