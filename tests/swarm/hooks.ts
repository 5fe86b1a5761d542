import { afterAll, beforeAll } from 'vitest';
import type { SwarmDriver } from '../../sandbox/swarm/driver.ts';
import { imageTag, up } from './cluster.ts';

/**
 * For a file whose test kills nodes: the cluster up before it; after it, up again (its
 * dead nodes back for the next file) and the machines of `driver`'s scope removed.
 */
export function restoreClusterAfterKills(driver: SwarmDriver): void {
  beforeAll(async () => up(await imageTag()));
  afterAll(async () => {
    await up(await imageTag());
    for (const machine of await driver.list()) await driver.destroy(machine.id);
  });
}
