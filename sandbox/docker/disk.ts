import { mkdir, open, readdir, rename, rm, rmdir, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { MachineRemoveError, MachineStartError } from '../driver.ts';
import { runProcess } from '../process.ts';

/**
 * Machines' own disks. Each machine's /var/lib/docker is an ext4 file system of its own
 * (a sparse file behind a loop device): images, containers and volumes a learner makes
 * fill that disk, not the host's, and a full disk is ENOSPC inside the machine only.
 *
 * The files live on one XFS file system (itself a sparse file on the host, loop-mounted)
 * because XFS copies a file by reflink: a machine's disk is a copy-on-write clone of a
 * prepared base disk (the lesson images already loaded), made in milliseconds and
 * sharing every block it does not change. 150 machines cost one base plus their changes.
 */
export class DiskPool {
  private mounted: Promise<void> | undefined;

  /** @param root the folder holding the pool's file and its mount point */
  constructor(private readonly root: string) {}

  /** The pool's own file (an XFS file system). */
  private get image(): string {
    return path.join(this.root, 'disk-pool.xfs');
  }

  /** Where disk files live (the XFS mount point). */
  get dir(): string {
    return path.join(this.root, 'disks');
  }

  /** Mounts the pool (after a host reboot too); concurrent callers share one mount. */
  ensure(): Promise<void> {
    this.mounted ??= this.mount().catch((error: unknown) => {
      this.mounted = undefined;
      throw error;
    });
    return this.mounted;
  }

  /** The file of a disk named `name` (a base or a machine's). */
  file(name: string): string {
    return path.join(this.dir, `${name}.ext4`);
  }

  /** Free bytes in the pool, and the host file system's free bytes under it. */
  async free(): Promise<{ poolBytes: number; hostBytes: number }> {
    await this.ensure();
    const [pool, host] = await Promise.all([statfs(this.dir), statfs(this.root)]);
    return { poolBytes: pool.bavail * pool.bsize, hostBytes: host.bavail * host.bsize };
  }

  /**
   * The base disk `name`, made by `prepare` (given an empty, formatted, attached disk)
   * the first time; a failed or interrupted preparation leaves nothing behind.
   */
  async base(name: string, sizeMiB: number, prepare: (disk: AttachedDisk) => Promise<void>): Promise<string> {
    await this.ensure();
    const file = this.file(name);
    if (await exists(file)) return file;
    const draft = `${name}-draft-${process.pid}`;
    await rm(this.file(draft), { force: true });
    const disk = await this.blank(draft, sizeMiB);
    try {
      await prepare(disk);
    } finally {
      await this.remove(draft, { keepFile: true });
    }
    await rename(this.file(draft), file);
    return file;
  }

  /** A machine's disk: a reflink clone of `base`, attached to a loop device. */
  async clone(base: string, name: string): Promise<AttachedDisk> {
    await this.ensure();
    await must('cp', ['--reflink=always', base, this.file(name)]);
    return this.attach(name);
  }

  /**
   * Attaches a disk's file to a loop device and mounts it on the host (again, after a
   * host reboot), for the machine's container to bind. A bind mount, not a volume:
   * Docker 20.10 loses count of a device volume's mounts across a live-restored engine
   * restart and then refuses to remove it (moby#44422).
   */
  async attach(name: string): Promise<AttachedDisk> {
    await this.ensure();
    const file = this.file(name);
    const mountpoint = this.mountpoint(name);
    await mkdir(mountpoint, { recursive: true });
    if (!(await mounted(mountpoint))) {
      // Direct I/O: the machine's own page cache is enough; no second copy in the host's.
      const device = (await attachedDevices(file))[0] ?? (await must('losetup', ['--find', '--show', '--direct-io=on', file])).trim();
      await must('mount', ['-t', 'ext4', '-o', 'discard', device, mountpoint]);
    }
    return { name, file, mountpoint };
  }

  /** Where disk `name` is mounted on the host while attached. */
  mountpoint(name: string): string {
    return path.join(this.root, 'mnt', name);
  }

  /** Unmounts a disk, detaches its loop devices and removes its file. */
  async remove(name: string, options: { keepFile?: boolean } = {}): Promise<void> {
    const file = this.file(name);
    const mountpoint = this.mountpoint(name);
    if (await mounted(mountpoint)) {
      const unmounted = await runProcess('umount', [mountpoint]);
      // A concurrent removal may have unmounted it in between: that is fine.
      if (unmounted.exitCode !== 0 && (await mounted(mountpoint))) throw new MachineRemoveError(`could not unmount ${mountpoint}: ${unmounted.stderr.trim()}`);
    }
    await rmdir(mountpoint).catch(() => undefined);
    for (const device of await attachedDevices(file)) {
      const detached = await runProcess('losetup', ['--detach', device]);
      // A concurrent removal may have detached it in between: that is fine.
      if (detached.exitCode !== 0 && (await attachedDevices(file)).includes(device)) {
        throw new MachineRemoveError(`could not detach ${device} from ${file}: ${detached.stderr.trim()}`);
      }
    }
    if (!options.keepFile) await rm(file, { force: true });
  }

  /**
   * Removes the disks `orphan` picks (by name) and base-disk drafts whose preparing
   * process is gone, each only once its file is older than `olderThanMs`.
   */
  async sweep(orphan: (name: string) => boolean, olderThanMs: number): Promise<string[]> {
    await this.ensure();
    const removed: string[] = [];
    for (const file of (await readdir(this.dir)).filter((f) => f.endsWith('.ext4'))) {
      const name = file.slice(0, -'.ext4'.length);
      const draftOf = /-draft-(\d+)$/.exec(name)?.[1];
      const stale = draftOf ? !processAlive(Number(draftOf)) : orphan(name);
      if (!stale || Date.now() - (await stat(this.file(name))).mtimeMs < olderThanMs) continue;
      await this.remove(name);
      removed.push(name);
    }
    return removed;
  }

  /** Unmounts the pool and detaches its loop device; its file, and the disks in it, stay. */
  async detach(): Promise<void> {
    if (await mounted(this.dir)) await must('umount', [this.dir]);
    this.mounted = undefined;
    for (const device of await attachedDevices(this.image)) await must('losetup', ['--detach', device]);
  }

  private async blank(name: string, sizeMiB: number): Promise<AttachedDisk> {
    const file = this.file(name);
    const handle = await open(file, 'wx', 0o600);
    try {
      await handle.truncate(sizeMiB * 2 ** 20);
    } finally {
      await handle.close();
    }
    await must('mkfs.ext4', ['-q', '-F', '-L', 'unboxed-docker', '-E', 'lazy_itable_init=0,lazy_journal_init=0', file]);
    return this.attach(name);
  }

  private async mount(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const fstype = (await runProcess('findmnt', ['--noheadings', '--output', 'FSTYPE', '--mountpoint', this.dir])).stdout.trim();
    if (fstype === 'xfs') return;
    if (fstype) throw new MachineStartError(`${this.dir} is a ${fstype} mount, not the machines' XFS disk pool; unmount it`);
    const image = this.image;
    if (!(await exists(image))) {
      // Sparse: it takes only what the disks use. As large as the host's file system,
      // so the host's own free space, watched by the manager, is the real bound.
      const host = await statfs(this.root);
      const draft = `${image}.draft`;
      const handle = await open(draft, 'w', 0o600);
      try {
        await handle.truncate(Math.max(16 * 2 ** 30, host.blocks * host.bsize));
      } finally {
        await handle.close();
      }
      await must('mkfs.xfs', ['-q', '-f', '-m', 'reflink=1', '-L', 'unboxed-pool', draft]);
      await rename(draft, image);
    }
    const device = (await attachedDevices(image))[0] ?? (await must('losetup', ['--find', '--show', image])).trim();
    await must('mount', ['-t', 'xfs', '-o', 'discard', device, this.dir]);
  }
}

export interface AttachedDisk {
  readonly name: string;
  readonly file: string;
  /** Where it is mounted on the host. */
  readonly mountpoint: string;
}

async function mounted(dir: string): Promise<boolean> {
  return (await runProcess('mountpoint', ['-q', dir])).exitCode === 0;
}

async function attachedDevices(file: string): Promise<string[]> {
  const attached = await runProcess('losetup', ['--associated', file]);
  return [...attached.stdout.matchAll(/^(\/dev\/loop\d+):/gm)].map((m) => m[1]!);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function must(file: string, args: readonly string[]): Promise<string> {
  const result = await runProcess(file, args, { timeoutMs: 120_000 });
  if (result.exitCode !== 0) {
    throw new MachineStartError(`${file} failed: ${(result.stderr || result.stdout).trim()}. The docker driver needs root on the engine's host and xfsprogs (apt-get install xfsprogs) for machines' disks`);
  }
  return result.stdout;
}
