import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdir, readdir, readFile, rename, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { DriverUnavailableError, MachineLimits, MachineNotFoundError, MachineStartError } from '../driver.ts';
import type { ExecOptions, ExecResult, FreeDisk, MachineInfo, MachineProcess, MachineShell, SandboxDriver, ShellSize } from '../driver.ts';
import { runProcess } from '../process.ts';
import { checked, freePort, goldenState, readGolden, type Golden } from './golden.ts';
import { Qmp } from './qmp.ts';
import { shellQuote, sshClose, sshExec, sshProcess, sshShell, type SshTarget } from './ssh.ts';
import { Accel, consoleTail, probeAccel, qemuArgs, reclaimRestoredMemory, vmImage, VmShape, type VmFiles, type VmImage } from './vm.ts';

const STARTING = 'vm-starting-';
const POOL = 'vm-pool-';
const LEARNER = 'vm-learner-';
const LearnerId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
const MachineName = z.string().regex(/^vm-(starting|pool|learner)-[A-Za-z0-9_-]+$/);
const TerminalName = z.string().regex(/^[a-z0-9-]+$/);

/** What the driver keeps about a machine, in the machine's own folder: its identity survives restarts. */
const MachineMeta = z.strictObject({
  suffix: z.string().regex(/^[0-9a-f]{12}$/),
  createdAt: z.iso.datetime(),
  limits: MachineLimits,
  port: z.int(),
  shape: VmShape,
});
type MachineMeta = z.infer<typeof MachineMeta>;

const RESTORE_TIMEOUT_MS = 120_000;
/** Measured: a cold boot under TCG reaches a working Docker engine in ~55 s on a 2-core host busy with other work. */
const BOOT_TIMEOUT_MS = 300_000;
/** A guest that has not powered off by then (hung, or its SSH broken) is killed. */
const SHUTDOWN_TIMEOUT_MS = 60_000;
/** The image's file system (build-vm.sh) is this big; a machine's disk grows from it. */
const MIN_DISK_MIB = 3072;
const root = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

export interface QemuDriverOptions {
  /** Where machines' folders (disk, keys, pid) live. */
  readonly stateDir: string;
  /** `auto` probes hardware KVM and falls back to TCG. */
  readonly accel?: Accel | 'auto';
  readonly log?: (event: string, fields: Record<string, unknown>) => void;
}

/**
 * Learner machines as real VMs: a QEMU microvm each, restored from a golden state of
 * the image (booted once, saved) onto a copy-on-write disk, reached over SSH through a
 * loopback port with a key of its own and multiplexed connections. The VM's only network
 * is QEMU's user-mode stack with restrict=on: no route to the host or anywhere else.
 * Its limits are hardware: RAM, vCPUs, a disk of the limit's size, and a pid cap on the guest's
 * services; a fork bomb or a full disk stays inside its kernel. A stopped machine keeps
 * its folder and disk, and starts again by a cold boot of that disk.
 */
export class QemuDriver implements SandboxDriver {
  readonly name = 'qemu';
  readonly boundary = 'vm';
  private imageDir: Promise<string> | undefined;
  private accel: Promise<Accel> | undefined;

  constructor(private readonly options: QemuDriverOptions) {}

  private get machinesDir(): string {
    return path.join(this.options.stateDir, 'vm');
  }

  async freeDisk(): Promise<FreeDisk> {
    await mkdir(this.machinesDir, { recursive: true });
    const fs = await statfs(this.machinesDir);
    return { on: 'host', bytes: fs.bavail * fs.bsize };
  }

  async sweep(olderThanMs: number): Promise<string[]> {
    // A start interrupted before its meta.json was written is a folder no listing shows
    // (one with it is listed as starting, and the manager removes it once stuck).
    const removed: string[] = [];
    for (const name of (await readdir(this.machinesDir).catch(() => [] as string[])).filter((n) => n.startsWith(STARTING))) {
      const dir = path.join(this.machinesDir, name);
      if ((await this.readMeta(dir).catch(() => undefined)) || Date.now() - (await stat(dir)).mtimeMs < olderThanMs) continue;
      await rm(dir, { recursive: true, force: true });
      removed.push(name);
    }
    return removed;
  }

