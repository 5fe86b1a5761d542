import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import {
  DriverUnavailableError,
  MachineLimits,
  MachineNotFoundError,
  MachineStartError,
  type ExecOptions,
  type ExecResult,
  type MachineInfo,
  type SandboxDriver,
  type ShellCommand,
} from '../driver.ts';
import { createDisk, removeDisk } from './disk.ts';
import { thawMachineCgroups } from './thaw.ts';
import { docker, dockerOk } from './engine.ts';
import { DEFAULT_PROFILE, writeMachineProfile } from './seccomp.ts';

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
/** Booting machines are named starting-…, renamed pool-… once ready: only those can be claimed. */
const STARTING = `${PREFIX}starting-`;
const POOL = `${PREFIX}pool-`;
const LEARNER = `${PREFIX}learner-`;
/** Container names allow [a-zA-Z0-9_.-]; session ids are base64url, so they fit. */
const LearnerId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);

/** `docker inspect` as far as the driver reads it; validated, as anything read back from the engine. */
const Inspected = z.object({
  Id: z.string(),
  Name: z.string(),
  Created: z.string(),
  State: z.object({ Status: z.string(), Running: z.boolean() }),
  Config: z.object({ Labels: z.record(z.string(), z.string()).nullable() }),
});
type Inspected = z.infer<typeof Inspected>;

const READY_TIMEOUT_MS = 180_000;
const root = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

export interface DockerDriverOptions {
  /** Where the generated seccomp profile goes. */
  readonly cacheDir: string;
}

/**
 * Learner machines as system containers on a Docker engine: systemd as init, their own
 * dockerd on a per-machine volume (overlay2), a private cgroup namespace, no network
 * interface but loopback (so neither the host's services nor other machines are
 * reachable), and memory, CPU and pid limits. A trusted-learner driver: see DESIGN.md.
 */
export class DockerDriver implements SandboxDriver {
  readonly name = 'docker';
  readonly boundary = 'container';
  private profile: Promise<string> | undefined;
  private tag: Promise<string> | undefined;

  constructor(private readonly options: DockerDriverOptions) {}

