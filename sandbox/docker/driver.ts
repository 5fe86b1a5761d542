import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { z } from 'zod';
import { DriverUnavailableError, MachineLimits, MachineNotFoundError, MachineStartError, SandboxError } from '../driver.ts';
import type { ExecOptions, ExecResult, FreeDisk, MachineInfo, MachineProcess, MachineShell, MachineState, SandboxDriver, ShellSize } from '../driver.ts';
import { DiskPool, type AttachedDisk } from './disk.ts';
import { connectEngine, engineCall, statusOf } from './engine.ts';
import { attachDtach, NoSessionError } from './dtach.ts';
import { execIn, MACHINE_READY_PROBE, shellIn, spawnIn } from './exec.ts';
import { DEFAULT_PROFILE, writeMachineProfile } from './seccomp.ts';
import { thawMachineCgroups } from './thaw.ts';

/**
 * Capabilities a learner machine keeps (../shared/DESIGN.md, measured): enough for its
 * own dockerd, overlay2, unshare, nsenter and strace; not the clock, modules, raw I/O,
 * DAC_READ_SEARCH (open_by_handle_at) or SYS_RESOURCE.
 */
export const MACHINE_CAPABILITIES = [
  'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP', 'SETFCAP',
  'NET_BIND_SERVICE', 'NET_RAW', 'NET_ADMIN', 'SYS_CHROOT', 'MKNOD', 'AUDIT_WRITE', 'SYS_ADMIN',
  'SYS_PTRACE', 'SYS_NICE', 'SYS_BOOT', 'IPC_LOCK', 'IPC_OWNER', 'LEASE',
] as const;

const LABEL = 'unboxed.machine';
const PREFIX = 'unboxed-';
const Scope = z.string().regex(/^[a-z0-9]{1,16}$/, 'a scope is 1–16 lowercase letters or digits');
/** Container names allow [a-zA-Z0-9_.-]; session ids are base64url, so they fit. */
const LearnerId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
const Labels = z.object({
  'unboxed.created': z.iso.datetime(),
  'unboxed.limits': z.string().transform((s) => MachineLimits.parse(JSON.parse(s))),
  'unboxed.disk': z.string(),
});

const READY_TIMEOUT_MS = 180_000;
/** Where terminal sessions' sockets are: a folder at the top of the machine's disk (the host's side), bound in at /run/unboxed-terminals. */
const TERMINALS_ON_DISK = 'terminals';
const TERMINALS_IN_MACHINE = '/run/unboxed-terminals';
const root = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/** One disk pool per host, like the engine's own /var/lib/docker: every installation and test shares its prepared disks. */
const DISK_POOL = '/var/lib/unboxed';

export interface DockerDriverOptions {
  /** Where the generated seccomp profile goes. */
  readonly cacheDir: string;
  /** @default /var/lib/unboxed: the machines' disk pool (an XFS file and its mount point). */
  readonly diskPool?: string;
  /**
   * Machines of another scope on the same engine are invisible to this driver (tests,
   * a second installation). Unset: the platform's own machines.
   */
  readonly scope?: string;
  /** `machine-started` events with the time each phase of a start took (ms). */
  readonly log?: (event: string, fields: Record<string, unknown>) => void;
  /** The machine image to run. @default the tag of this checkout's recipe (sandbox/image/build.sh) */
  readonly image?: string;
  /** How long a machine may take to boot (an emulated host needs longer). @default 180 s */
  readonly readyTimeoutMs?: number;
}

/**
 * Learner machines as system containers on a Docker engine, through its API: systemd as
 * init, their own dockerd on a disk of their own (a copy-on-write clone of a prepared
 * one, lesson images included), a private cgroup namespace, no network interface but
 * loopback (so neither the host's services nor other machines are reachable), and
 * memory, CPU and pid limits. A trusted-learner driver: see DESIGN.md.
 */
export class DockerDriver implements SandboxDriver {
  readonly name = 'docker';
  readonly boundary = 'container';
  private readonly engine: Docker = connectEngine();
  private readonly disks: DiskPool;
  private profile: Promise<string> | undefined;
  private tag: Promise<string> | undefined;
  private readonly bases = new Map<number, Promise<string>>();
  /** The label value that marks this scope's machines. */
  private readonly mark: string;
  /** Name prefixes. Booting machines are named starting-…, renamed pool-… once ready: only those can be claimed. */
  private readonly names: { readonly starting: string; readonly pool: string; readonly learner: string };