  async probe(): Promise<void> {
    for (const tool of ['qemu-system-x86_64', 'qemu-img', 'ssh', 'ssh-keygen']) {
      const found = await runProcess('sh', ['-c', `command -v ${tool}`]).catch(() => undefined);
      if (found?.exitCode !== 0) throw new DriverUnavailableError(`the qemu driver needs ${tool}; apt-get install qemu-system-x86 qemu-utils openssh-client`);
    }
    const image = await this.image();
    await access(image.disk).catch(() => {
      throw new DriverUnavailableError(`the VM image ${image.dir} is not built; run: npx unboxed sandbox image build --vm`);
    });
  }

  /** Makes the golden state for machines of these limits now (it takes minutes under TCG), so no learner waits for it. */
  async prepare(limits: MachineLimits): Promise<void> {
    const image = await this.image();
    await goldenState(image, await this.shapeFor(image, limits), this.options.log ?? (() => undefined));
  }

  async create(limits: MachineLimits, learner?: string): Promise<MachineInfo> {
    // Named for its learner straight from starting: never claimable by anyone else on the way.
    const final = learner === undefined ? undefined : LEARNER + LearnerId.parse(learner);
    if (limits.diskMiB < MIN_DISK_MIB) {
      throw new MachineStartError(`the qemu driver needs a disk of at least ${MIN_DISK_MIB} MiB (the image and its lesson images); raise UNBOXED_MACHINE_DISK_MIB`);
    }
    const image = await this.image();
    const golden = await goldenState(image, await this.shapeFor(image, limits), this.options.log ?? (() => undefined));
    const suffix = randomBytes(6).toString('hex');
    const name = STARTING + suffix;
    const dir = path.join(this.machinesDir, name);
    await mkdir(dir, { recursive: true });
    const meta: MachineMeta = { suffix, createdAt: new Date().toISOString(), limits, port: await freePort(), shape: golden.shape };
    try {
      await writeFile(path.join(dir, 'meta.json'), JSON.stringify(meta));
      await checked('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', golden.disk, path.join(dir, 'disk.qcow2')]);
      await checked('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `unboxed-${suffix}`, '-f', path.join(dir, 'key')]);
      await this.restore(image, golden, dir, meta);
      await this.personalize(golden, dir, meta);
    } catch (error) {
      await this.destroy(name);
      throw error;
    }
    const ready = final ?? POOL + suffix;
    try {
      // rename(2) refuses a taken learner name (its folder is never empty): one machine per learner.
      await rename(dir, path.join(this.machinesDir, ready));
    } catch (error) {
      await this.destroy(name);
      throw new MachineStartError(`machine ${name} could not be named ${ready}: ${(error as Error).message}`);
    }
    return this.inspect(ready);
  }

  async assign(id: string, learner: string): Promise<MachineInfo | undefined> {
    const name = LEARNER + LearnerId.parse(learner);
    // rename(2) is atomic: of two claims on one machine only one finds it; a learner's
    // second machine cannot take a name that exists (the folder is never empty).
    try {
      await rename(path.join(this.machinesDir, MachineName.parse(id)), path.join(this.machinesDir, name));
    } catch {
      return undefined;
    }
    return this.inspect(name);
  }

  async find(learner: string): Promise<MachineInfo | undefined> {
    return this.lookup(LEARNER + LearnerId.parse(learner));
  }

  async exec(id: string, argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
    return sshExec(await this.target(id), argv, options);
  }

  async spawn(id: string, argv: readonly string[]): Promise<MachineProcess> {
    return sshProcess(await this.target(id), argv);
  }

  async openShell(id: string, terminal: string, size: ShellSize): Promise<MachineShell> {
    const socket = `/run/unboxed-terminal-${TerminalName.parse(terminal)}.sock`;
    return sshShell(await this.target(id), `cd /root && TERM=xterm-256color exec dtach -A ${shellQuote(socket)} -E -z -r winch bash -l`, size);
  }

