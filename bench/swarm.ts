/**
 * Learner machines on the three-node test swarm (tests/swarm/cluster.ts, brought up if it
 * is not): the cluster's start, a cold machine (service create → ready: task placed,
 * first boot with its root an overlay of the image over its disk, lesson images loaded), a start
 * of a stopped one, and the exec round trip to it through its node's Engine API over
 * mutual TLS (TCP) against the same engine's local unix socket.
 *
 *   npx tsx bench/swarm.ts [execs=50]
 */
import Docker from 'dockerode';
import { execIn } from '../sandbox/docker/exec.ts';
import { MachineLimits } from '../sandbox/driver.ts';
import { connectNode, taskPlace } from '../sandbox/swarm/nodes.ts';
import { SwarmDriver } from '../sandbox/swarm/driver.ts';
import { CLIENT_TLS, ENGINE_PORT, NODES, up, imageTag } from '../tests/swarm/cluster.ts';
import { percentile } from './percentile.ts';

const execs = Number(process.argv[2] ?? 50);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const image = await imageTag();

let at = performance.now();
await up(image);
console.log(`cluster up: ${seconds(performance.now() - at)}`);

const manager = `${NODES[0]!.address}:${ENGINE_PORT}`;
const driver = new SwarmDriver({ managers: [manager], tls: CLIENT_TLS, scope: 'bench' });
at = performance.now();
const machine = await driver.create(MachineLimits.parse({}));
console.log(`cold machine (service create → ready): ${seconds(performance.now() - at)}`);
try {
  const place = (await taskPlace(connectNode(manager, CLIENT_TLS), machine.id))!;
  const node = NODES.find((n) => place.engine.startsWith(`${n.address}:`))!;
  const remote = connectNode(place.engine, CLIENT_TLS).getContainer(place.container!);
  const local = new Docker({ socketPath: `/run/unboxed-swarm/${node.name}/docker.sock` }).getContainer(place.container!);
  for (const [label, container] of [
    [`${node.name}'s engine over mutual TLS`, remote],
    [`${node.name}'s engine on its unix socket`, local],
  ] as const) {
    const took: number[] = [];
    for (let i = 0; i < execs; i++) {
      const start = performance.now();
      const result = await execIn(container, ['true'], { timeoutMs: 10_000 });
      if (result.exitCode !== 0) throw new Error(`exec failed: ${result.stderr}`);
      took.push(performance.now() - start);
    }
    console.log(`exec round trip (${label}), ${execs} runs: p50 ${percentile(took, 50).toFixed(1)} ms, p95 ${percentile(took, 95).toFixed(1)} ms`);
  }
  await driver.stop(machine.id);
  at = performance.now();
  await driver.start(machine.id);
  console.log(`start of a stopped machine (its disk kept on the node): ${seconds(performance.now() - at)}`);
} finally {
  await driver.destroy(machine.id);
}
