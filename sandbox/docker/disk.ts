import { mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { MachineStartError } from '../driver.ts';
import { runProcess } from '../process.ts';

/**
 * A machine's own disk: a sparse ext4 file behind a loop device, mounted as its
 * /var/lib/docker. Images, containers and volumes a learner makes fill this disk, not
 * the host's: a full disk is ENOSPC inside the machine and free space for everyone else.
 * The host's ext4 has no project quotas, so a file system of its own is the quota.
 */
export interface MachineDisk {
  readonly file: string;
  readonly device: string;
}

export async function createDisk(dir: string, name: string, sizeMiB: number): Promise<MachineDisk> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.ext4`);
  const handle = await open(file, 'wx', 0o600);
  try {
    await handle.truncate(sizeMiB * 1024 * 1024);
  } finally {
    await handle.close();
  }
  try {
    await must('mkfs.ext4', ['-q', '-F', '-L', 'unboxed-docker', '-E', 'lazy_itable_init=1,lazy_journal_init=1', file]);
    const device = (await must('losetup', ['--find', '--show', file])).trim();
    return { file, device };
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
}

/** Detaches every loop device on the file (once its file system is unmounted) and removes it. */
export async function removeDisk(file: string): Promise<void> {
  const attached = await runProcess('losetup', ['--associated', file]);
  for (const [, device] of attached.stdout.matchAll(/^(\/dev\/loop\d+):/gm)) {
    const detached = await runProcess('losetup', ['--detach', device!]);
    if (detached.exitCode === 0) continue;
    // Someone else (a concurrent removal) may have detached it in between: that is fine.
    const still = (await runProcess('losetup', ['--associated', file])).stdout.includes(`${device!}:`);
    if (still) throw new MachineStartError(`could not detach ${device!} from ${file}: ${detached.stderr.trim()}`);
  }
  await rm(file, { force: true });
}

async function must(file: string, args: readonly string[]): Promise<string> {
  const result = await runProcess(file, args, { timeoutMs: 60_000 });
  if (result.exitCode !== 0) throw new MachineStartError(`${file} failed: ${(result.stderr || result.stdout).trim()}. The docker driver needs root on the engine's host for per-machine disks`);
  return result.stdout;
}
