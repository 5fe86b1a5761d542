import { readFile, statfs } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { percentile } from '../../bench/percentile.ts';
import { DockerDriver } from '../../sandbox/docker/driver.ts';
import { dockerCli } from '../../sandbox/docker/testing.ts';
import { MachineLimits, type MachineShell, type SandboxDriver } from '../../sandbox/driver.ts';
import { runProcess } from '../../sandbox/process.ts';
import { QemuDriver } from '../../sandbox/qemu/driver.ts';
import { engineLimitsScript, liftLimitsProbe, machinesForSuite } from '../../sandbox/testing.ts';

/**
 * Escape and abuse suite: non-destructive probes run as root inside a fresh machine of
 * every driver this host runs. Each probe says whether the action is possible; the
 * expectation is per driver, so a regression either way fails: on the docker driver
 * (the host's kernel) everything is refused except the documented residue (a fresh
 * procfs's core_pattern); on the qemu driver the kernel-wide actions are allowed because
 * the kernel is the VM's own, and everything outside the VM is unreachable.
 * Probes never do the harm they test for: they read a capability bit, write a value back
 * unchanged, or ask the routing table; traffic goes only to a listener this test opens.
 */

type Verdict = 'allowed' | 'refused';
interface Probe {
  readonly name: string;
  /** Exit 0: the action is possible from inside; anything else: refused. */
  readonly script: (ctx: { port: number; hostAddress: string; limitFiles: readonly string[] }) => string;
  readonly expect: Record<'container' | 'vm', Verdict>;
}

const hasCap = (cap: string) => `capsh --decode=$(awk '/^CapEff/ {print $2}' /proc/self/status) | grep -qw ${cap}`;

const probes: Probe[] = [
  { name: 'set the clock (CAP_SYS_TIME bit)', script: () => hasCap('cap_sys_time'), expect: { container: 'refused', vm: 'allowed' } },
  { name: 'load a kernel module (CAP_SYS_MODULE bit)', script: () => hasCap('cap_sys_module'), expect: { container: 'refused', vm: 'allowed' } },
  { name: 'open_by_handle_at (CAP_DAC_READ_SEARCH bit)', script: () => hasCap('cap_dac_read_search'), expect: { container: 'refused', vm: 'allowed' } },
  {
    name: 'write /proc/sys (current value written back)',
    script: () => 'v=$(cat /proc/sys/vm/overcommit_memory) && echo "$v" >/proc/sys/vm/overcommit_memory',
    expect: { container: 'refused', vm: 'allowed' },
  },
  { name: 'open /dev/kmsg for reading', script: () => 'exec 3</dev/kmsg', expect: { container: 'refused', vm: 'allowed' } },
  { name: 'read /dev/mem', script: () => 'head -c 1 /dev/mem >/dev/null', expect: { container: 'refused', vm: 'allowed' } },
  {
    // The host's root disk by its device number. In a VM the same numbers may name the
    // VM's own disk (virtio, like the host's): that one, recognised by its file system's
    // UUID, is the machine's own to read.
    name: "read the host's block device",
    script: () =>
      [
        `rm -f /tmp/hostdisk; mknod /tmp/hostdisk b ${hostRootDevice.major} ${hostRootDevice.minor} || exit 1`,
        'readable=$(head -c 512 /tmp/hostdisk 2>/dev/null | wc -c)',
        'seen=$(blkid -p -o value -s UUID /tmp/hostdisk 2>/dev/null)',
        'own=$(blkid -p -o value -s UUID "$(findmnt -no SOURCE /)" 2>/dev/null)',
        'rm -f /tmp/hostdisk',
        '[ "$readable" = 512 ] && { [ -z "$seen" ] || [ "$seen" != "$own" ]; }',
      ].join('\n'),
    expect: { container: 'refused', vm: 'refused' },
  },
  {
    name: "reach the host engine's socket",
    script: () => `grep -q 'docker.sock' /proc/self/mountinfo || [ "$(docker info -f '{{.ID}}' 2>/dev/null)" = "${hostEngineId}" ]`,
    expect: { container: 'refused', vm: 'refused' },
  },
  {
    name: 'reach the app port (a host listener on every address)',
    script: ({ port, hostAddress }) => `for a in 127.0.0.1 ${hostAddress}; do curl -s --max-time 3 http://$a:${port}/ | grep -q host-service && exit 0; done; exit 1`,
    expect: { container: 'refused', vm: 'refused' },
  },
  {
    // Asked of the routing table; no packet is sent towards 169.254.169.254.
    name: 'route to the cloud metadata address',
    script: () => 'ip route get 169.254.169.254 >/dev/null 2>&1',
    expect: { container: 'refused', vm: 'refused' },
  },
  {
    // Any cgroup file the machine sees that is the engine's own limit (the same kernfs
    // node as the host's file: same name and inode number), written back unchanged.
    name: "lift the engine's memory or pid limit (current value written back)",
    script: ({ limitFiles }) => liftLimitsProbe(limitFiles),
    expect: { container: 'refused', vm: 'refused' },
  },
  {
    name: 'mount a fresh procfs and write core_pattern (current value written back)',
    script: () => 'mkdir -p /tmp/freshproc && mount -t proc proc /tmp/freshproc && v=$(cat /tmp/freshproc/sys/kernel/core_pattern) && printf "%s\\n" "$v" >/tmp/freshproc/sys/kernel/core_pattern; r=$?; umount /tmp/freshproc 2>/dev/null; exit $r',
    // The docker driver's documented residue (DESIGN.md): why it is for trusted learners only.
    expect: { container: 'allowed', vm: 'allowed' },
  },
];

