import { beforeAll } from 'vitest';
import { runDriverConformance } from '../../sandbox/conformance.ts';
import { SwarmDriver } from '../../sandbox/swarm/driver.ts';
import { CLIENT_TLS, ENGINE_PORT, NODES, nodeDocker, up, imageTag } from './cluster.ts';

const [manager] = NODES as [(typeof NODES)[number]];
const driver = new SwarmDriver({ managers: [`${manager.address}:${ENGINE_PORT}`], tls: CLIENT_TLS, scope: 'swarm' });

beforeAll(async () => {
  const image = await imageTag();
  await up(image);
});

/** What destroyed machines left on the cluster: services, task containers or disks on any node. */
async function leftovers(ids: readonly string[]): Promise<string[]> {
  const left = (await nodeDocker(manager, ['service', 'ls', '--format', '{{.Name}}'])).split('\n').filter((n) => ids.includes(n));
  for (const node of NODES) {
    const containers = (await nodeDocker(node, ['ps', '-a', '--format', '{{.Label "com.docker.swarm.service.name"}}'])).split('\n').filter((n) => ids.includes(n));
    const volumes = (await nodeDocker(node, ['volume', 'ls', '-q'])).split('\n').filter((v) => ids.some((id) => v.startsWith(`${id}-disk-`)));
    left.push(...containers.map((c) => `${node.name}: container of ${c}`), ...volumes.map((v) => `${node.name}: volume ${v}`));
  }
  return left;
}

runDriverConformance('swarm', () => driver, leftovers);
