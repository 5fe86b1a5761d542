import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { z } from 'zod';
import { DriverUnavailableError, MachineLimits, MachineNotFoundError, MachineStartError, MachineUnreachableError, NoRoomError, SandboxError } from '../driver.ts';
import type { ExecOptions, ExecResult, FreeDisk, MachineInfo, MachineProcess, MachineShell, MachineState, SandboxDriver, ShellSize } from '../driver.ts';
import { engineCall, statusOf } from '../docker/engine.ts';
import { execIn, MACHINE_READY_PROBE, shellIn, spawnIn } from '../docker/exec.ts';
import { connectNode, NodeLabels, taskPlace, type NodeTls } from './nodes.ts';
import { DISK_DRIVER } from './disk-plugin.ts';
import { machineServiceSpec } from './service.ts';

const LABEL = 'unboxed.machine';
const PREFIX = 'unboxed-';
const Scope = z.string().regex(/^[a-z0-9]{1,16}$/, 'a scope is 1–16 lowercase letters or digits');
const LearnerId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
const Labels = z.object({
  'unboxed.created': z.iso.datetime(),
  'unboxed.limits': z.string().transform((s) => MachineLimits.parse(JSON.parse(s))),
  'unboxed.disk': z.string(),
  'unboxed.node': z.string(),
  'unboxed.ready': z.literal('1').optional(),
  'unboxed.learner': z.string().optional(),
});
const ServiceInfo = z.looseObject({
  ID: z.string(),
  CreatedAt: z.iso.datetime({ offset: true }),
  Version: z.object({ Index: z.number() }),
  Spec: z.looseObject({ Name: z.string(), Labels: z.record(z.string(), z.string()).optional(), TaskTemplate: z.looseObject({}), Mode: z.looseObject({ Replicated: z.object({ Replicas: z.number() }).optional() }) }),
});
type ServiceInfo = z.infer<typeof ServiceInfo>;
const NodeInfo = z.looseObject({
  ID: z.string(),
  Description: z.looseObject({
    Hostname: z.string(),
    Engine: z.looseObject({ Plugins: z.array(z.looseObject({ Type: z.string(), Name: z.string() })).nullish() }).optional(),
  }),
  Spec: z.looseObject({ Availability: z.string(), Labels: z.record(z.string(), z.string()).optional() }),
  Status: z.looseObject({ State: z.string() }),
});

const READY_TIMEOUT_MS = 300_000;
/** Tries at placing one machine when other app servers keep taking the place it picked. */
const MAX_PLACEMENTS = 3;
const root = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

export interface SwarmDriverOptions {
  /**
   * host:port of swarm managers' Engine APIs (mutual TLS with `tls`), tried in turn when
   * one does not answer; none, the driver is unavailable.
   */
  readonly managers: readonly string[];
  readonly tls: NodeTls | undefined;
  /** Machines of another scope on the same swarm are invisible to this driver. */
  readonly scope?: string;
  /** The machine image, present on every node. @default the tag of this checkout's recipe */
  readonly image?: string;
  /** @default 300 s (a machine boots in seconds on an idle node; far longer on one starting a class at once) */
  readonly readyTimeoutMs?: number;
}

/** A ready learner node whose engine reports no disk plugin (not loaded yet, or not installed). */
const servesNoDisks = (n: NodeLoad) => !n.disks && n.state === 'ready' && n.capacity > 0;

/** What to tell an operator of ready learner nodes that serve no disks. */
function diskHint(nodes: readonly NodeLoad[]): string {
  const without = nodes.filter(servesNoDisks).map((n) => n.hostname);
  return without.length === 0 ? '' : `; ${without.join(', ')} serve no machine disks: run \`unboxed sandbox disk-plugin\` there as root (deploy/swarm/unboxed-disk-plugin.service)`;
}

/** Whether node `n` may take one machine more, with a disk of `diskMiB`. */
const hasRoom = (n: NodeLoad, diskMiB: number) => n.machines < n.capacity && (!n.disk || n.disk.usedMiB + diskMiB <= n.disk.budgetMiB);

