import { expect, it } from 'vitest';
import { MachineLimits } from '../../sandbox/driver.ts';
import { SwarmDriver } from '../../sandbox/swarm/driver.ts';
import { CLIENT_TLS, ENGINE_PORT, NODES, imageTag, kill, nodeDocker, up } from './cluster.ts';
import { restoreClusterAfterKills } from './hooks.ts';

/**
 * A node dies under a learner's machine (its dockerd, containerd and every process of its
 * containers killed at once, its link cut): the machine reads as lost, says why it
 * cannot start, and the learner's new machine goes to a live node. The dead node's disk
 * is swept once it is back.
 */
const [manager] = NODES as [(typeof NODES)[number]];
const driver = new SwarmDriver({ managers: [`${manager.address}:${ENGINE_PORT}`], tls: CLIENT_TLS, scope: 'death' });
const limits = MachineLimits.parse({ memoryMiB: 512 });
const learner = 'learner-on-a-dying-node';

restoreClusterAfterKills(driver);

it("a dead node's learner gets a new machine on another node, and its disk there is swept once the node is back", async () => {
  // Not on the manager this driver is given (only that one; manager-failover gives several).
  await nodeDocker(manager, ['node', 'update', '--availability', 'pause', manager.name]);
  const machine = await driver.create(limits, learner).finally(() => nodeDocker(manager, ['node', 'update', '--availability', 'active', manager.name]));
  const nodes = await driver.nodes();
  const home = nodes.find((n) => n.machines === 1)!;
  const dying = NODES.find((n) => n.name === home.hostname)!;

  const killedAt = performance.now();
  await kill(dying);
  // About 14 s; 40 s when the node led the swarm (a test before may have moved the lead there).
  await expect.poll(async () => (await driver.find(learner))?.state, { timeout: 90_000, interval: 500 }).toBe('lost');
  const detectedMs = performance.now() - killedAt;
  await expect(driver.start(machine.id)).rejects.toThrow(new RegExp(`its node ${dying.name} is down`));
  expect((await driver.nodes()).find((n) => n.id === home.id)).toMatchObject({ open: false, state: 'down' });

  await driver.destroy(machine.id);
  const again = await driver.create(limits, learner);
  const replacedMs = performance.now() - killedAt;
  expect(await driver.find(learner)).toMatchObject({ id: again.id, state: 'running' });
  expect((await driver.nodes()).find((n) => n.machines === 1)?.hostname).not.toBe(dying.name);
  console.log(`node killed → its machine reads lost: ${(detectedMs / 1000).toFixed(1)} s; → the learner's new machine ready on another node: ${(replacedMs / 1000).toFixed(1)} s`);

  await up(await imageTag());
  await expect.poll(async () => (await driver.nodes()).find((n) => n.id === home.id)?.state, { timeout: 60_000, interval: 500 }).toBe('ready');
  const swept: string[] = [];
  const sweep = async () => {
    swept.push(...(await driver.sweep(0)));
    return swept;
  };
  // Once the node's agent removed the dead task's container, which held the disk.
  await expect.poll(sweep, { timeout: 90_000, interval: 2_000 }).toContainEqual(expect.stringMatching(new RegExp(`^${dying.name}/${machine.id}-disk-`)));
});