  async stop(id: string): Promise<void> {
    const { dir, meta } = await this.machine(id);
    const target = this.targetFor(dir, meta.port, meta.suffix);
    const pid = await this.runningQemu(dir, meta.suffix);
    if (pid) {
      // A clean power-off: the guest flushes its file systems and its dockerd stops its
      // containers. The session ends with the guest; its exit status says nothing.
      await sshExec(target, ['systemctl', 'poweroff'], { timeoutMs: 15_000 });
      await this.waitForExit(pid, meta.suffix, SHUTDOWN_TIMEOUT_MS);
      await this.kill(pid, meta.suffix);
    }
    await sshClose(target);
    await rm(this.qmpSocket(meta.suffix), { force: true });
  }

  async start(id: string): Promise<MachineInfo> {
    const { dir, meta } = await this.machine(id);
    const running = await this.runningQemu(dir, meta.suffix);
    const port = running ? meta.port : await this.boot(dir, meta);
    const target = this.targetFor(dir, port, meta.suffix);
    const deadline = Date.now() + BOOT_TIMEOUT_MS;
    for (;;) {
      const ready = await sshExec(target, ['docker', 'info', '-f', '{{.ID}}'], { timeoutMs: 20_000 });
      if (ready.exitCode === 0) return this.inspect(id);
      if (Date.now() > deadline) {
        const tail = (await consoleTail(this.qmpSocket(meta.suffix))).slice(-1500);
        const pid = await this.runningQemu(dir, meta.suffix);
        if (pid) await this.kill(pid, meta.suffix);
        throw new MachineStartError(`machine ${id} was not ready ${BOOT_TIMEOUT_MS / 1000} s after it was started (${(ready.stderr || ready.stdout).trim()}); console:\n${tail}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  async destroy(id: string): Promise<void> {
    const dir = path.join(this.machinesDir, MachineName.parse(id));
    const meta = await this.readMeta(dir).catch(() => undefined);
    if (meta) {
      const pid = await this.runningQemu(dir, meta.suffix);
      if (pid) await this.kill(pid, meta.suffix);
      await sshClose(this.targetFor(dir, meta.port, meta.suffix));
      await rm(this.qmpSocket(meta.suffix), { force: true });
    }
    await rm(dir, { recursive: true, force: true });
  }

  async list(): Promise<MachineInfo[]> {
    const names = await readdir(this.machinesDir).catch(() => [] as string[]);
    const machines: MachineInfo[] = [];
    for (const name of names.filter((n) => MachineName.safeParse(n).success)) {
      const info = await this.lookup(name);
      if (info) machines.push(info);
    }
    return machines;
  }

  async inspect(id: string): Promise<MachineInfo> {
    const name = MachineName.safeParse(id);
    if (!name.success) throw new MachineNotFoundError(id);
    const dir = path.join(this.machinesDir, name.data);
    const meta = await this.readMeta(dir).catch(() => undefined);
    if (!meta) throw new MachineNotFoundError(id);
    const running = (await this.runningQemu(dir, meta.suffix)) !== undefined;
    const createdAt = new Date(meta.createdAt);
    return {
      id,
      driver: this.name,
      state: id.startsWith(STARTING) ? 'starting' : running ? 'running' : 'stopped',
      learner: id.startsWith(LEARNER) ? id.slice(LEARNER.length) : undefined,
      createdAt,
      expiresAt: new Date(createdAt.getTime() + meta.limits.lifetimeSeconds * 1000),
      limits: meta.limits,
    };
  }

  /** Starts QEMU on the machine's disk, loads the golden state into it and lets it run. */
  private async restore(image: VmImage, golden: Golden, dir: string, meta: MachineMeta): Promise<void> {
    const files: VmFiles = {
      disk: path.join(dir, 'disk.qcow2'),
      qmp: this.qmpSocket(meta.suffix),
      pidfile: path.join(dir, 'qemu.pid'),
    };
    // The kernel command line matters only when the guest reboots: the saved memory holds the booted kernel.
    const args = [...qemuArgs(image, golden.shape, files, meta.port, golden.machineAppend), '-daemonize', '-incoming', `exec:cat ${shellQuote(golden.state)}`];
    const started = await runProcess('qemu-system-x86_64', args, { timeoutMs: 60_000 });
    if (started.exitCode !== 0) throw new MachineStartError(`qemu did not start: ${started.stderr.trim()}`);
    const qmp = await Qmp.connect(files.qmp);
    try {
      // The state was saved paused; it arrives paused and runs from exactly there.
      await qmp.waitForStatus('paused', RESTORE_TIMEOUT_MS);
      await qmp.execute('cont');
      // The image's file system is small; the machine's disk limit is its size.
      await qmp.execute('block_resize', { device: 'root', size: meta.limits.diskMiB * 2 ** 20 });
      await reclaimRestoredMemory(qmp, Number(await readFile(files.pidfile, 'utf8')), golden.shape);
    } finally {
      qmp.close();
    }
  }

  /**
   * Boots a stopped machine from its own disk: a cold boot, since the disk has moved on
   * from the golden state it was made from (its backing file, which also names the
   * kernel and hardware). On a port free now; the one it had may have been taken since.
   */
  private async boot(dir: string, meta: MachineMeta): Promise<number> {
    const disk = path.join(dir, 'disk.qcow2');
    const info = await checked('qemu-img', ['info', '--output=json', disk]);
    const backing = z.object({ 'full-backing-filename': z.string() }).parse(JSON.parse(info))['full-backing-filename'];
    const golden = await readGolden(path.dirname(backing));
    if (!golden) throw new MachineStartError(`machine ${path.basename(dir)} cannot start: the golden state it was made from (${path.dirname(backing)}) is gone`);
    const port = await freePort();
    const files: VmFiles = { disk, qmp: this.qmpSocket(meta.suffix), pidfile: path.join(dir, 'qemu.pid') };
    const started = await runProcess('qemu-system-x86_64', [...qemuArgs(vmImage(path.dirname(golden.dir)), golden.shape, files, port, golden.machineAppend), '-daemonize'], { timeoutMs: 60_000 });
    if (started.exitCode !== 0) throw new MachineStartError(`qemu did not start: ${started.stderr.trim()}`);
    // Written once QEMU holds the disk: a second start fails on its lock before this.
    await writeFile(path.join(dir, 'meta.json.tmp'), JSON.stringify({ ...meta, port }));
    await rename(path.join(dir, 'meta.json.tmp'), path.join(dir, 'meta.json'));
    return port;
  }

  /**
   * A restored VM is a byte-for-byte clone of the golden one. Before anyone uses it,
   * through the golden key: its own authorized key, SSH host key, machine id, hostname,
   * clock (the saved one is stale), more host randomness, and the pid cap; then the
   * golden key no longer opens it.
   */
  private async personalize(golden: Golden, dir: string, meta: MachineMeta): Promise<void> {
    const publicKey = (await readFile(path.join(dir, 'key.pub'), 'utf8')).trim();
    const hostname = `machine-${meta.suffix.slice(0, 6)}`;
    const script = [
      'set -e',
      `date -s @${Math.floor(Date.now() / 1000)} >/dev/null`,
      // Host randomness into the pool, then RNDRESEEDCRNG (_IO('R', 7)): the kernel's
      // generator re-keys now, so the keys made next differ from every other clone's.
      `echo ${randomBytes(64).toString('hex')} >/dev/urandom`,
      `perl -e 'open(my $f, "<", "/dev/urandom") or die; ioctl($f, 0x5207, 0) or die "reseed: $!\\n"'`,
      `echo ${shellQuote(publicKey)} >/root/.ssh/authorized_keys`,
      'rm -f /etc/ssh/ssh_host_*',
      "ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key",
      'cat /proc/sys/kernel/random/uuid | tr -d - >/etc/machine-id',
      `echo ${hostname} >/etc/hostname && hostname ${hostname}`,
      // Kept on disk, so a cold boot (start) keeps it.
      `systemctl set-property system.slice TasksMax=${meta.limits.pids}`,
      // The grown disk reaches the guest as a config change; then ext4 grows online.
      `for i in $(seq 100); do [ "$(blockdev --getsize64 /dev/vda)" -ge ${meta.limits.diskMiB * 2 ** 20} ] && break; sleep 0.05; done`,
      'resize2fs /dev/vda >/dev/null 2>&1',
      'cat /etc/ssh/ssh_host_ed25519_key.pub',
    ].join('\n');
    const first: SshTarget = { ...golden.ssh, port: meta.port, controlPath: path.join(tmpdir(), `unboxed-ssh-g${meta.suffix}`) };
    const deadline = Date.now() + RESTORE_TIMEOUT_MS;
    let result = await sshExec(first, ['bash', '-c', script], { timeoutMs: 30_000 });
    while (result.exitCode === 255 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      result = await sshExec(first, ['bash', '-c', script], { timeoutMs: 30_000 });
    }
    await sshClose(first);
    if (result.exitCode !== 0) throw new MachineStartError(`could not set up the restored VM: ${(result.stderr || result.stdout).trim()}`);
    const hostKey = result.stdout.trim().split('\n').at(-1)!.split(' ').slice(0, 2).join(' ');
    await writeFile(path.join(dir, 'known_hosts'), `unboxed-${meta.suffix} ${hostKey}\n`);
    const check = await sshExec(this.targetFor(dir, meta.port, meta.suffix), ['true'], { timeoutMs: 30_000 });
    if (check.exitCode !== 0) throw new MachineStartError(`the VM does not answer with its own key: ${check.stderr.trim()}`);
  }

  private async shapeFor(image: VmImage, limits: MachineLimits): Promise<VmShape> {
    return { memoryMiB: limits.memoryMiB, cpus: Math.max(1, Math.ceil(limits.cpus)), accel: await this.accelerator(image) };
  }

  private async machine(id: string): Promise<{ dir: string; meta: MachineMeta }> {
    const dir = path.join(this.machinesDir, MachineName.parse(id));
    const meta = await this.readMeta(dir).catch(() => {
      throw new MachineNotFoundError(id);
    });
    return { dir, meta };
  }

  private async lookup(id: string): Promise<MachineInfo | undefined> {
    return this.inspect(id).catch((error: unknown) => {
      if (error instanceof MachineNotFoundError) return undefined;
      throw error;
    });
  }

  private async target(id: string): Promise<SshTarget> {
    const { dir, meta } = await this.machine(id);
    return this.targetFor(dir, meta.port, meta.suffix);
  }

  private targetFor(dir: string, port: number, suffix: string): SshTarget {
    // The control socket is named by the suffix, not the folder: it stays valid across
    // the folder's renames, and short enough for a Unix socket path.
    return { port, key: path.join(dir, 'key'), knownHosts: path.join(dir, 'known_hosts'), alias: `unboxed-${suffix}`, controlPath: path.join(tmpdir(), `unboxed-ssh-${suffix}`) };
  }

  private async readMeta(dir: string): Promise<MachineMeta> {
    return MachineMeta.parse(JSON.parse(await readFile(path.join(dir, 'meta.json'), 'utf8')));
  }

  private qmpSocket(suffix: string): string {
    return path.join(tmpdir(), `unboxed-qmp-${suffix}`);
  }

  /** The machine's QEMU process, if it runs. */
  private async runningQemu(dir: string, suffix: string): Promise<number | undefined> {
    const pid = Number(await readFile(path.join(dir, 'qemu.pid'), 'utf8').catch(() => '0'));
    return pid > 0 && (await this.isOurQemu(pid, suffix)) ? pid : undefined;
  }

  /**
   * The pid file may outlive its process and the pid be reused: check it is this machine's
   * QEMU. A zombie has an empty cmdline, so it counts as gone.
   */
  private async isOurQemu(pid: number, suffix: string): Promise<boolean> {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    return cmdline.includes('qemu-system') && cmdline.includes(suffix);
  }

  private async waitForExit(pid: number, suffix: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && (await this.isOurQemu(pid, suffix))) await new Promise((r) => setTimeout(r, 100));
  }

  private async kill(pid: number, suffix: string): Promise<void> {
    if (!(await this.isOurQemu(pid, suffix))) return;
    process.kill(pid, 'SIGKILL');
    await this.waitForExit(pid, suffix, 5000);
  }

  private async image(): Promise<VmImage> {
    this.imageDir ??= run('bash', [path.join(root, 'sandbox/image/build-vm.sh'), '--print-dir']).then(({ stdout }) => stdout.trim());
    return vmImage(await this.imageDir);
  }

  private accelerator(image: VmImage): Promise<Accel> {
    const wanted = this.options.accel ?? 'auto';
    this.accel ??= wanted === 'auto' ? probeAccel(image) : Promise.resolve(wanted);
    return this.accel;
  }
}