/** A learner node as placement sees it. */
export interface NodeLoad {
  readonly id: string;
  readonly hostname: string;
  /** Ready, active, labelled and serving disks: it may take new machines. */
  readonly open: boolean;
  /** Its engine has the disk plugin (a node's engine reports it once it has used it). */
  readonly disks: boolean;
  readonly availability: string;
  readonly state: string;
  readonly capacity: number;
  /** Machines placed on it (stopped ones too: they come back there). */
  readonly machines: number;
  /** Its `unboxed.disk-mib` budget and its machines' disk limits together; undefined when it has no budget. */
  readonly disk: { readonly budgetMiB: number; readonly usedMiB: number } | undefined;
}

/**
 * Learner machines as Swarm services (sandbox/swarm/service.ts), one task each, placed by
 * this backend on the open node with the most room (its `unboxed.capacity` label minus
 * the machines it holds; drained or down nodes get nothing new) and pinned there, so a
 * stopped machine comes back beside its disk. The manager's API places and finds
 * services; commands, agents and shells go to the task's container through its node's
 * own Engine API over mutual TLS, with the docker driver's exec functions.
 *
 * A machine's id is its service's name: `pool-…` for the pool, `learner-<digest>` when
 * made for a learner. A service cannot be renamed, so a pool machine is claimed by a label
 * update carrying the version it read: of two claims, the swarm refuses the second.
 */
export class SwarmDriver implements SandboxDriver {
  readonly name = 'swarm';
  readonly boundary = 'container';
  private managerEngines: readonly Docker[] | undefined;
  /** The manager that answered last: calls go there first. */
  private currentManager = 0;
  private readonly engines = new Map<string, Docker>();
  /** Where each machine's current task runs; dropped on stop, start and destroy. */
  private readonly places = new Map<string, Promise<Docker.Container>>();
  /** The last placement under way: the next waits for it (see `place`). */
  private placing: Promise<void> = Promise.resolve();
  private tag: Promise<string> | undefined;
  private readonly mark: string;
  private readonly names: { readonly pool: string; readonly learner: string };

  constructor(private readonly options: SwarmDriverOptions) {
    const scope = options.scope === undefined ? undefined : Scope.parse(options.scope);
    this.mark = scope ? `swarm-${scope}` : 'swarm';
    const prefix = scope ? `${PREFIX}${scope}-` : PREFIX;
    this.names = { pool: `${prefix}pool-`, learner: `${prefix}learner-` };
  }

  async probe(): Promise<void> {
    if (this.options.managers.length === 0 || !this.options.tls) {
      throw new DriverUnavailableError('the swarm driver needs a manager: set UNBOXED_SWARM_MANAGER=host:port (its Engine API; several, comma-separated) and UNBOXED_SWARM_TLS_DIR (ca.pem, cert.pem, key.pem)');
    }
    const info = await this.onManager((m) => m.info()).catch((error: unknown) => {
      throw new DriverUnavailableError(`the swarm driver cannot reach a manager's Engine API at ${this.options.managers.join(', ')} over mutual TLS (${error instanceof Error ? error.message : String(error)})`);
    });
    if (!(info as { Swarm?: { ControlAvailable?: boolean } }).Swarm?.ControlAvailable) {
      throw new DriverUnavailableError(`${this.options.managers[this.currentManager]} is not a swarm manager; give the Engine API of manager nodes`);
    }
    const nodes = await this.nodes({ wake: true });
    if (nodes.every((n) => !n.open)) {
      throw new DriverUnavailableError(`the swarm has no open learner node (ready, active, with unboxed.engine and unboxed.capacity labels, serving disks)${diskHint(nodes)}`);
    }
  }

  /** Nothing to prepare once: a machine's root is an overlay of the image's files and an upper layer on its own (empty) disk. */
  async prepare(): Promise<void> {}