  async probe(): Promise<void> {
    const info = await docker(['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 10_000 }).catch(() => undefined);
    if (!info || info.exitCode !== 0) {
      throw new DriverUnavailableError(`the docker driver needs a running Docker engine (${info?.stderr.trim() || 'docker CLI not found'}); run sandbox/host/ensure-engine.sh`);
    }
    await access(DEFAULT_PROFILE).catch(() => {
      throw new DriverUnavailableError(`the docker driver needs Docker's seccomp profile at ${DEFAULT_PROFILE}; apt-get install golang-github-docker-docker-dev`);
    });
    const image = await this.image();
    if ((await docker(['image', 'inspect', image])).exitCode !== 0) {
      throw new DriverUnavailableError(`the learner machine image ${image} is not built; run: npx unboxed sandbox image build`);
    }
  }

  async create(limits: MachineLimits): Promise<MachineInfo> {
    // A machine now and then stops while booting on a loaded host; one fresh try saves
    // the learner from an error page. A second failure is reported.
    try {
      return await this.start(limits);
    } catch (error) {
      if (!(error instanceof MachineStartError)) throw error;
      return this.start(limits);
    }
  }

  private async start(limits: MachineLimits): Promise<MachineInfo> {
    const suffix = randomBytes(6).toString('hex');
    const name = STARTING + suffix;
    const now = new Date();
    const disk = await createDisk(path.join(this.options.cacheDir, 'disks'), name, limits.diskMiB);
    const volume = await docker(['volume', 'create', '--driver', 'local', '--opt', 'type=ext4', '--opt', 'o=discard', '--opt', `device=${disk.device}`, `${name}-docker`]);
    if (volume.exitCode !== 0) {
      await removeDisk(disk.file);
      throw new MachineStartError(`could not make the machine's disk volume: ${volume.stderr.trim()}`);
    }
    const args = [
      'run', '--detach', '--name', name, '--hostname', `machine-${suffix.slice(0, 6)}`,
      '--label', `${LABEL}=1`,
      '--label', `unboxed.created=${now.toISOString()}`,
      '--label', `unboxed.limits=${JSON.stringify(limits)}`,
      '--label', `unboxed.volume=${name}-docker`,
      '--label', `unboxed.disk=${disk.file}`,
      '--cap-drop', 'ALL', ...MACHINE_CAPABILITIES.flatMap((c) => ['--cap-add', c]),
      '--security-opt', `seccomp=${await this.seccompProfile()}`,
      '--security-opt', 'no-new-privileges=false',
      '--cgroupns', 'private',
      '--sysctl', 'net.ipv4.ip_forward=1',
      '--network', 'none',
      '--tmpfs', '/run', '--tmpfs', '/run/lock', '--tmpfs', '/tmp',
      '--mount', `type=volume,source=${name}-docker,target=/var/lib/docker`,
      '--stop-signal', 'SIGRTMIN+3',
      '--memory', `${limits.memoryMiB}m`, '--memory-swap', `${limits.memoryMiB}m`,
      '--cpus', String(limits.cpus),
      '--pids-limit', String(limits.pids),
      await this.image(),
    ];
    try {
      await dockerOk(args, { timeoutMs: 60_000 });
      await this.waitReady(name);
    } catch (error) {
      await this.destroy(name);
      await docker(['volume', 'rm', '--force', `${name}-docker`]);
      await removeDisk(disk.file);
      throw error;
    }
    await dockerOk(['rename', name, POOL + suffix]);
    return this.inspect(POOL + suffix);
  }

  async assign(id: string, learner: string): Promise<MachineInfo | undefined> {
    const name = LEARNER + LearnerId.parse(learner);
    // The engine renames atomically and refuses a taken name: two claims cannot both win.
    if ((await docker(['rename', id, name])).exitCode !== 0) return undefined;
    return this.inspect(name);
  }

  exec(id: string, argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
    return docker(['exec', '-i', id, ...argv], { stdin: options.stdin, timeoutMs: options.timeoutMs });
  }

  shellCommand(id: string, terminal: string): Promise<ShellCommand> {
    // dtach holds the shell inside the machine: closing the attaching `docker exec`
    // (a reload, a server restart) leaves it running. -E: no detach key to press by
    // accident; -r winch: redraw on attach; -z: Ctrl-Z goes to the shell.
    const socket = `/run/unboxed-terminal-${z.string().regex(/^[a-z0-9-]+$/).parse(terminal)}.sock`;
    return Promise.resolve({
      file: 'docker',
      args: ['exec', '-it', '-e', 'TERM=xterm-256color', '-w', '/root', id, 'dtach', '-A', socket, '-E', '-z', '-r', 'winch', 'bash', '-l'],
      // The pty gets a minimal environment; a remote engine must still be found.
      ...(process.env.DOCKER_HOST && { env: { DOCKER_HOST: process.env.DOCKER_HOST } }),
    });
  }

  async destroy(id: string): Promise<void> {
    const inspected = await this.inspectRaw(id).catch((error: unknown) => {
      if (error instanceof MachineNotFoundError) return undefined;
      throw error;
    });
    if (!inspected) return;
    await thawMachineCgroups(inspected.Id);
    await dockerOk(['rm', '--force', '--volumes', inspected.Id], { timeoutMs: 60_000 });
    const volume = inspected.Config.Labels?.['unboxed.volume'];
    if (volume) {
      const removed = await docker(['volume', 'rm', '--force', volume]);
      if (removed.exitCode !== 0) throw new MachineStartError(`could not remove volume ${volume}: ${removed.stderr.trim()}`);
    }
    const disk = inspected.Config.Labels?.['unboxed.disk'];
    if (disk) await removeDisk(disk);
  }

  async list(): Promise<MachineInfo[]> {
    const ids = (await dockerOk(['ps', '--all', '--quiet', '--no-trunc', '--filter', `label=${LABEL}=1`])).split('\n').filter(Boolean);
    if (ids.length === 0) return [];
    const raw = JSON.parse(await dockerOk(['inspect', ...ids])) as unknown;
    return z.array(Inspected).parse(raw).map((c) => this.toInfo(c));
  }

  async inspect(id: string): Promise<MachineInfo> {
    return this.toInfo(await this.inspectRaw(id));
  }

  private async inspectRaw(id: string): Promise<Inspected> {
    const result = await docker(['inspect', '--type', 'container', id]);
    if (result.exitCode !== 0) throw new MachineNotFoundError(id);
    const [container] = z.array(Inspected).parse(JSON.parse(result.stdout));
    if (!container || container.Config.Labels?.[LABEL] !== '1') throw new MachineNotFoundError(id);
    return container;
  }

  private toInfo(c: Inspected): MachineInfo {
    const labels = c.Config.Labels ?? {};
    const limits = MachineLimits.parse(JSON.parse(labels['unboxed.limits'] ?? '{}'));
    const createdAt = new Date(labels['unboxed.created'] ?? c.Created);
    const name = c.Name.replace(/^\//, '');
    return {
      id: name,
      driver: this.name,
      state: !c.State.Running ? (c.State.Status === 'created' ? 'starting' : 'stopped') : name.startsWith(STARTING) ? 'starting' : 'running',
      learner: name.startsWith(LEARNER) ? name.slice(LEARNER.length) : undefined,
      createdAt,
      expiresAt: new Date(createdAt.getTime() + limits.lifetimeSeconds * 1000),
      limits,
    };
  }

  /** Ready = the machine's dockerd answers and the lesson images are loaded. */
  private async waitReady(id: string): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let last = '';
    while (Date.now() < deadline) {
      const probe = await this.exec(id, ['sh', '-c', 'docker info >/dev/null 2>&1 && test -e /var/lib/docker/.unboxed-images-loaded'], { timeoutMs: 10_000 });
      if (probe.exitCode === 0) return;
      last = probe.stderr.trim();
      const state = await docker(['inspect', '--format', '{{.State.Status}} (exit code {{.State.ExitCode}}, OOM-killed {{.State.OOMKilled}}) {{.State.Error}}', id]);
      if (!state.stdout.startsWith('running')) {
        const logs = await docker(['logs', '--tail', '20', id]);
        const output = `${logs.stdout}${logs.stderr}`.trim().slice(-800) || '(the machine printed nothing)';
        throw new MachineStartError(`learner machine ${id} stopped while starting: ${state.stdout.trim()}: ${output}${await hostLimitHint()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new MachineStartError(`learner machine ${id} was not ready after ${READY_TIMEOUT_MS / 1000} s${last ? `: ${last}` : ''}${await hostLimitHint()}`);
  }

  private seccompProfile(): Promise<string> {
    this.profile ??= writeMachineProfile(this.options.cacheDir);
    return this.profile;
  }

  /** The image tag the current recipe builds (a hash of the recipe files). */
  private image(): Promise<string> {
    this.tag ??= run('bash', [path.join(root, 'sandbox/image/build.sh'), '--print-tag']).then(({ stdout }) => stdout.trim());
    return this.tag;
  }
}

/** The host limit that stops machines from starting once enough of them run, named with its fix. */
async function hostLimitHint(): Promise<string> {
  const instances = Number(await readFile('/proc/sys/fs/inotify/max_user_instances', 'utf8').catch(() => 'unknown'));
  return instances < 1024
    ? `; this host allows root only ${instances} inotify instances and each machine's systemd, dockerd and containerd hold about 7: run sandbox/host/ensure-engine.sh (or sysctl -w fs.inotify.max_user_instances=8192)`
    : '';
}
