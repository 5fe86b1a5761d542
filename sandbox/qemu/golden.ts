import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { MachineStartError } from '../driver.ts';
import { residentMiB, runProcess } from '../process.ts';
import { Qmp } from './qmp.ts';
import { sshClose, sshExec, type SshTarget } from './ssh.ts';
import { consoleTail, KERNEL_ARGS, kernelCommandLine, qemuArgs, VmShape, type VmImage } from './vm.ts';

/**
 * A golden state: one VM booted until its Docker engine answers, then saved (memory and
 * devices to `state`, disk to `disk.qcow2`). Every learner machine restores from it in
 * seconds instead of booting. Made once per image and VM shape on this host.
 */
export interface Golden {
  readonly dir: string;
  readonly disk: string;
  readonly state: string;
  readonly append: string;
  /**
   * The command line of a learner machine's own boots (a reboot inside it, or `start`):
   * `append` without the platform's key, which the image's boot unit would authorize
   * again, locking the platform out; the machine's own key is on its disk.
   */
  readonly machineAppend: string;
  readonly shape: VmShape;
  /** The platform's key for the first contact with a restored machine (then replaced). */
  readonly ssh: Omit<SshTarget, 'port' | 'controlPath'>;
}

const GoldenMeta = z.strictObject({ shape: VmShape, append: z.string() });
/** Measured: 13 min to a loaded engine under TCG on a 2-core host busy with other work. */
const BOOT_TIMEOUT_MS = 30 * 60_000;
const SSH_KEY_ARG = 'unboxed.ssh_key';

export async function goldenState(image: VmImage, shape: VmShape, log: (event: string, fields: Record<string, unknown>) => void): Promise<Golden> {
  // A saved state restores only into the same hardware and keeps the kernel it booted:
  // the name covers both command lines.
  const hardware = createHash('sha256').update(JSON.stringify([KERNEL_ARGS, qemuArgs(image, shape, { disk: '', qmp: '', pidfile: '' }, 0, '')])).digest('hex').slice(0, 8);
  const dir = path.join(image.dir, `golden-${shape.memoryMiB}m-${shape.cpus}cpu-${shape.accel}-${hardware}`);
  const existing = await readGolden(dir);
  if (existing) return existing;
  await withLock(`${dir}.lock`, async () => {
    if (await readGolden(dir)) return;
    log('golden-state-building', { dir, ...shape });
    const started = Date.now();
    await makeGolden(image, shape, dir);
    log('golden-state-built', { dir, seconds: Math.round((Date.now() - started) / 1000) });
  });
  const made = await readGolden(dir);
  if (!made) throw new MachineStartError(`the golden state ${dir} was not made`);
  return made;
}

export async function readGolden(dir: string): Promise<Golden | undefined> {
  const raw = await readFile(path.join(dir, 'meta.json'), 'utf8').catch(() => undefined);
  if (!raw) return undefined;
  const meta = GoldenMeta.parse(JSON.parse(raw));
  return {
    dir,
    disk: path.join(dir, 'disk.qcow2'),
    state: path.join(dir, 'state'),
    append: meta.append,
    machineAppend: meta.append.split(' ').filter((word) => !word.startsWith(`${SSH_KEY_ARG}=`)).join(' '),
    shape: meta.shape,
    ssh: { key: path.join(dir, 'key'), knownHosts: path.join(dir, 'known_hosts'), alias: 'unboxed-golden' },
  };
}