  async create(limits: MachineLimits, learner?: string): Promise<MachineInfo> {
    if (learner !== undefined && (await this.find(learner))) throw new MachineStartError(`learner ${learner} already has a machine`);
    const suffix = randomBytes(6).toString('hex');
    const name = learner === undefined ? this.names.pool + suffix : this.learnerName(LearnerId.parse(learner));
    const image = await this.image();
    const placed = this.placing.then(async () => {
      for (let attempt = 1; ; attempt++) {
        const node = await this.place(limits.diskMiB);
        const labels = {
          [LABEL]: this.mark,
          'unboxed.created': new Date().toISOString(),
          'unboxed.limits': JSON.stringify(limits),
          'unboxed.disk': `${name}-disk-${suffix}`,
          'unboxed.node': node.id,
          ...(learner === undefined ? {} : { 'unboxed.learner': learner }),
        };
        // The swarm refuses a taken name: a learner never gets two machines this way.
        await this.onManager((m) =>
          engineCall(`creating machine ${name}`, () => m.createService(machineServiceSpec({ name, image, node: node.id, hostname: `machine-${suffix.slice(0, 6)}`, limits, labels, disk: labels['unboxed.disk'] }))),
        );
        if (await this.holdsPlace(name, node)) return;
        await this.destroy(name);
        if (attempt === MAX_PLACEMENTS) throw new NoRoomError(`no learner node kept room for machine ${name}: other app servers took the last places ${MAX_PLACEMENTS} times; try again`);
      }
    });
    this.placing = placed.catch(() => undefined);
    await placed;
    try {
      await this.waitReady(name);
      await this.relabel(name, (l) => ({ ...l, 'unboxed.ready': '1' }));
    } catch (error) {
      await this.destroy(name).catch(() => undefined);
      throw error;
    }
    return this.inspect(name);
  }

  async assign(id: string, learner: string): Promise<MachineInfo | undefined> {
    LearnerId.parse(learner);
    const service = await this.service(id).catch((error: unknown) => {
      if (error instanceof MachineNotFoundError) return undefined;
      throw error;
    });
    if (!service || !service.Spec.Name.startsWith(this.names.pool)) return undefined;
    const labels = Labels.parse(service.Spec.Labels ?? {});
    if (labels['unboxed.learner'] !== undefined || labels['unboxed.ready'] !== '1') return undefined;
    try {
      await this.update(service, { ...service.Spec, Labels: { ...service.Spec.Labels, 'unboxed.learner': learner } });
    } catch (error) {
      if (/out of sequence/.test(String((error as Error).message))) return undefined;
      throw error;
    }
    return this.inspect(id);
  }

  async find(learner: string): Promise<MachineInfo | undefined> {
    const id = LearnerId.safeParse(learner);
    if (!id.success) return undefined;
    // Made for the learner: by its name. Claimed from the pool: by its label (the manager
    // answers a label filter from its store, without asking any node).
    const named = await this.inspect(this.learnerName(id.data)).catch((error: unknown) => {
      if (error instanceof MachineNotFoundError) return undefined;
      throw error;
    });
    if (named) return named;
    const claimed = await this.onManager((m) => engineCall('finding a learner machine', () => m.listServices({ filters: { label: [`${LABEL}=${this.mark}`, `unboxed.learner=${id.data}`] } })));
    const service = claimed[0] ? ServiceInfo.parse(claimed[0]) : undefined;
    return service ? this.toInfo(service, await this.nodeStates()) : undefined;
  }

  exec(id: string, argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
    return this.onContainer(id, (container) => execIn(container, argv, options));
  }

  spawn(id: string, argv: readonly string[]): Promise<MachineProcess> {
    return this.onContainer(id, (container) => spawnIn(container, argv));
  }

  async openShell(id: string, terminal: string, size: ShellSize): Promise<MachineShell> {
    // As the docker driver: dtach holds the shell in the machine, past this attachment.
    const socket = `/run/unboxed-terminal-${z.string().regex(/^[a-z0-9-]+$/).parse(terminal)}.sock`;
    return this.onContainer(id, (container) => shellIn(container, ['dtach', '-A', socket, '-E', '-z', '-r', 'winch', 'bash', '-l'], size));
  }