let hostEngineId = '';

async function hostFreeMiB(): Promise<number> {
  const stats = await statfs('/');
  return (stats.bavail * stats.bsize) / 2 ** 20;
}
let hostRootDevice = { major: 0, minor: 0 };

async function rootDevice(): Promise<{ major: number; minor: number }> {
  const line = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').find((l) => l.split(' ')[4] === '/')!;
  const [major, minor] = line.split(' ')[2]!.split(':').map(Number);
  return { major: major!, minor: minor! };
}

/** A shell attachment whose latest output the echo timing reads and clears. */
interface EchoShell {
  readonly shell: MachineShell;
  output: string;
}

/** Keystrokes echoed by the machine's interactive shell, timed from the host. */
async function echoLatencies(terminal: EchoShell, count: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    terminal.output = '';
    const start = performance.now();
    terminal.shell.write('x');
    const deadline = start + 10_000;
    while (!terminal.output.includes('x') && performance.now() < deadline) await new Promise((r) => setTimeout(r, 1));
    samples.push(performance.now() - start);
    if (i % 40 === 39) terminal.shell.write('\x15');
    await new Promise((r) => setTimeout(r, 20));
  }
  return samples;
}

/** The engine's own limit files of a container machine, as `name:inode`. */
async function engineLimitFiles(machine: string): Promise<string[]> {
  const id = (await dockerCli(['inspect', '--format', '{{.Id}}', machine])).trim();
  const files = (await runProcess('sh', ['-c', engineLimitsScript(id)])).stdout.split('\n').filter(Boolean);
  if (!files.some((f) => f.startsWith('pids.max:'))) throw new Error(`no cgroup of machine ${machine} (${id}) found under /sys/fs/cgroup`);
  return files.map((f) => f.split(':').slice(0, 2).join(':'));
}

