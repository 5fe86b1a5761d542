import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import path from 'node:path';
import { inspect } from 'node:util';
import Docker from 'dockerode';
import { z } from 'zod';
import { SandboxError } from '../driver.ts';
import { engineCall } from '../docker/engine.ts';

/** The app's side of the node engines' mutual TLS: their CA and the app's client certificate (PEM files). */
export const NodeTls = z.strictObject({
  ca: z.string().min(1).describe("PEM file of the CA that signed the node engines' certificates"),
  cert: z.string().min(1).describe("PEM file of the app's client certificate"),
  key: z.string().min(1).describe("PEM file of the client certificate's key"),
});
export type NodeTls = z.infer<typeof NodeTls>;

/** The client TLS files in `dir` by Docker's names (as DOCKER_CERT_PATH): ca.pem, cert.pem, key.pem. */
export function nodeTlsIn(dir: string): NodeTls {
  return { ca: path.join(dir, 'ca.pem'), cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') };
}

/**
 * What an operator labels a learner node with (`docker node update --label-add`): its
 * Engine API (host:port, mutual TLS) and how many machines it may hold.
 */
export const NodeLabels = z.looseObject({
  'unboxed.engine': z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, "a node's unboxed.engine label is host:port of its Engine API"),
  'unboxed.capacity': z.string().regex(/^\d{1,5}$/, "a node's unboxed.capacity label is the number of machines it may hold").transform(Number).describe('Learner machines the node may hold at once'),
  'unboxed.disk-mib': z
    .string()
    .regex(/^\d{1,9}$/, "a node's unboxed.disk-mib label is the MiB its machines' disks may take together")
    .transform(Number)
    .optional()
    .describe("Disk for machines on the node (their disk limits together); unset: the node's disk is not budgeted"),
});

/** A node's Engine API over mutual TLS: the only way the app reaches a machine on it. */
export function connectNode(engine: string, tls: NodeTls): Docker {
  const [host, port] = engine.split(':') as [string, string];
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new SandboxError(`cannot read the ${what} for node engines at ${file}: ${(error as Error).message}`);
    }
  };
  // A node that died with its link holds a connect for minutes (SYN retries) unless bounded:
  // no answer to a request within 10 s ends it (a hijacked exec stream is not bounded).
  // docker-modem's options: dockerode hands them on, its types leave them out.
  const options: Docker.DockerOptions & { readonly connectionTimeout: number; readonly agent: Agent } = {
    host,
    port: Number(port),
    protocol: 'https',
    ca: read(tls.ca, 'CA certificate'),
    cert: read(tls.cert, 'client certificate'),
    key: read(tls.key, 'client key'),
    connectionTimeout: 10_000,
    // TCP keep-alive from 1 s of quiet on every connection, a terminal's hijacked exec
    // stream too: a node that vanishes silently (power or link lost) closes nothing, and
    // the lost probes (libuv: one a second, ten) end the stream in about 11 s; the exec's
    // inspect then gets no answer, so the terminal hears of a lost connection, not an exit
    // (21 s from a link cut, tests/swarm/node-death). Node's global agent does the same
    // today; said here because terminals depend on it.
    agent: quietAgent(new Agent({ keepAlive: true, keepAliveMsecs: 1000 })),
  };
  return new Docker(options);
}

/**
 * docker-modem formats every request's options for its debug log (util.inspect, hidden
 * properties, no depth limit) whether that log is on or not. Through the agent that walks
 * every pooled TLS socket: a cluster's list cost an app server 70–150 ms of CPU, growing
 * with its connections, and a class's arrival kept two servers' cores busy (profiled).
 */
function quietAgent(agent: Agent): Agent {
  return Object.defineProperty(agent, inspect.custom, { value: () => 'https.Agent' });
}

export interface TaskPlace {
  readonly nodeId: string;
  /** host:port of the node's Engine API. */
  readonly engine: string;
  /** The task's container id on that node; undefined until the node created it. */
  readonly container: string | undefined;
  /** The task's state as swarm reports it (new, pending, assigned, …, running, failed, shutdown). */
  readonly state: string;
  /** `running`, or `shutdown` for a task the swarm is ending (the service scaled to none, or removed). */
  readonly desired: string;
  readonly error: string | undefined;
}

const Task = z.looseObject({
  CreatedAt: z.string(),
  NodeID: z.string().optional(),
  DesiredState: z.string(),
  Status: z.looseObject({ State: z.string(), Err: z.string().optional(), ContainerStatus: z.looseObject({ ContainerID: z.string().optional() }).optional() }),
});

/**
 * Where the task of a one-task service runs (a manager's view): the newest meant to run,
 * else the newest (one being ended); undefined if it has none yet.
 */
export async function taskPlace(manager: Docker, service: string): Promise<TaskPlace | undefined> {
  const tasks = z.array(Task).parse(await engineCall(`listing the tasks of ${service}`, () => manager.listTasks({ filters: { service: [service] } })));
  tasks.sort((a, b) => Date.parse(b.CreatedAt) - Date.parse(a.CreatedAt));
  const task = tasks.find((t) => t.DesiredState === 'running') ?? tasks[0];
  if (!task?.NodeID) return undefined;
  const node = await engineCall(`inspecting node ${task.NodeID}`, () => manager.getNode(task.NodeID!).inspect());
  const labels = NodeLabels.parse((node as { Spec?: { Labels?: unknown } }).Spec?.Labels ?? {});
  return { nodeId: task.NodeID, engine: labels['unboxed.engine'], container: task.Status.ContainerStatus?.ContainerID || undefined, state: task.Status.State, desired: task.DesiredState, error: task.Status.Err };
}