  async stop(id: string): Promise<void> {
    const service = await this.service(id);
    this.places.delete(id);
    if (service.Spec.Mode.Replicated?.Replicas === 0) return;
    // No task: its container stops (SIGRTMIN+3, systemd shuts down); its disk, a named volume on the node, stays.
    await this.update(service, { ...service.Spec, Mode: { Replicated: { Replicas: 0 } } });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (await this.running(id))) await new Promise((r) => setTimeout(r, 200));
  }

  async start(id: string): Promise<MachineInfo> {
    const service = await this.service(id);
    this.places.delete(id);
    const node = (await this.nodes()).find((n) => n.id === Labels.parse(service.Spec.Labels ?? {})['unboxed.node']);
    // A node the swarm does not know the state of (a new leader waits for its heartbeat):
    // it answers again, or is marked down and the machine is lost.
    if (node && node.state !== 'ready' && node.state !== 'down') {
      throw new MachineUnreachableError(`machine ${id}: its node ${node.hostname} is ${node.state} to the swarm`);
    }
    // Its disk is on its node: it starts there or nowhere (a drained node takes no new task, a restart included).
    if (!node || node.state !== 'ready' || node.availability !== 'active') {
      throw new MachineStartError(`machine ${id} cannot start: its node ${node?.hostname ?? '(gone)'} is ${node ? `${node.state}, ${node.availability === 'active' ? 'active' : 'drained'}` : 'not in the swarm'}, and its disk is there`);
    }
    // With restart condition none, scaling back to one replica makes no task (swarm sees
    // the slot's task as done); a forced update does.
    const template = service.Spec.TaskTemplate as { ForceUpdate?: number };
    await this.update(service, { ...service.Spec, Mode: { Replicated: { Replicas: 1 } }, TaskTemplate: { ...template, ForceUpdate: (template.ForceUpdate ?? 0) + 1 } });
    await this.waitReady(id);
    return this.inspect(id);
  }

  async destroy(id: string): Promise<void> {
    const service = await this.service(id).catch((error: unknown) => {
      if (error instanceof MachineNotFoundError) return undefined;
      throw error;
    });
    if (!service) return;
    this.places.delete(id);
    const labels = Labels.parse(service.Spec.Labels ?? {});
    const engine = (await this.nodes()).find((n) => n.id === labels['unboxed.node']);
    await this.onManager((m) => engineCall(`removing machine ${id}`, () => m.getService(service.ID).remove())).catch((error: unknown) => {
      if (statusOf((error as Error).cause) !== 404) throw error;
    });
    // The disk is the node's: removed once the task's container is gone (a dead node's waits for sweep).
    if (engine?.state !== 'ready') return;
    const node = await this.engineOf(engine.id);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const removed = await node
        .getVolume(labels['unboxed.disk'])
        .remove()
        .then(
          () => true,
          (error: unknown) => statusOf(error) === 404,
        );
      if (removed) return;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async list(): Promise<MachineInfo[]> {
    const [services, nodes] = await Promise.all([this.services(), this.nodeStates()]);
    return services.map((s) => this.toInfo(s, nodes));
  }

  async inspect(id: string): Promise<MachineInfo> {
    const [service, nodes] = await Promise.all([this.service(id), this.nodeStates()]);
    return this.toInfo(service, nodes);
  }

  /**
   * Disk left for machines: each open node's `unboxed.disk-mib` budget less the disk limits
   * of the machines on it. A budget, not a measure: a disk is sparse and takes on the node
   * only what its machine wrote. Placement keeps each node within its own (`place`).
   */
  async freeDisk(): Promise<FreeDisk> {
    const open = (await this.loads()).filter((n) => n.open);
    return { on: 'nodes', nodes: open.map((n) => ({ node: n.id, bytes: n.disk && Math.max(0, n.disk.budgetMiB - n.disk.usedMiB) * 2 ** 20 })) };
  }

  /** Disks (volumes on ready nodes) of this scope whose machine is gone, once older than `olderThanMs`. */
  async sweep(olderThanMs: number): Promise<string[]> {
    const disks = new Set((await this.services()).map((s) => Labels.parse(s.Spec.Labels ?? {})['unboxed.disk']));
    const removed: string[] = [];
    for (const node of (await this.nodes()).filter((n) => n.state === 'ready')) {
      const engine = await this.engineOf(node.id);
      const { Volumes } = await engineCall(`listing disks on ${node.hostname}`, () => engine.listVolumes({ filters: { label: [`${LABEL}=${this.mark}`] } }));
      for (const volume of Volumes ?? []) {
        const created = Date.parse((volume as { CreatedAt?: string }).CreatedAt ?? '');
        if (disks.has(volume.Name) || !(Date.now() - created >= olderThanMs)) continue;
        // A dead task's container the node has not cleaned up yet still holds it: the next sweep.
        const gone = await engine.getVolume(volume.Name).remove().then(() => true, () => false);
        if (gone) removed.push(`${node.hostname}/${volume.Name}`);
      }
    }
    return removed;
  }

  /**
   * Every learner node with its load, for placement and for operators; with `wake`, once
   * nodes that report no disk plugin were asked to load it (see `withDisks`).
   */
  async nodes(options: { readonly wake?: boolean } = {}): Promise<NodeLoad[]> {
    const nodes = await this.loads();
    return options.wake ? this.withDisks(nodes) : nodes;
  }

  private async loads(): Promise<NodeLoad[]> {
    const [nodes, machines] = await Promise.all([this.onManager((m) => engineCall('listing nodes', () => m.listNodes())), this.services()]);
    return nodes.map((raw) => {
      const node = NodeInfo.parse(raw);
      const labels = NodeLabels.safeParse(node.Spec.Labels ?? {});
      const placed = machines.map((m) => Labels.parse(m.Spec.Labels ?? {})).filter((l) => l['unboxed.node'] === node.ID);
      const budget = labels.success ? labels.data['unboxed.disk-mib'] : undefined;
      const disks = (node.Description.Engine?.Plugins ?? []).some((p) => p.Type === 'Volume' && p.Name === DISK_DRIVER);
      return {
        id: node.ID,
        hostname: node.Description.Hostname,
        open: labels.success && disks && node.Spec.Availability === 'active' && node.Status.State === 'ready',
        disks,
        availability: node.Spec.Availability,
        state: node.Status.State,
        capacity: labels.success ? labels.data['unboxed.capacity'] : 0,
        machines: placed.length,
        disk: budget === undefined ? undefined : { budgetMiB: budget, usedMiB: placed.reduce((sum, l) => sum + l['unboxed.limits'].diskMiB, 0) },
      };
    });
  }

  /**
   * An operator's change to a learner node (by hostname or id): `pause` drains it (its
   * machines run on, new ones go elsewhere; swarm's own `drain` would end them), `active`
   * opens it again; labels make a node that joined the swarm a learner node.
   */
  async updateNode(node: string, change: { readonly availability?: 'active' | 'pause'; readonly labels?: Readonly<Record<string, string>> }): Promise<NodeLoad> {
    const found = (await this.nodes()).find((n) => n.id === node || n.hostname === node);
    if (!found) throw new SandboxError(`no swarm node '${node}'; unboxed sandbox nodes ls lists them`);
    const raw = (await this.onManager((m) => engineCall(`inspecting node ${node}`, () => m.getNode(found.id).inspect()))) as { Version: { Index: number }; Spec: { Labels?: Record<string, string> } };
    const spec = { ...raw.Spec, ...(change.availability ? { Availability: change.availability } : {}), Labels: { ...raw.Spec.Labels, ...change.labels } };
    const labels = NodeLabels.safeParse(spec.Labels);
    if (!labels.success) throw new SandboxError(`node ${node}: ${labels.error.issues[0]!.message} (set unboxed.engine=host:port and unboxed.capacity=N)`);
    await this.onManager((m) => engineCall(`updating node ${node}`, () => m.getNode(found.id).update({ _query: { version: raw.Version.Index }, _body: spec })));
    // A node just made a learner node loads its disk plugin now, for the operator's listing.
    return (await this.nodes({ wake: true })).find((n) => n.id === found.id)!;
  }

  /**
   * What the open nodes hold, and the machines a drained node still runs (they count as
   * running in the admission queue until they end); a node down holds nothing.
   */
  async capacity(): Promise<number> {
    return (await this.nodes({ wake: true })).reduce((sum, n) => sum + (n.open ? n.capacity : n.state === 'ready' ? n.machines : 0), 0);
  }

  /**
   * The open node with the most room. Creates of this process place one at a time (up to
   * their service's creation), so a burst spreads; another app server's create at the same
   * moment may see the same room, which `holdsPlace` settles.
   */
  private async place(diskMiB: number): Promise<NodeLoad> {
    const pick = (nodes: readonly NodeLoad[]) => nodes.filter((n) => n.open && hasRoom(n, diskMiB)).sort((a, b) => b.capacity - b.machines - (a.capacity - a.machines))[0];
    let nodes = await this.nodes();
    // A node whose engine restarted serves no disks until asked: wake it for the next
    // placement, or for this one when no other node can take it.
    if (!pick(nodes)) nodes = await this.withDisks(nodes);
    else void this.wakeDisks(nodes);
    const best = pick(nodes);
    if (!best) throw new NoRoomError(`no learner node has room: every node is full (machines, or disk for one of ${diskMiB} MiB), drained or down${diskHint(nodes)}`);
    return best;
  }

  /**
   * Whether machine `name`, just placed on `node`, holds one of its places. Another app
   * server may have placed on the same last place at the same moment (each saw the room):
   * of the node's machines, in the order the swarm created them, the first `capacity`
   * hold places, and a later one gives its place up.
   */
  private async holdsPlace(name: string, node: NodeLoad): Promise<boolean> {
    const order = (await this.services())
      .filter((s) => Labels.parse(s.Spec.Labels ?? {})['unboxed.node'] === node.id)
      .sort((a, b) => Date.parse(a.CreatedAt) - Date.parse(b.CreatedAt) || a.ID.localeCompare(b.ID));
    const mine = order.findIndex((s) => s.Spec.Name === name);
    const disks = order.slice(0, mine + 1).reduce((sum, s) => sum + Labels.parse(s.Spec.Labels ?? {})['unboxed.limits'].diskMiB, 0);
    return mine < node.capacity && (!node.disk || disks <= node.disk.budgetMiB);
  }

  /** Asks the engine of each ready learner node that reports no disk plugin for its volumes, which loads the plugin; returns those nodes. */
  private async wakeDisks(nodes: readonly NodeLoad[]): Promise<NodeLoad[]> {
    const waking = nodes.filter(servesNoDisks);
    await Promise.all(waking.map((n) => this.engineOf(n.id).then((engine) => engine.listVolumes()).catch(() => undefined)));
    return waking;
  }

  /**
   * `nodes` once every ready learner node's engine has looked for the disk plugin. An
   * engine loads a plugin found by its socket only when first asked for volumes, and the
   * swarm places a task needing the plugin only on a node that reports it: a fresh node
   * would never get a machine. Listing its volumes loads it; the node reports it at its
   * agent's next description update, which swarmkit sends every 20 s (nodeUpdatePeriod):
   * 2 s on the test cluster, but up to 20 s more: a wait of 10 s could end first, and an
   * app server starting on fresh nodes stop for want of an open one.
   */
  private async withDisks(nodes: readonly NodeLoad[]): Promise<NodeLoad[]> {
    const waking = await this.wakeDisks(nodes);
    if (waking.length === 0) return [...nodes];
    const deadline = Date.now() + 30_000;
    for (;;) {
      const now = await this.nodes();
      if (Date.now() > deadline || waking.every((w) => now.find((n) => n.id === w.id)?.disks !== false)) return now;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /**
   * The service name of a machine made for `learner`: service names are DNS labels (no
   * `_`, 63 characters at most), so it carries a digest of the id; the label, the id.
   */
  private learnerName(learner: string): string {
    return this.names.learner + createHash('sha256').update(learner).digest('hex').slice(0, 24);
  }

  private async services(): Promise<ServiceInfo[]> {
    const services = await this.onManager((m) => engineCall('listing machines', () => m.listServices({ filters: { label: [`${LABEL}=${this.mark}`] } })));
    return services.map((s) => ServiceInfo.parse(s));
  }

  private async service(id: string): Promise<ServiceInfo> {
    try {
      const service = ServiceInfo.parse(await this.onManager((m) => m.getService(id).inspect()));
      if (service.Spec.Labels?.[LABEL] !== this.mark || service.Spec.Name !== id) throw new MachineNotFoundError(id);
      return service;
    } catch (error) {
      if (statusOf(error) === 404) throw new MachineNotFoundError(id);
      throw error;
    }
  }

  /** Updates a service from the version it was read at: a concurrent update makes the swarm refuse this one. */
  private update(service: ServiceInfo, spec: ServiceInfo['Spec']): Promise<unknown> {
    // The version goes in the query alone; docker-modem would otherwise put the whole spec there too.
    return this.onManager((m) => engineCall(`updating machine ${service.Spec.Name}`, () => m.getService(service.ID).update({ _query: { version: service.Version.Index }, _body: spec })));
  }

  private async relabel(id: string, change: (labels: Record<string, string>) => Record<string, string>): Promise<void> {
    const service = await this.service(id);
    await this.update(service, { ...service.Spec, Labels: change(service.Spec.Labels ?? {}) });
  }

  /** Every node's state and availability, by id. */
  private async nodeStates(): Promise<Map<string, { state: string; availability: string }>> {
    const nodes = await this.onManager((m) => engineCall('listing nodes', () => m.listNodes()));
    return new Map(nodes.map((raw) => NodeInfo.parse(raw)).map((n) => [n.ID, { state: n.Status.State, availability: n.Spec.Availability }]));
  }

  /**
   * A machine's disk is on its node. A node down or gone takes the machine with it
   * (`lost`). A drained node keeps its learners' running machines, but starts nothing
   * and takes no new learner: a machine stopped there, or still nobody's, is lost too. A
   * node only unknown for a moment (a manager restarting) leaves its machines `stopped`.
   */
  private toInfo(service: ServiceInfo, nodes: ReadonlyMap<string, { state: string; availability: string }>): MachineInfo {
    const labels = Labels.parse(service.Spec.Labels ?? {});
    const createdAt = new Date(labels['unboxed.created']);
    const node = nodes.get(labels['unboxed.node']);
    const scaledDown = service.Spec.Mode.Replicated?.Replicas === 0;
    const lost = !node || node.state === 'down' || ((scaledDown || labels['unboxed.learner'] === undefined) && node.availability !== 'active');
    const state: MachineState = lost ? 'lost' : scaledDown || node.state !== 'ready' ? 'stopped' : labels['unboxed.ready'] ? 'running' : 'starting';
    return {
      id: service.Spec.Name,
      driver: this.name,
      state,
      learner: labels['unboxed.learner'],
      createdAt,
      expiresAt: new Date(createdAt.getTime() + labels['unboxed.limits'].lifetimeSeconds * 1000),
      limits: labels['unboxed.limits'],
      node: labels['unboxed.node'],
    };
  }

  /**
   * Runs `call` on a manager's Engine API: first the one that answered last, then each
   * other in turn while they do not answer (a manager node down) or have no leader (one
   * being elected). Managers connect on first use (the driver is built before its probe).
   */
  private async onManager<T>(call: (manager: Docker) => Promise<T>): Promise<T> {
    if (this.options.managers.length === 0 || !this.options.tls) throw new DriverUnavailableError('the swarm driver has no manager: set UNBOXED_SWARM_MANAGER and UNBOXED_SWARM_TLS_DIR');
    const tls = this.options.tls;
    const managers = (this.managerEngines ??= this.options.managers.map((address) => connectNode(address, tls)));
    let lost: unknown;
    for (let i = 0; i < managers.length; i++) {
      const index = (this.currentManager + i) % managers.length;
      try {
        const answer = await call(managers[index]!);
        this.currentManager = index;
        return answer;
      } catch (error) {
        if (!connectionLost(error) && !noLeader(error)) throw error;
        lost = error;
      }
    }
    throw new MachineUnreachableError(`no swarm manager answers (${this.options.managers.join(', ')}): ${(lost as Error).message}`, { cause: lost });
  }

  private connect(engine: string): Docker {
    let connection = this.engines.get(engine);
    if (!connection) {
      // The managers' connections checked the TLS files are given.
      connection = connectNode(engine, this.options.tls!);
      this.engines.set(engine, connection);
    }
    return connection;
  }

  private async engineOf(nodeId: string): Promise<Docker> {
    const node = NodeInfo.parse(await this.onManager((m) => engineCall(`inspecting node ${nodeId}`, () => m.getNode(nodeId).inspect())));
    return this.connect(NodeLabels.parse(node.Spec.Labels ?? {})['unboxed.engine']);
  }

  /** Runs `call` on the machine's container; a failure makes the next call look its place up again (its node may be gone). */
  private async onContainer<T>(id: string, call: (container: Docker.Container) => Promise<T>): Promise<T> {
    const container = await this.container(id);
    try {
      return await call(container);
    } catch (error) {
      this.places.delete(id);
      if (!connectionLost(error)) throw error;
      throw new MachineUnreachableError(`machine ${id}: its node's engine does not answer (${String((error as Error).message)})`, { cause: error });
    }
  }

  /** The machine's running container on its node's engine. */
  private container(id: string): Promise<Docker.Container> {
    let place = this.places.get(id);
    if (!place) {
      place = (async () => {
        const task = await this.onManager((m) => taskPlace(m, id));
        if (!task?.container || task.state !== 'running') throw new MachineNotFoundError(id);
        return this.connect(task.engine).getContainer(task.container);
      })();
      place.catch(() => this.places.delete(id));
      this.places.set(id, place);
    }
    return place;
  }

  private async running(id: string): Promise<boolean> {
    const task = await this.onManager((m) => taskPlace(m, id));
    return task !== undefined && ['new', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting', 'running'].includes(task.state);
  }

  /** Ready = its task runs, its dockerd answers and the lesson images are loaded (the docker driver's probe, on the node). */
  private async waitReady(id: string): Promise<void> {
    const timeoutMs = this.options.readyTimeoutMs ?? READY_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const task = await this.onManager((m) => taskPlace(m, id));
      // A task being ended is the one before a start; its successor is not listed yet.
      if (task?.desired === 'running' && ['failed', 'rejected', 'complete', 'shutdown', 'orphaned'].includes(task.state)) {
        throw new MachineStartError(`learner machine ${id} stopped while starting: its task ${task.state}${task.error ? ` (${task.error})` : ''}`);
      }
      if (task?.container && task.state === 'running') {
        const probe = await this.exec(id, MACHINE_READY_PROBE, { timeoutMs: 15_000 }).catch((error: unknown) => {
          this.places.delete(id);
          return { exitCode: -1, stdout: '', stderr: String(error), timedOut: false };
        });
        if (probe.exitCode === 0) return;
        last = probe.stderr.trim();
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new MachineStartError(`learner machine ${id} was not ready after ${timeoutMs / 1000} s${last ? `: ${last}` : ''}`);
  }

  private image(): Promise<string> {
    this.tag ??= this.options.image ? Promise.resolve(this.options.image) : run('bash', [path.join(root, 'sandbox/image/build.sh'), '--print-tag']).then(({ stdout }) => stdout.trim());
    return this.tag;
  }
}

/** Network errors that mean the node's engine is not there (rather than refusing the call). */
const CONNECTION_LOST = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE']);

/**
 * A manager that answers that the swarm has no leader, or timed out asking it (one is
 * being elected, or quorum is lost).
 */
function noLeader(error: unknown): boolean {
  for (let e = error; typeof e === 'object' && e !== null; e = (e as { cause?: unknown }).cause) {
    const message = String((e as { json?: { message?: unknown } }).json?.message ?? (e as Error).message);
    if ((statusOf(e) ?? 0) >= 500 && /leader|deadline exceeded/i.test(message)) return true;
  }
  return false;
}

function connectionLost(error: unknown): boolean {
  for (let e = error; typeof e === 'object' && e !== null; e = (e as { cause?: unknown }).cause) {
    if (CONNECTION_LOST.has(String((e as { code?: unknown }).code))) return true;
  }
  return false;
}
