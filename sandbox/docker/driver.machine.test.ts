import { randomBytes } from 'node:crypto';
import { readdir, utimes } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runDriverConformance } from '../conformance.ts';
import { MachineLimits } from '../driver.ts';
import { DiskPool } from './disk.ts';
import { DockerDriver } from './driver.ts';
import { runProcess } from '../process.ts';
import { dockerCli } from './testing.ts';
import { machinesForSuite } from '../testing.ts';

const cacheDir = path.resolve(import.meta.dirname, '../../.cache/test-sandbox');
const driver = () => new DockerDriver({ cacheDir });

/** What destroyed machines left on the engine: their containers, or volumes no container uses. */
async function leftovers(ids: readonly string[]): Promise<string[]> {
  const containers = (await dockerCli(['ps', '-a', '--format', '{{.Names}}'])).split('\n').filter((n) => ids.includes(n));
  // Disks are named after the machine's first name; its random suffix stays through renames.
  const suffixes = ids.map((id) => id.slice(-12));
  // Only these machines' own: other suites on this engine (the swarm's) have volumes of their own.
  const volumes = (await dockerCli(['volume', 'ls', '-q', '--filter', 'dangling=true'])).split('\n').filter((v) => v.startsWith('unboxed-') && suffixes.some((s) => v.includes(s)));
  const disks = (await readdir('/var/lib/unboxed/disks').catch(() => [] as string[])).filter((f) => suffixes.some((s) => f.includes(s)));
  const loops = (await runProcess('losetup', ['--list', '--noheadings', '--output', 'BACK-FILE'])).stdout.split('\n').filter((f) => suffixes.some((s) => f.includes(s)));
  return [...containers, ...volumes, ...disks, ...loops];
}

runDriverConformance('docker', driver, leftovers);

