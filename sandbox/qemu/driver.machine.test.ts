import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runDriverConformance } from '../conformance.ts';
import { runManagerConformance } from '../manager-conformance.ts';
import { MachineLimits } from '../driver.ts';
import { residentMiB, runProcess } from '../process.ts';
import { QemuDriver } from './driver.ts';
import { RELEASE_GUEST_CACHES } from './golden.ts';
import { CONSOLE_RING_BYTES, consoleTail } from './vm.ts';
import { machinesForSuite } from '../testing.ts';

const stateDir = path.resolve(import.meta.dirname, '../../.cache/test-sandbox-qemu');
const driver = () => new QemuDriver({ stateDir });

/** What destroyed VMs left on the host: their folders (disk, keys) or a QEMU process. */
async function leftovers(ids: readonly string[]): Promise<string[]> {
  const folders = (await readdir(path.join(stateDir, 'vm')).catch(() => [] as string[])).filter((n) => ids.includes(n));
  const processes = (await runProcess('pgrep', ['-af', 'qemu-system'])).stdout.split('\n').filter((line) => ids.some((id) => line.includes(id.slice(-12))));
  return [...folders, ...processes];
}

// The golden state is made once per host and image (minutes under TCG), before any test's clock runs.
beforeAll(() => driver().prepare(MachineLimits.parse({})), 35 * 60_000);

runDriverConformance('qemu', driver, leftovers);
runManagerConformance('qemu', driver);