  constructor(private readonly options: DockerDriverOptions) {
    this.disks = new DiskPool(options.diskPool ?? DISK_POOL);
    const scope = options.scope === undefined ? undefined : Scope.parse(options.scope);
    this.mark = scope ?? '1';
    const prefix = scope ? `${PREFIX}${scope}-` : PREFIX;
    this.names = { starting: `${prefix}starting-`, pool: `${prefix}pool-`, learner: `${prefix}learner-` };
  }

  async probe(): Promise<void> {
    await this.engine.ping().catch((error: unknown) => {
      throw new DriverUnavailableError(`the docker driver needs a running Docker engine (${error instanceof Error ? error.message : String(error)}); run sandbox/host/ensure-engine.sh`);
    });
    await access(DEFAULT_PROFILE).catch(() => {
      throw new DriverUnavailableError(`the docker driver needs Docker's seccomp profile at ${DEFAULT_PROFILE}; apt-get install golang-github-docker-docker-dev`);
    });
    const image = await this.image();
    await this.engine
      .getImage(image)
      .inspect()
      .catch(() => {
        throw new DriverUnavailableError(`the learner machine image ${image} is not built; run: npx unboxed sandbox image build`);
      });
  }

  /** Prepares the base disk for machines of these limits now (a machine's boot, once per image), so no learner waits for it. */
  async prepare(limits: MachineLimits): Promise<void> {
    await this.baseDisk(limits);
  }

  async create(limits: MachineLimits, learner?: string): Promise<MachineInfo> {
    const final = learner === undefined ? undefined : this.names.learner + LearnerId.parse(learner);
    // A machine now and then stops while booting on a loaded host; one fresh try saves
    // the learner from an error page. A second failure is reported.
    try {
      return await this.startNew(limits, final);
    } catch (error) {
      if (!(error instanceof MachineStartError)) throw error;
      return this.startNew(limits, final);
    }
  }

  async assign(id: string, learner: string): Promise<MachineInfo | undefined> {
    const name = this.names.learner + LearnerId.parse(learner);
    // The engine renames atomically and refuses a taken name: two claims cannot both win.
    try {
      await this.engine.getContainer(id).rename({ name });
    } catch (error) {
      if (statusOf(error) === 404 || statusOf(error) === 409) return undefined;
      throw error;
    }
    return this.inspect(name);
  }

  async find(learner: string): Promise<MachineInfo | undefined> {
    const id = LearnerId.safeParse(learner);
    if (!id.success) return undefined;
    try {
      return await this.inspect(this.names.learner + id.data);
    } catch (error) {
      if (error instanceof MachineNotFoundError) return undefined;
      throw error;
    }
  }

  exec(id: string, argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
    return execIn(this.engine.getContainer(id), argv, options);
  }

  spawn(id: string, argv: readonly string[]): Promise<MachineProcess> {
    return spawnIn(this.engine.getContainer(id), argv);
  }

  /**
   * dtach holds the shell inside the machine: ending this attachment (a reload, a server
   * restart) leaves it running. Its socket is on the machine's disk, in a folder the host
   * reaches without going through the machine's own paths (machine-init.sh), and the app
   * is its client there: one exec starts a session, none is in the keystrokes' path.
   */
  async openShell(id: string, terminal: string, size: ShellSize): Promise<MachineShell> {
    const name = `${z.string().regex(/^[a-z0-9-]+$/).parse(terminal)}.sock`;
    const container = await this.inspectRaw(id);
    const hostPath = path.join(this.disks.mountpoint(Labels.parse(container.Config.Labels)['unboxed.disk']), TERMINALS_ON_DISK, name);
    try {
      return await attachDtach(hostPath, size);
    } catch (error) {
      if (!(error instanceof NoSessionError)) throw error;
    }
    // A session that answers in the machine is kept; a socket left by one that ended (or
    // by the machine's earlier boot), or anything else by that name, is replaced.
    const inMachine = `${TERMINALS_IN_MACHINE}/${name}`;
    const start = '[ -S "$0" ] && [ ! -L "$0" ] && dtach -p "$0" </dev/null 2>/dev/null && exit; cd /root && mkdir -p "${0%/*}" && rm -f "$0" && TERM=xterm-256color exec dtach -n "$0" bash -l';
    const started = await execIn(this.engine.getContainer(container.Id), ['sh', '-c', start, inMachine], { timeoutMs: 30_000 });
    if (started.exitCode !== 0) throw new SandboxError(`machine ${id}: could not start terminal ${terminal}: ${started.stderr.trim() || `exit ${started.exitCode}`}`);
    try {
      return await attachDtach(hostPath, size);
    } catch (error) {
      if (!(error instanceof NoSessionError)) throw error;
      // The session is in the machine but not in its disk's folder: a machine booted from
      // an image older than that folder (made before an upgrade), or whose root unbound it.
      // Its engine attaches, as it did for every terminal before.
      return shellIn(this.engine.getContainer(container.Id), ['dtach', '-a', inMachine, '-E', '-z', '-r', 'winch'], size);
    }
  }