describe('docker driver isolation and limits', () => {
  const d = driver();
  const machines = machinesForSuite(d, 2, MachineLimits.parse({ memoryMiB: 512, pids: 300 }));
  const { ids, sh } = machines;
  let gateway: string;

  beforeAll(async () => {
    gateway = (await dockerCli(['network', 'inspect', 'bridge', '--format', '{{(index .IPAM.Config 0).Gateway}}'])).trim();
  });

  it("opens terminals in a machine whose terminals folder is not its disk's (booted before the folder existed, or unbound by its root), through the engine, and reattaches to the same shell", async () => {
    expect(await sh(ids[1]!, 'umount /run/unboxed-terminals')).toMatchObject({ exitCode: 0 });
    const attach = async () => {
      const shell = await d.openShell(ids[1]!, 'unbound', { cols: 100, rows: 30 });
      let output = '';
      shell.onData((data) => (output += data));
      return { shell, printed: async (text: string) => {
        for (const deadline = Date.now() + 30_000; !output.includes(text) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
        return output;
      } };
    };
    const first = await attach();
    first.shell.write('MARK=kept; echo "first-$((6*7))"\r');
    expect(await first.printed('first-42')).toContain('first-42');
    first.shell.close();
    const second = await attach();
    second.shell.write('echo "again-$MARK"\r');
    expect(await second.printed('again-kept')).toContain('again-kept');
    second.shell.close();
  });

  it('has its own Docker engine, not the host one', async () => {
    const host = (await dockerCli(['info', '--format', '{{.ID}}'])).trim();
    const inside = await sh(ids[0]!, 'docker info --format {{.ID}}');
    expect(inside.stdout.trim()).not.toBe(host);
    expect(inside.stdout.trim()).not.toBe('');
  });

  it('reaches neither the host services nor another machine: it has no network but loopback', async () => {
    const links = await sh(ids[0]!, "ip -o link show | awk -F': ' '{print $2}' | grep -v '^docker0$\\|^veth'");
    expect(links.stdout.trim()).toBe('lo');
    for (const target of [gateway, '127.0.0.1']) {
      const attempt = await sh(ids[0]!, `curl -sS --max-time 3 http://${target}:${machines.port}/ 2>&1; echo "exit=$?"`);
      expect(attempt.stdout).not.toContain('host-service');
      expect(attempt.stdout).toMatch(/exit=[1-9]/);
    }
    const other = (await dockerCli(['inspect', '--format', '{{.Config.Hostname}}', ids[1]!])).trim();
    const lookup = await sh(ids[0]!, `getent hosts ${other} || echo unresolvable`);
    expect(lookup.stdout.trim()).toBe('unresolvable');
  });

  it('contains a fork bomb within its pids limit while another machine keeps answering', async () => {
    const bomb = sh(ids[0]!, 'timeout 8 bash -c "b() { b | b & }; b" >/dev/null 2>&1; echo survived', 60_000);
    await new Promise((r) => setTimeout(r, 2000));
    const started = Date.now();
    const answer = await sh(ids[1]!, 'echo alive');
    expect(answer.stdout).toBe('alive\n');
    expect(Date.now() - started).toBeLessThan(10_000);
    const pids = Number((await dockerCli(['stats', '--no-stream', '--format', '{{.PIDs}}', ids[0]!])).trim());
    expect(pids).toBeLessThanOrEqual(300);
    await bomb;
    await sh(ids[0]!, 'pkill -9 -f "b | b" || true');
  });

  it('removes a machine in which the learner paused a container (frozen tasks ignore SIGKILL)', async () => {
    // A machine of its own: the fork bomb's leftovers may still hold the others' pids.
    const { id } = await d.create(MachineLimits.parse({ memoryMiB: 512 }));
    ids.push(id);
    const paused = await sh(id, 'docker run -d --name frozen busybox sleep 1000 >/dev/null && docker pause frozen >/dev/null && docker inspect -f {{.State.Status}} frozen', 120_000);
    expect(paused.stdout.trim(), paused.stderr).toBe('paused');
    await d.destroy(id);
    expect((await d.list()).map((m) => m.id)).not.toContain(id);
  });

  it('kills a memory hog inside the machine and leaves the machine and the host running', async () => {
    const hog = await sh(ids[1]!, 'head -c 2000m /dev/zero | tail >/dev/null; echo "hog exit=$?"', 120_000);
    expect(hog.stdout).toMatch(/hog exit=(137|1)/);
    const after = await sh(ids[1]!, 'echo still-here');
    expect(after.stdout).toBe('still-here\n');
    expect((await dockerCli(['inspect', '--format', '{{.State.Running}}', ids[1]!])).trim()).toBe('true');
  });

  it("sweeps a start's disk that no machine names (the start was interrupted), once it is old enough", async () => {
    const scope = `sweep${randomBytes(3).toString('hex')}`;
    const scoped = new DockerDriver({ cacheDir, scope });
    const pool = new DiskPool('/var/lib/unboxed');
    const base = (await readdir(pool.dir)).find((f) => /^base-.*\.ext4$/.test(f) && !f.includes('-draft-'));
    expect(base, 'a base disk, made by the machines above').toBeDefined();
    const name = `unboxed-${scope}-starting-${randomBytes(6).toString('hex')}`;
    const disk = await pool.clone(path.join(pool.dir, base!), name);
    // Young: it may be a start under way in another process. (Drafts of base disks whose
    // preparing process died may go with any sweep.)
    expect(await scoped.sweep(60_000)).not.toContain(name);
    const hourAgo = new Date(Date.now() - 3600_000);
    await utimes(disk.file, hourAgo, hourAgo);
    expect(await scoped.sweep(60_000)).toContain(name);
    expect(await leftovers([name])).toEqual([]);
    expect((await runProcess('mountpoint', ['-q', disk.mountpoint])).exitCode).not.toBe(0);
    // Disks that machines name stay, young or old.
    expect(await d.sweep(0)).toEqual([]);
    expect((await sh(ids[1]!, 'touch /root/still-writable && echo ok')).stdout).toBe('ok\n');
  });
});
