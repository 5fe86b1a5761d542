import { expect, it } from 'vitest';
import { MachineLimits } from '../../sandbox/driver.ts';
import { SwarmDriver } from '../../sandbox/swarm/driver.ts';
import { CLIENT_TLS, ENGINE_PORT, NODES, imageTag, kill, nodeDocker, unplug, up } from './cluster.ts';
import { restoreClusterAfterKills } from './hooks.ts';

/**
 * A node dies under a learner's machine (its dockerd, containerd and every process of its
 * containers killed at once, its link cut): the machine reads as lost, says why it
 * cannot start, and the learner's new machine goes to a live node. The dead node's disk
 * is swept once it is back.
 */
const [manager] = NODES as [(typeof NODES)[number]];
const driver = new SwarmDriver({ managers: [`${manager.address}:${ENGINE_PORT}`], tls: CLIENT_TLS, scope: 'death' });
const limits = MachineLimits.parse({ memoryMiB: 512, diskMiB: 2048 });
const learner = 'learner-on-a-dying-node';

/** A machine for `id` on a node other than the driver's one manager. */
async function awayFromManager(id: string) {
  const before = await driver.nodes();
  await nodeDocker(manager, ['node', 'update', '--availability', 'pause', manager.name]);
  const machine = await driver.create(limits, id).finally(() => nodeDocker(manager, ['node', 'update', '--availability', 'active', manager.name]));
  const home = (await driver.nodes()).find((n) => n.machines > (before.find((b) => b.id === n.id)?.machines ?? 0))!;
  return { machine, home, node: NODES.find((n) => n.name === home.hostname)! };
}

restoreClusterAfterKills(driver);

it("a dead node's learner gets a new machine on another node, and its disk there is swept once the node is back", async () => {
  // Not on the manager this driver is given (only that one; manager-failover gives several).
  const { machine, home, node: dying } = await awayFromManager(learner);

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

it("a node that vanishes silently (its link cut, nothing closed) ends its learner's terminal as a lost connection within seconds", async () => {
  const { machine, node } = await awayFromManager('learner-on-a-silent-node');
  const shell = await driver.openShell(machine.id, 'silent', { cols: 80, rows: 24 });
  let output = '';
  shell.onData((data) => (output += data));
  const ended = new Promise<number | undefined | 'open'>((resolve) => shell.onExit(resolve));
  shell.write('echo $((20+22))\r');
  await expect.poll(() => output, { timeout: 20_000 }).toContain('42');

  const cutAt = performance.now();
  await unplug(node);
  // TCP keep-alive probes go unanswered (about 11 s), then the exec's inspect gets no answer (10 s connect bound).
  const how = await Promise.race([ended, new Promise<'open'>((r) => setTimeout(() => r('open'), 60_000))]);
  expect(how, 'the shell ends as a lost connection (undefined), not an exit, and not never').toBeUndefined();
  console.log(`node link cut → the terminal hears the connection is lost: ${((performance.now() - cutAt) / 1000).toFixed(1)} s`);
  await up(await imageTag());
});