  async stop(id: string): Promise<void> {
    const container = await this.inspectRaw(id);
    await thawMachineCgroups(container.Id);
    // systemd shuts down on SIGRTMIN+3 (the container's stop signal); the disk stays mounted on the host.
    await engineCall(`stopping machine ${id}`, () => this.engine.getContainer(container.Id).stop({ t: 20 })).catch((error: unknown) => {
      if (statusOf((error as Error).cause) !== 304) throw error;
    });
  }

  async start(id: string): Promise<MachineInfo> {
    const container = await this.inspectRaw(id);
    const disk = Labels.parse(container.Config.Labels)['unboxed.disk'];
    // After a host reboot its loop device is gone: attach it again under the same link.
    await this.disks.attach(disk);
    if (!container.State.Running) {
      await engineCall(`starting machine ${id}`, () => this.engine.getContainer(container.Id).start());
    }
    await this.waitReady(container.Id, id);
    return this.inspect(id);
  }

  async destroy(id: string): Promise<void> {
    const inspected = await this.inspectRaw(id).catch((error: unknown) => {
      if (error instanceof MachineNotFoundError) return undefined;
      throw error;
    });
    if (!inspected) return;
    await thawMachineCgroups(inspected.Id);
    // By name, not by engine id: a pool machine claimed (renamed) meanwhile is no longer
    // this one, and it keeps its disk.
    const removed = await engineCall(`removing machine ${id}`, () => this.engine.getContainer(id).remove({ force: true, v: true })).then(
      () => true,
      (error: unknown) => {
        if (statusOf((error as Error).cause) !== 404) throw error;
        return false;
      },
    );
    const disk = inspected.Config.Labels?.['unboxed.disk'];
    if (removed && disk) await this.disks.remove(disk);
  }

  async list(): Promise<MachineInfo[]> {
    // One request; the summary carries names, labels and state (no per-machine inspect).
    const containers = await engineCall('listing machines', () => this.engine.listContainers({ all: true, filters: { label: [`${LABEL}=${this.mark}`] } }));
    return containers.map((c) => this.toInfo(c.Names[0] ?? c.Id, c.Labels, c.State));
  }

  async inspect(id: string): Promise<MachineInfo> {
    const c = await this.inspectRaw(id);
    return this.toInfo(c.Name, c.Config.Labels, c.State.Status);
  }

  async freeDisk(): Promise<FreeDisk> {
    // The pool file is sparse and as large as the host's file system: whichever runs out first.
    const { poolBytes, hostBytes } = await this.disks.free();
    return { on: 'host', bytes: Math.min(poolBytes, hostBytes) };
  }

  async sweep(olderThanMs: number): Promise<string[]> {
    // Every scope's machines: a disk is only this scope's by its name, and never one a machine names.
    const containers = await engineCall('listing machines', () => this.engine.listContainers({ all: true, filters: { label: ['unboxed.disk'] } }));
    const used = new Set(containers.map((c) => c.Labels['unboxed.disk']));
    const mine = new RegExp(`^${this.names.starting}[0-9a-f]{12}$`);
    return this.disks.sweep((name) => mine.test(name) && !used.has(name), olderThanMs);
  }

  private async inspectRaw(id: string): Promise<Docker.ContainerInspectInfo> {
    try {
      const container = await this.engine.getContainer(id).inspect();
      if (container.Config.Labels?.[LABEL] !== this.mark) throw new MachineNotFoundError(id);
      return container;
    } catch (error) {
      if (statusOf(error) === 404) throw new MachineNotFoundError(id);
      throw error;
    }
  }