async function makeGolden(image: VmImage, shape: VmShape, dir: string): Promise<void> {
  const work = `${dir}.tmp`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work);
  await checked('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'unboxed-golden', '-f', path.join(work, 'key')]);
  // Relative backing file: the overlay keeps working after work/ is renamed to dir/.
  await checked('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', '../disk.qcow2', path.join(work, 'disk.qcow2')], { cwd: work });
  const publicKey = (await readFile(path.join(work, 'key.pub'), 'utf8')).trim();
  const append = await kernelCommandLine(shape.accel, `${SSH_KEY_ARG}=${Buffer.from(publicKey).toString('base64')}`);
  const port = await freePort();
  const files = {
    disk: path.join(work, 'disk.qcow2'),
    qmp: path.join(tmpdir(), `unboxed-golden-${process.pid}.qmp`),
    pidfile: path.join(work, 'qemu.pid'),
  };
  const qemu = spawn('qemu-system-x86_64', qemuArgs(image, shape, files, port, append), { stdio: ['ignore', 'ignore', 'pipe'] });
  let qemuError = '';
  qemu.stderr.on('data', (chunk: Buffer) => (qemuError += chunk.toString()));
  const exited = new Promise<void>((resolve) => qemu.on('close', () => resolve()));
  const target: SshTarget = { port, key: path.join(work, 'key'), knownHosts: path.join(work, 'known_hosts'), alias: 'unboxed-golden', controlPath: path.join(tmpdir(), `unboxed-ssh-golden-${process.pid}`), firstContact: true };
  try {
    const deadline = Date.now() + BOOT_TIMEOUT_MS;
    for (;;) {
      if (qemu.exitCode !== null) throw new MachineStartError(`qemu exited while booting the golden VM: ${qemuError.trim()}`);
      const ready = await sshExec(target, ['sh', '-c', 'docker info >/dev/null 2>&1 && test -e /var/lib/docker/.unboxed-images-loaded'], { timeoutMs: 20_000 });
      if (ready.exitCode === 0) break;
      if (Date.now() > deadline) {
        const tail = (await consoleTail(files.qmp)).slice(-1500);
        throw new MachineStartError(`the golden VM was not ready after ${BOOT_TIMEOUT_MS / 60_000} min; console:\n${tail}`);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    await handBackFreeMemory(target, qemu.pid!);
    await sshClose(target);
    const qmp = await Qmp.connect(files.qmp);
    await qmp.execute('stop');
    await qmp.execute('migrate', { uri: `exec:cat > ${path.join(work, 'state')}` });
    await waitForMigration(qmp);
    await qmp.execute('quit').catch(() => undefined);
    qmp.close();
    await exited;
    await writeFile(path.join(work, 'meta.json'), JSON.stringify({ shape, append }));
    await rm(files.pidfile, { force: true });
    await rename(work, dir);
  } finally {
    qemu.kill('SIGKILL');
    await rm(files.qmp, { force: true });
    await rm(work, { recursive: true, force: true });
  }
}

/** Frees a guest's page cache and compacts its free memory into runs its balloon reports back. */
export const RELEASE_GUEST_CACHES = 'sync && echo 3 >/proc/sys/vm/drop_caches && echo 1 >/proc/sys/vm/compact_memory';

/**
 * Less to save: no page cache, and the disk flushed under the saved memory. The freed
 * pages, compacted into runs, go back to the host through the balloon's free page
 * reporting (a batch every 2 s), so they are saved as zero pages a restored VM never
 * touches. Rounds repeat until QEMU's resident memory stops falling.
 */
async function handBackFreeMemory(target: SshTarget, qemuPid: number): Promise<void> {
  let before = await residentMiB(qemuPid);
  for (let round = 0; round < 8; round++) {
    const trimmed = await sshExec(target, ['sh', '-c', `test -d /sys/bus/virtio/drivers/virtio_balloon && ${RELEASE_GUEST_CACHES}`], { timeoutMs: 60_000 });
    if (trimmed.exitCode !== 0) throw new MachineStartError(`the golden VM could not hand back its free memory (is its virtio balloon driver missing?): ${trimmed.stderr.trim()}`);
    await new Promise((r) => setTimeout(r, 6000));
    const after = await residentMiB(qemuPid);
    if (before - after < 8) return;
    before = after;
  }
}

async function waitForMigration(qmp: Qmp): Promise<void> {
  for (;;) {
    const { status } = z.object({ status: z.string().optional() }).parse(await qmp.execute('query-migrate'));
    if (status === 'completed') return;
    if (status === 'failed' || status === 'cancelled') throw new MachineStartError(`saving the golden state ${status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A TCP port free on loopback right now (qemu binds it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function checked(file: string, args: readonly string[], options: { cwd?: string } = {}): Promise<string> {
  const result = await runProcess(file, args, { timeoutMs: 120_000, env: process.env, ...(options.cwd && { cwd: options.cwd }) });
  if (result.exitCode !== 0) throw new MachineStartError(`${file} ${args[0]} failed: ${(result.stderr || result.stdout).trim()}`);
  return result.stdout;
}

/** An exclusive lock across processes (a directory holding its owner's pid); stale ones are taken over. */
async function withLock(lock: string, work: () => Promise<void>): Promise<void> {
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(await readFile(path.join(lock, 'pid'), 'utf8').catch(() => '0'));
      if (owner > 0 && !alive(owner)) await rm(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    await writeFile(path.join(lock, 'pid'), String(process.pid));
    await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
