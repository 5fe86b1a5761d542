import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { DockerDriver } from './docker/driver.ts';
import { MachineLimits } from './driver.ts';
import { MachineManager } from './manager.ts';

const driver = new DockerDriver({ cacheDir: path.resolve(import.meta.dirname, '../.cache/test-sandbox') });
const limits = MachineLimits.parse({ lifetimeSeconds: 3600, idleSeconds: 600 });
const events: string[] = [];
const manager = (poolSize: number) => new MachineManager(driver, { limits, poolSize, log: (event, fields) => events.push(`${event} ${String(fields.reason ?? '')}`) });
const before = new Set<string>();

afterAll(async () => {
  for (const machine of await driver.list()) if (!before.has(machine.id)) await driver.destroy(machine.id);
});

it('claims from the warm pool, re-adopts after a restart, resets to a fresh machine, and expires machines', async () => {
  for (const m of await driver.list()) before.add(m.id);
  const first = manager(1);
  await first.fillPool();
  const pooled = (await driver.list()).filter((m) => !m.learner && !before.has(m.id));
  expect(pooled).toHaveLength(1);

  const machine = await first.forLearner('learner-one-aaaa');
  expect(machine.learner).toBe('learner-one-aaaa');
  await first.fillPool();
  await driver.exec(machine.id, ['sh', '-c', 'docker create --name keep busybox true'], { timeoutMs: 60_000 });

  // A restarted server has a new manager: it finds the learner's machine and its work.
  const restarted = manager(0);
  const again = await restarted.forLearner('learner-one-aaaa');
  expect(again.id).toBe(machine.id);
  const kept = await driver.exec(again.id, ['docker', 'ps', '-a', '--format', '{{.Names}}'], { timeoutMs: 30_000 });
  expect(kept.stdout.trim()).toBe('keep');

  const reset = await restarted.reset('learner-one-aaaa');
  expect(reset.id).toBe(machine.id); // the same name, a new machine
  const clean = await driver.exec(reset.id, ['docker', 'ps', '-aq'], { timeoutMs: 30_000 });
  expect(clean.stdout).toBe('');

  // Past the lifetime every machine goes; an idle learner's too.
  const removed = await restarted.gc(Date.now() + 3601 * 1000);
  expect(removed).toContain(reset.id);
  expect(events).toContain('machine-removed lifetime');
  expect((await driver.list()).filter((m) => !before.has(m.id))).toEqual([]);
});

it('never hands a learner a machine that is still starting', async () => {
  const m = manager(1);
  const filling = m.fillPool();
  await new Promise((r) => setTimeout(r, 1500)); // the pool's machine is booting now
  const machine = await m.forLearner('learner-two-bbbb');
  const ready = await driver.exec(machine.id, ['sh', '-c', 'docker image inspect debian >/dev/null && echo ready'], { timeoutMs: 30_000 });
  expect(ready.stdout).toBe('ready\n');
  await filling;
});
