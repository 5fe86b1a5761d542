import { expect, it } from 'vitest';
import { MachineLimits, type MachineInfo } from '../../sandbox/driver.ts';
import { SwarmDriver } from '../../sandbox/swarm/driver.ts';
import { CLIENT_TLS, ENGINE_PORT, NODES, kill } from './cluster.ts';
import { restoreClusterAfterKills } from './hooks.ts';

/**
 * The app is given every manager (UNBOXED_SWARM_MANAGER=a,b,c): when the one it talks to
 * dies, it goes on through another, once the two left have elected a leader.
 */
const [first] = NODES as [(typeof NODES)[number]];
const driver = new SwarmDriver({ managers: NODES.map((n) => `${n.address}:${ENGINE_PORT}`), tls: CLIENT_TLS, scope: 'failover' });
const limits = MachineLimits.parse({ memoryMiB: 512, diskMiB: 2048 });
const learner = 'learner-whose-manager-dies';
const created: MachineInfo[] = [];

restoreClusterAfterKills(driver);

it('lists, finds, runs commands in and places machines through another manager when the first one dies', async () => {
  // The learner's machine away from the manager that will die.
  await driver.updateNode(first.name, { availability: 'pause' });
  created.push(await driver.create(limits, learner).finally(() => driver.updateNode(first.name, { availability: 'active' })));

  const killedAt = performance.now();
  await kill(first);
  // Until the two managers left elect a leader, they answer that there is none.
  await expect.poll(async () => (await driver.find(learner).catch(() => undefined))?.state, { timeout: 60_000, interval: 1000 }).toBe('running');
  const answeredMs = performance.now() - killedAt;
  expect((await driver.exec(created[0]!.id, ['hostname'], { timeoutMs: 10_000 })).exitCode).toBe(0);
  // Once the swarm sees the dead manager's node down (before, placement could still pick it).
  await expect.poll(async () => (await driver.nodes()).find((n) => n.hostname === first.name)?.open, { timeout: 90_000, interval: 1000 }).toBe(false);

  const placedAt = performance.now();
  created.push(await driver.create(limits));
  expect((await driver.list()).map((m) => m.state)).toEqual(['running', 'running']);
  console.log(
    `first manager killed → the app's calls answered by another: ${(answeredMs / 1000).toFixed(1)} s; a new machine placed through it: ${((performance.now() - placedAt) / 1000).toFixed(1)} s`,
  );
});