const drivers: Array<{ name: string; make: () => SandboxDriver; hostAddress: () => Promise<string>; limitFiles: (id: string) => Promise<string[]> }> = [
  {
    name: 'docker',
    make: () => new DockerDriver({ cacheDir: path.resolve(import.meta.dirname, '../../.cache/test-security') }),
    hostAddress: async () => (await dockerCli(['network', 'inspect', 'bridge', '--format', '{{(index .IPAM.Config 0).Gateway}}'])).trim(),
    limitFiles: engineLimitFiles,
  },
  {
    name: 'qemu',
    make: () => new QemuDriver({ stateDir: path.resolve(import.meta.dirname, '../../.cache/test-security') }),
    hostAddress: () => Promise.resolve('10.0.2.2'),
    // The VM's limits are its size, set by QEMU outside the guest's kernel: no file inside is them.
    limitFiles: () => Promise.resolve([]),
  },
];

const verdicts: string[] = [];

afterAll(() => {
  console.log(`\nEscape and abuse suite verdicts\n${verdicts.join('\n')}\n`);
});

for (const { name, make, hostAddress, limitFiles: machineLimitFiles } of drivers) {
  describe(`${name} driver`, () => {
    const driver = make();
    const limits = MachineLimits.parse({ memoryMiB: 1024, pids: 400, diskMiB: 3072 });
    const machines = machinesForSuite(driver, 2, limits);
    const { ids } = machines;
    let address: string;
    let limitFiles: string[];
    let terminal: EchoShell | undefined;

    beforeAll(async () => {
      hostEngineId = (await dockerCli(['info', '--format', '{{.ID}}'])).trim();
      hostRootDevice = await rootDevice();
      address = await hostAddress();
      limitFiles = await machineLimitFiles(ids[0]!);
      const shell = await driver.openShell(ids[1]!, 'security-echo', { cols: 200, rows: 24 });
      const opened: EchoShell = { shell, output: '' };
      shell.onData((data) => (opened.output += data));
      terminal = opened;
      await new Promise((r) => setTimeout(r, 3000));
    });

    afterAll(() => terminal?.shell.close());

    for (const probe of probes) {
      it(`${probe.name}: ${probe.expect[driver.boundary]}`, async () => {
        const result = await driver.exec(ids[0]!, ['bash', '-c', probe.script({ port: machines.port, hostAddress: address, limitFiles })], { timeoutMs: 30_000 });
        const verdict: Verdict = result.exitCode === 0 ? 'allowed' : 'refused';
        verdicts.push(`${name.padEnd(7)} ${probe.name.padEnd(76)} ${verdict}`);
        expect(verdict, result.stderr).toBe(probe.expect[driver.boundary]);
      });
    }

    // The docker driver's app is a terminal socket's client from the host (sandbox/docker/dtach.ts),
    // in a folder the learner's root writes: a link planted there would be followed on the host.
    it.runIf(driver.boundary === 'container')("a link planted where a terminal's socket goes, naming the host engine's socket: the terminal gets a fresh shell in the machine instead", async () => {
      const planted = await driver.exec(ids[0]!, ['sh', '-c', 'ln -sf /run/docker.sock /run/unboxed-terminals/planted.sock && test -L /run/unboxed-terminals/planted.sock'], { timeoutMs: 30_000 });
      expect(planted.exitCode, planted.stderr).toBe(0);
      const shell = await driver.openShell(ids[0]!, 'planted', { cols: 120, rows: 30 });
      let output = '';
      shell.onData((data) => (output += data));
      shell.write('echo "in-the-machine-$((6*7))"\r');
      const deadline = Date.now() + 30_000;
      while (!output.includes('in-the-machine-42') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      shell.close();
      expect(output, 'the terminal reached a shell in the machine').toContain('in-the-machine-42');
      const replaced = await driver.exec(ids[0]!, ['sh', '-c', 'test -S /run/unboxed-terminals/planted.sock && ! test -L /run/unboxed-terminals/planted.sock'], { timeoutMs: 30_000 });
      expect(replaced.exitCode, 'the link was replaced by the session socket').toBe(0);
    });

    const abuses: Array<{ name: string; script: string; check: (out: string, said: string) => void }> = [
      {
        name: 'fork bomb',
        // In its own process group, so it can be killed whole without matching this script.
        // Once it runs, this script forks nothing: its timer is started before, and it ends
        // the bomb with builtins. It asked pgrep before, whose fork failed while the pids
        // were all taken (seen in CI on the qemu driver), and the bomb outlived the test.
        script: 'echo "b() { b | b & }; b" >/tmp/bomb.sh; sleep 12 & timer=$!; setsid bash /tmp/bomb.sh >/dev/null 2>&1 & bomb=$!; wait $timer; while kill -9 -- -$bomb 2>/dev/null; do :; done; echo survived',
        check: (out, said) => expect(out, said).toContain('survived'),
      },
      {
        name: 'memory hog',
        script: 'head -c 3000m /dev/zero | tail >/dev/null; echo "hog exit=$?"',
        check: (out, said) => expect(out, said).toMatch(/hog exit=(137|1)/),
      },
      {
        // Writes to /root (not a Docker path) until the machine's own disk is full: ENOSPC
        // inside, and `df /` inside is that disk. Bounded a little past the limit, so a
        // machine whose root were the host's would cost the host no more than that.
        name: 'disk fill',
        script: 'df -m --output=size / | tail -1; dd if=/dev/zero of=/root/fill bs=1M count=3400 2>&1 | grep -m1 -o "No space left on device"; rm -f /root/fill',
        check: (out, said) => {
          expect(out, said).toMatch(/No space left on device/);
          expect(Number(out.trim().split('\n')[0])).toBeLessThanOrEqual(3072);
        },
      },
    ];

    for (const abuse of abuses) {
      it(`${abuse.name} in one machine; the other machine's terminal keeps echoing`, async () => {
        const hostFreeBefore = await hostFreeMiB();
        const running = driver.exec(ids[0]!, ['bash', '-c', abuse.script], { timeoutMs: 120_000 });
        await new Promise((r) => setTimeout(r, 1500));
        const echo = await echoLatencies(terminal!, 150);
        const result = await running;
        const alive = await driver.exec(ids[0]!, ['echo', 'still-here'], { timeoutMs: 60_000 });
        if (driver.boundary === 'vm' && abuse.name === 'memory hog' && (result.timedOut || result.exitCode === 255)) {
          // Measured: under TCG a VM whose RAM is exhausted thrashes for minutes, and the
          // abusing session is lost. Its own kernel holds it in; the learner resets it, and
          // the reset machine works.
          const answering = alive.stdout === 'still-here\n' ? 'answering again' : 'not answering';
          verdicts.push(`${name.padEnd(7)} ${`abuse: ${abuse.name}; the abused VM itself`.padEnd(76)} session lost, ${answering} (reset)`);
          await driver.destroy(ids[0]!);
          ids[0] = (await driver.create(limits)).id;
          expect((await driver.exec(ids[0], ['echo', 'reset-works'], { timeoutMs: 60_000 })).stdout).toBe('reset-works\n');
        } else {
          // How the abusing session ended, for a failure's message (a qemu fork bomb's exec
          // once printed nothing under CI's load, and the VM answered no later exec).
          abuse.check(result.stdout, `exit ${result.exitCode}${result.timedOut ? ' (timed out)' : ''}; stderr: ${result.stderr.trim().slice(-300)}; then 'echo still-here' gave ${JSON.stringify(alive.stdout)} (exit ${alive.exitCode})`);
          expect(alive.stdout).toBe('still-here\n');
        }
        // What the abuse cost the host's disk is bounded by the machine's quota.
        expect(hostFreeBefore - (await hostFreeMiB())).toBeLessThan(3072 + 512);
        const p50 = percentile(echo, 50);
        const p99 = percentile(echo, 99);
        verdicts.push(`${name.padEnd(7)} ${`abuse: ${abuse.name}; other machine's echo`.padEnd(76)} p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);
        expect(p99, 'the other machine stayed responsive').toBeLessThan(2000);
      });
    }
  });
}