  private toInfo(rawName: string, labels: Record<string, string> | null | undefined, status: string): MachineInfo {
    const parsed = Labels.parse(labels ?? {});
    const createdAt = new Date(parsed['unboxed.created']);
    const limits = parsed['unboxed.limits'];
    const name = rawName.replace(/^\//, '');
    const state: MachineState = status !== 'running' ? (status === 'created' ? 'starting' : 'stopped') : name.startsWith(this.names.starting) ? 'starting' : 'running';
    return {
      id: name,
      driver: this.name,
      state,
      learner: name.startsWith(this.names.learner) ? name.slice(this.names.learner.length) : undefined,
      createdAt,
      expiresAt: new Date(createdAt.getTime() + limits.lifetimeSeconds * 1000),
      limits,
    };
  }

  private async startNew(limits: MachineLimits, final: string | undefined): Promise<MachineInfo> {
    const suffix = randomBytes(6).toString('hex');
    const name = this.names.starting + suffix;
    const ready = final ?? this.names.pool + suffix;
    const at = [monotonicMs()];
    const base = await this.baseDisk(limits);
    at.push(monotonicMs());
    const disk = await this.disks.clone(base, name);
    at.push(monotonicMs());
    let phases: Record<string, number>;
    try {
      const container = await this.run(name, suffix, disk, limits, { [LABEL]: this.mark });
      at.push(monotonicMs());
      const shown = await this.waitReady(container, name);
      at.push(monotonicMs());
      // The engine refuses a taken name: a learner never gets two machines.
      await engineCall(`naming machine ${ready}`, () => this.engine.getContainer(container).rename({ name: ready }));
      const [begin, based, cloned, started, booted] = at as [number, number, number, number, number];
      phases = { base: based - begin, disk: cloned - based, container: started - cloned, ...bootPhases(shown, started, booted) };
    } catch (error) {
      await this.destroy(name).catch(() => undefined);
      await this.disks.remove(disk.name);
      throw error;
    }
    this.options.log?.('machine-started', { id: ready, phases: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(v)])) });
    return this.inspect(ready);
  }

  /** Creates and starts a machine's container on `disk`; resolves with the container's id once the engine started it. */
  private async run(name: string, suffix: string, disk: AttachedDisk, limits: MachineLimits, labels: Record<string, string>): Promise<string> {
    const [image, profile] = await Promise.all([this.image(), this.seccompProfile()]);
    const container = await engineCall(`creating machine ${name}`, () =>
      this.engine.createContainer({
        name,
        Image: image,
        Hostname: `machine-${suffix.slice(0, 6)}`,
        Labels: {
          ...labels,
          'unboxed.created': new Date().toISOString(),
          'unboxed.limits': JSON.stringify(limits),
          'unboxed.disk': disk.name,
        },
        StopSignal: 'SIGRTMIN+3',
        HostConfig: {
          CapDrop: ['ALL'],
          CapAdd: [...MACHINE_CAPABILITIES],
          // The API takes the profile itself; the CLI would read the file for us.
          SecurityOpt: [`seccomp=${profile}`, 'no-new-privileges=false'],
          CgroupnsMode: 'private',
          Sysctls: { 'net.ipv4.ip_forward': '1' },
          NetworkMode: 'none',
          Tmpfs: { '/run': '', '/run/lock': '', '/tmp': '' },
          // Its root file system moves onto this disk at boot (sandbox/image/machine-init.sh).
          Mounts: [{ Type: 'bind', Source: disk.mountpoint, Target: '/.machine' }],
          Memory: limits.memoryMiB * 2 ** 20,
          MemorySwap: limits.memoryMiB * 2 ** 20,
          NanoCpus: Math.round(limits.cpus * 1e9),
          PidsLimit: limits.pids,
        },
      } as Docker.ContainerCreateOptions & { HostConfig: { CgroupnsMode: string } }),
    );
    await engineCall(`starting machine ${name}`, () => container.start());
    return container.id;
  }

  /**
   * The prepared disk machines of these limits clone: a machine booted once on an empty
   * disk until its dockerd loaded the lesson images, then shut down cleanly. Named by the
   * image and the disk size; made once per image, by one caller at a time.
   */
  private baseDisk(limits: MachineLimits): Promise<string> {
    let base = this.bases.get(limits.diskMiB);
    if (!base) {
      base = this.image().then((image) =>
        this.disks.base(`base-${image.split(':')[1]}-${limits.diskMiB}`, limits.diskMiB, async (disk) => {
          const suffix = randomBytes(6).toString('hex');
          const name = `${PREFIX}base-${suffix}`;
          this.options.log?.('base-disk-preparing', { image, diskMiB: limits.diskMiB });
          const id = await this.run(name, suffix, disk, limits, { 'unboxed.base': '1' });
          try {
            await this.waitReady(id, name);
            // Each clone's dockerd makes an engine id of its own.
            await execIn(this.engine.getContainer(id), ['rm', '-f', '/var/lib/docker/engine-id'], { timeoutMs: 10_000 });
            await this.engine.getContainer(id).stop({ t: 60 });
          } finally {
            await this.engine.getContainer(id).remove({ force: true, v: true });
          }
        }),
      );
      base.catch(() => this.bases.delete(limits.diskMiB));
      this.bases.set(limits.diskMiB, base);
    }
    return base;
  }

  /**
   * Ready = the machine's dockerd answers and the lesson images are there. One exec
   * waits inside the machine (MACHINE_READY_PROBE, which polls without spawning); between
   * waits the container must still be running. Resolves with what the probe printed.
   */
  private async waitReady(container: string, name: string): Promise<string> {
    const timeoutMs = this.options.readyTimeoutMs ?? READY_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    const handle = this.engine.getContainer(container);
    let last = '';
    while (Date.now() < deadline) {
      const probe = await execIn(handle, MACHINE_READY_PROBE, { timeoutMs: 15_000 }).catch((error: unknown) => ({ exitCode: -1, stdout: '', stderr: String(error), timedOut: false }));
      if (probe.exitCode === 0) return probe.stdout;
      last = probe.stderr.trim();
      const state = await handle.inspect();
      if (!state.State.Running) {
        const logs = await handle.logs({ stdout: true, stderr: true, tail: 20 }).catch(() => Buffer.from(''));
        const output = logs.toString('utf8').replace(/[\x00-\x08]/g, '').trim().slice(-800) || '(the machine printed nothing)';
        throw new MachineStartError(
          `learner machine ${name} stopped while starting: ${state.State.Status} (exit code ${state.State.ExitCode}, OOM-killed ${state.State.OOMKilled}) ${state.State.Error}: ${output}${await hostLimitHint()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new MachineStartError(`learner machine ${name} was not ready after ${timeoutMs / 1000} s${last ? `: ${last}` : ''}${await hostLimitHint()}`);
  }

  /** The machine's seccomp profile, as the API takes it: the JSON itself, not a path. */
  private seccompProfile(): Promise<string> {
    this.profile ??= writeMachineProfile(this.options.cacheDir).then((file) => readFile(file, 'utf8'));
    return this.profile;
  }

  /** The image tag: the one given, or the one the current recipe builds (a hash of the recipe files). */
  private image(): Promise<string> {
    this.tag ??= this.options.image ? Promise.resolve(this.options.image) : run('bash', [path.join(root, 'sandbox/image/build.sh'), '--print-tag']).then(({ stdout }) => stdout.trim());
    return this.tag;
  }
}

/**
 * Splits a boot into systemd's own start (to sysinit.target), containerd, dockerd and the
 * readiness probe, by the unit timestamps the probe printed: the machine shares the host's
 * monotonic clock, so they line up with `monotonicMs`.
 */
function bootPhases(shown: string, startedAt: number, readyAt: number): Record<string, number> {
  const [sysinit, containerd, dockerd] = [...shown.matchAll(/=(\d+)/g)].map((m) => Number(m[1]) / 1000);
  if (!sysinit || !containerd || !dockerd) return { boot: readyAt - startedAt };
  return { systemd: sysinit - startedAt, containerd: containerd - sysinit, dockerd: dockerd - containerd, probe: readyAt - dockerd };
}

/** CLOCK_MONOTONIC in ms, the clock systemd's unit timestamps use. */
function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}

/** The host limit that stops machines from starting once enough of them run, named with its fix. */
async function hostLimitHint(): Promise<string> {
  const instances = Number(await readFile('/proc/sys/fs/inotify/max_user_instances', 'utf8').catch(() => 'unknown'));
  return instances < 1024
    ? `; this host allows root only ${instances} inotify instances and each machine's systemd, dockerd and containerd hold about 7: run sandbox/host/ensure-engine.sh (or sysctl -w fs.inotify.max_user_instances=8192)`
    : '';
}
