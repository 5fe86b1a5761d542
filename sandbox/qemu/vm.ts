import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { MachineStartError } from '../driver.ts';
import { residentMiB } from '../process.ts';
import { Qmp } from './qmp.ts';

/** What a learner VM is made of, built by sandbox/image/build-vm.sh. */
export interface VmImage {
  readonly dir: string;
  readonly disk: string;
  readonly kernel: string;
  readonly initrd: string;
}

export function vmImage(dir: string): VmImage {
  return { dir, disk: path.join(dir, 'disk.qcow2'), kernel: path.join(dir, 'vmlinuz'), initrd: path.join(dir, 'initrd.img') };
}

export const Accel = z.enum(['kvm', 'tcg']);
export type Accel = z.infer<typeof Accel>;

/** The hardware of a VM: a golden state only restores into the same shape. */
export const VmShape = z.strictObject({ memoryMiB: z.int(), cpus: z.int().min(1), accel: Accel });
export type VmShape = z.infer<typeof VmShape>;

export interface VmFiles {
  readonly disk: string;
  /** QEMU's monitor socket (QMP). */
  readonly qmp: string;
  readonly pidfile: string;
}

/** The serial console is a ring in QEMU's memory: a guest writing to it endlessly cannot fill the host's disk. */
export const CONSOLE_RING_BYTES = 64 * 1024;

/**
 * The QEMU command line of a learner VM. Golden boot, restores and starts share it, so
 * the hardware matches the saved state: a microvm (no PCI, no firmware), virtio
 * disk and network on MMIO, and user-mode networking with `restrict=on`, which gives the
 * guest no route to the host or beyond; only the forwarded SSH port reaches in.
 */
export function qemuArgs(image: VmImage, shape: VmShape, files: VmFiles, sshPort: number, append: string): string[] {
  return [
    '-name', path.basename(path.dirname(files.disk)),
    '-M', 'microvm,rtc=on',
    // TCG's translation cache defaults to 1 GiB per VM; 128 MiB keeps a VM near its RAM.
    '-accel', shape.accel === 'tcg' ? 'tcg,tb-size=128' : 'kvm',
    '-cpu', shape.accel === 'kvm' ? 'host' : 'max',
    '-smp', String(shape.cpus),
    '-m', `${shape.memoryMiB}M`,
    '-nodefaults', '-no-user-config', '-nographic',
    '-kernel', image.kernel, '-initrd', image.initrd,
    '-append', append,
    '-drive', `id=root,file=${files.disk},format=qcow2,if=none,discard=unmap`,
    '-device', 'virtio-blk-device,drive=root',
    '-netdev', `user,id=net,restrict=on,hostfwd=tcp:127.0.0.1:${sshPort}-:22`,
    '-device', 'virtio-net-device,netdev=net',
    // The guest hands pages it frees back to the host, so an idle VM costs what it uses,
    // not its whole RAM, and the golden state saves them as zero pages.
    '-device', 'virtio-balloon-device,free-page-reporting=on',
    '-chardev', `ringbuf,id=console,size=${CONSOLE_RING_BYTES}`,
    '-serial', 'chardev:console',
    '-qmp', `unix:${files.qmp},server=on,wait=off`,
    '-pidfile', files.pidfile,
  ];
}

const BalloonInfo = z.object({ actual: z.number() });

/**
 * Loading a saved state reads every page of the VM's RAM, zero pages too. Where the host's
 * kernel backs such reads with memory (this CI host's does: it has no shared zero page),
 * a restored VM holds its whole RAM, and the guest never reports those pages again: they
 * were reported free once, before the snapshot. Inflating the balloon to a quarter of the
 * RAM and letting it go takes them back (1 GiB under TCG: 1206 → 479 MiB resident, 4.7
 * CPU-seconds); the guest loses only page cache. Done only when the restore left most of
 * the RAM resident: elsewhere a restore touches just the pages the state holds.
 */
