import { afterAll, beforeAll } from 'vitest';
import type { SwarmDriver } from '../../sandbox/swarm/driver.ts';
import { imageTag, up } from './cluster.ts';

/**
 * For a file whose test kills nodes: the cluster up before it; after it, up again (its
 * dead nodes back and ready to the swarm for the next file) and the machines of
 * `driver`'s scope removed, with their disks.
 */
export function restoreClusterAfterKills(driver: SwarmDriver): void {
  beforeAll(async () => up(await imageTag()));
  afterAll(() => restoreCluster(driver));
}

/** Dead nodes up again and ready to the swarm, and the machines of `driver`'s scope removed, with their disks. */
export async function restoreCluster(driver: SwarmDriver, drained: readonly string[] = []): Promise<void> {
  await up(await imageTag());
  for (const node of drained) await driver.updateNode(node, { availability: 'active' });
  // A node back up is ready to the swarm seconds later (about 40 s after the leader's death).
  const deadline = Date.now() + 90_000;
  while (!(await driver.nodes({ wake: true }).then((nodes) => nodes.every((n) => n.state === 'ready' && n.open), () => false))) {
    if (Date.now() > deadline) throw new Error(`the swarm's nodes are not all ready and open 90 s after the cluster came up again: ${JSON.stringify(await driver.nodes().catch(String))}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  for (const machine of await driver.list()) await driver.destroy(machine.id);
  // Disks of machines that were on a killed node, which destroy left there.
  await driver.sweep(0);
}