describe('qemu driver: restored clones and isolation', () => {
  const d = driver();
  const machines = machinesForSuite(d, 2, MachineLimits.parse({}));
  const { ids, sh } = machines;

  it('gives every machine restored from one saved state its own identity, keys, randomness and clock', async () => {
    const probe = 'cat /etc/ssh/ssh_host_ed25519_key.pub /etc/machine-id; hostname; head -c 16 /dev/urandom | od -An -tx1 | tr -d " \\n"; echo; date +%s';
    const [a, b] = await Promise.all(ids.map((id) => sh(id, probe)));
    const linesA = a!.stdout.trim().split('\n');
    const linesB = b!.stdout.trim().split('\n');
    expect(linesA).toHaveLength(5);
    for (let i = 0; i < 4; i++) expect(linesA[i], `line ${i} must differ between clones`).not.toBe(linesB[i]);
    expect(Math.abs(Number(linesA[4]) - Date.now() / 1000)).toBeLessThan(120);
  });

  it('is a real VM on cgroup v2 whose own dockerd runs containers', async () => {
    const result = await sh(ids[0]!, 'stat -fc %T /sys/fs/cgroup; systemd-detect-virt; docker run --rm busybox echo inner', 180_000);
    expect(result.stdout.split('\n').slice(0, 3)).toEqual(['cgroup2fs', 'qemu', 'inner']);
  });

  it('reaches neither the host nor anything beyond it: user-mode networking with restrict=on', async () => {
    // 10.0.2.2 is QEMU's own view of the host; restrict=on drops every packet to it.
    const attempt = await sh(ids[0]!, `curl -sS --max-time 3 http://10.0.2.2:${machines.port}/ 2>&1; echo "exit=$?"; ip route`);
    expect(attempt.stdout).not.toContain('host-service');
    expect(attempt.stdout).toMatch(/exit=[1-9]/);
    expect(attempt.stdout).not.toContain('default');
  });

  it('hands the memory its guest frees back to the host: an idle VM costs what it uses, not its RAM', async () => {
    const [pid] = (await runProcess('pgrep', ['-f', `qemu-system.*${ids[0]!.slice(-12)}`])).stdout.trim().split('\n');
    const limit = MachineLimits.parse({}).memoryMiB;
    // The tests before filled the guest's page cache (a container run): memory in use, not
    // freed. Dropped, as the golden state drops it before its snapshot, it is
    // free; the balloon reports free memory in batches every 2 s, more slowly on a busy
    // host. Idle is where it stops falling: pages not yet reported would take the hog's
    // first 400 MiB without the host seeing them.
    await sh(ids[0]!, RELEASE_GUEST_CACHES);
    let idle = await residentMiB(pid!);
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 2500));
      const now = await residentMiB(pid!);
      const settled = idle - now < 8;
      idle = now;
      if (settled && idle < 0.8 * limit) break;
    }
    expect(idle, 'QEMU resident when idle, 50 s at most after the tests before').toBeLessThan(0.8 * limit);
    // tail keeps its endless "last line" in memory: 400 MiB touched, held while the writer
    // sleeps, then freed on exit. Sampled until it exits: on a busy host under TCG the 400
    // MiB take longer to arrive than any fixed wait.
    const hog = sh(ids[0]!, '(head -c 400M /dev/zero; sleep 8) | tail >/dev/null', 240_000);
    let hogDone = false;
    void hog.finally(() => (hogDone = true));
    let peak = idle;
    while (!hogDone) {
      await new Promise((r) => setTimeout(r, 200));
      peak = Math.max(peak, await residentMiB(pid!));
    }
    expect((await hog).exitCode).toBe(0);
    let now = await residentMiB(pid!);
    for (let i = 0; i < 30 && (now > idle + 100 || peak - now <= 250); i++) {
      await new Promise((r) => setTimeout(r, 1000));
      now = await residentMiB(pid!);
    }
    // Not all 400 show at the peak: the guest takes some from free pages not yet reported
    // (idle includes them), and those go back with the rest.
    const said = `peak ${Math.round(peak)} MiB, idle ${Math.round(idle)} MiB`;
    expect(peak - now, `MiB the host got back once the guest freed 400 MiB (${said})`).toBeGreaterThan(250);
    expect(now, `resident after the guest freed 400 MiB (${said})`).toBeLessThan(idle + 100);
  });

  it("keeps what the guest writes to its serial console in a ring in QEMU's memory: no host file grows", async () => {
    const used = async () => Number((await runProcess('du', ['-sb', stateDir])).stdout.split('\t')[0]);
    const before = await used();
    const written = await sh(ids[0]!, 'head -c 4M /dev/zero | tr "\\0" x >/dev/ttyS0; echo written', 240_000);
    expect(written.stdout).toBe('written\n');
    expect((await used()) - before, 'bytes the host kept of 4 MiB written to the console').toBeLessThan(2 * 2 ** 20);
    const tail = await consoleTail(path.join(tmpdir(), `unboxed-qmp-${ids[0]!.slice(-12)}`));
    expect(tail.length).toBeLessThanOrEqual(CONSOLE_RING_BYTES);
    expect(tail).toMatch(/x{4096}$/);
  });

  it('refuses the golden key once a machine is restored', async () => {
    const other = await sh(ids[1]!, 'cat /root/.ssh/authorized_keys');
    expect(other.stdout).toContain(`unboxed-${ids[1]!.slice(-12)}`);
    // Every golden key made on this host (one per image and shape) tries the machine's SSH port.
    const images = path.resolve(import.meta.dirname, '../../.cache/vm-image');
    const keys: string[] = [];
    for (const tag of await readdir(images)) {
      for (const entry of await readdir(path.join(images, tag)).catch(() => [] as string[])) {
        if (/^golden-[^.]+$/.test(entry)) keys.push(path.join(images, tag, entry, 'key'));
      }
    }
    expect(keys.length, `no golden key under ${images}`).toBeGreaterThan(0);
    const { port: sshPort } = JSON.parse(await readFile(path.join(stateDir, 'vm', ids[1]!, 'meta.json'), 'utf8')) as { port: number };
    for (const key of keys) {
      const attempt = await runProcess(
        'ssh',
        ['-p', String(sshPort), '-i', key, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'ConnectTimeout=10', 'root@127.0.0.1', 'true'],
        { timeoutMs: 30_000 },
      );
      expect(attempt.exitCode, `${key} opened machine ${ids[1]}`).toBe(255);
      expect(attempt.stderr).toContain('Permission denied (publickey)');
    }
  });
});