export async function reclaimRestoredMemory(qmp: Qmp, qemuPid: number, shape: VmShape): Promise<void> {
  if ((await residentMiB(qemuPid)) < 0.8 * shape.memoryMiB) return;
  const settle = async (target: number, reached: (actual: number) => boolean) => {
    await qmp.execute('balloon', { value: target * 2 ** 20 });
    let last = -1;
    // The guest gives pages up in batches; it stops short of the target when it has no more to give.
    for (let still = 0, i = 0; still < 5 && i < 150; i++) {
      const actual = BalloonInfo.parse(await qmp.execute('query-balloon')).actual / 2 ** 20;
      if (reached(actual)) return;
      still = actual === last ? still + 1 : 0;
      last = actual;
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const target = Math.max(256, Math.floor(shape.memoryMiB / 4));
  await settle(target, (actual) => actual <= target);
  await settle(shape.memoryMiB, (actual) => actual >= shape.memoryMiB);
}

/** The VM's last console output (its boot log, a panic), or '' if its QEMU does not answer. */
export async function consoleTail(qmpSocket: string): Promise<string> {
  const qmp = await Qmp.connect(qmpSocket, 2000).catch(() => undefined);
  if (!qmp) return '';
  try {
    return z.string().parse(await qmp.execute('ringbuf-read', { device: 'console', size: CONSOLE_RING_BYTES, format: 'utf8' }));
  } catch {
    return '';
  } finally {
    qmp.close();
  }
}

/**
 * apparmor=0: without the apparmor package every inner `docker run` fails (DESIGN.md).
 * The balloon's reporting order is set by the image (provision-vm.sh): the guest's kernel
 * ignores it on this line.
 */
export const KERNEL_ARGS = 'root=/dev/vda rw console=ttyS0 quiet apparmor=0 net.ifnames=0 panic=-1';

export async function kernelCommandLine(accel: Accel, extra: string): Promise<string> {
  // Under TCG a microvm has no HPET or PM timer, and calibrating the TSC against the PIT
  // fails on a busy host, which hangs the boot: tell the kernel the TSC rate (TCG's TSC
  // runs at the host's).
  const clock = accel === 'tcg' ? ` tsc_early_khz=${await hostTscKhz()} tsc=reliable` : '';
  return `${KERNEL_ARGS}${clock} ${extra}`.trim();
}

async function hostTscKhz(): Promise<number> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8');
  const mhz = /^cpu MHz\s*:\s*([\d.]+)/m.exec(cpuinfo);
  if (!mhz) throw new MachineStartError('cannot read the CPU frequency from /proc/cpuinfo for a TCG guest');
  return Math.round(Number(mhz[1]) * 1000);
}

/**
 * Hardware KVM when it really works, TCG otherwise: /dev/kvm can exist and still hang a
 * stock kernel (a PVM host), so the probe boots the image's kernel and waits for it to
 * reach user space (an init that does not exist panics it at once). Cached per image.
 */
export async function probeAccel(image: VmImage): Promise<Accel> {
  const cache = path.join(image.dir, 'accel');
  const cached = Accel.safeParse((await readFile(cache, 'utf8').catch(() => '')).trim());
  if (cached.success) return cached.data;
  const works = await bootsWithKvm(image);
  const accel: Accel = works ? 'kvm' : 'tcg';
  await writeFile(cache, accel + '\n');
  return accel;
}

async function bootsWithKvm(image: VmImage): Promise<boolean> {
  if (!(await access('/dev/kvm', constants.R_OK | constants.W_OK).then(() => true, () => false))) return false;
  return new Promise((resolve) => {
    const child = spawn(
      'qemu-system-x86_64',
      ['-M', 'microvm', '-accel', 'kvm', '-cpu', 'host', '-m', '256M', '-nodefaults', '-no-user-config', '-nographic', '-no-reboot', '-serial', 'stdio',
        '-kernel', image.kernel, '-append', 'console=ttyS0 panic=-1 rdinit=/unboxed-probe-no-such-init init=/unboxed-probe-no-such-init'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let output = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/Kernel panic|Run \/|unboxed-probe/.test(output)) done(true);
    });
    child.on('error', () => done(false));
    child.on('close', () => done(/Kernel panic|Run \/|unboxed-probe/.test(output)));
  });
}
