import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteDriver } from '../../tests/support/remote-driver.ts';
import { runDriverConformance } from '../conformance.ts';
import { DEFAULT_PROFILE } from '../docker/seccomp.ts';
import { MachineLimits } from '../driver.ts';
import { runProcess } from '../process.ts';
import { engineLimitsScript, liftLimitsProbe } from '../testing.ts';
import { QemuDriver } from './driver.ts';

/**
 * The docker driver on a cgroup v2 host. This CI host is cgroup v1, a stock Debian 12 host
 * is v2: the qemu driver's guest is one (Debian 12, systemd, Docker), so the docker driver
 * runs in it (tests/support/driver-agent.ts, over SSH) and meets its conformance suite and
 * the limit probe there. Nested under TCG it is slow (the base disk alone takes about 7
 * minutes), so it runs on its own: npm run test:docker-on-v2, not yet in CI.
 */
const root = path.resolve(import.meta.dirname, '../..');
const stateDir = path.join(root, '.cache/test-sandbox-qemu');
const work = path.join(root, '.cache/test-docker-on-v2');
const vms = new QemuDriver({ stateDir });
const remote = new RemoteDriver();
let host = '';
let ssh: string[] = [];

const onHost = async (script: string, timeoutMs = 120_000) => {
  const result = await vms.exec(host, ['sh', '-c', script], { timeoutMs });
  if (result.exitCode !== 0) throw new Error(`on the v2 host: ${script}: ${(result.stderr || result.stdout).trim()}`);
  return result.stdout;
};

/** Runs `local` here with its stdout piped into `remoteCommand` on the v2 host. */
function pipeToHost(local: readonly string[], remoteCommand: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const from = spawn(local[0]!, local.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
    const to = spawn('ssh', [...ssh, remoteCommand], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    to.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    from.stdout.pipe(to.stdin);
    to.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${local.join(' ')} | ssh … ${remoteCommand}: exit ${code} ${stderr.trim()}`))));
  });
}

beforeAll(async () => {
  // The driver's tag, computed here from this checkout's recipe (the v2 host has no recipe).
  const tag = (await runProcess('bash', [path.join(root, 'sandbox/image/build.sh'), '--print-tag'])).stdout.trim();
  await mkdir(work, { recursive: true });
  const agent = path.join(work, 'driver-agent.mjs');
  await build({
    entryPoints: [path.join(root, 'tests/support/driver-agent.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: agent,
    // Bundled CommonJS dependencies (dockerode's ssh transport) use require and __dirname.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); const __dirname = import.meta.dirname; const __filename = import.meta.filename;" },
    external: ['cpu-features', '*.node'],
    logLevel: 'warning',
  });

  await vms.prepare(MachineLimits.parse({}));
  host = (await vms.create(MachineLimits.parse({}))).id;
  const { port } = JSON.parse(await readFile(path.join(stateDir, 'vm', host, 'meta.json'), 'utf8')) as { port: number };
  const key = path.join(stateDir, 'vm', host, 'key');
  ssh = ['-p', String(port), '-i', key, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', 'root@127.0.0.1'];

  expect(await onHost('stat -fc %T /sys/fs/cgroup')).toBe('cgroup2fs\n');
  await pipeToHost(['cat', process.execPath], 'cat >/usr/local/bin/node && chmod 755 /usr/local/bin/node');
  await pipeToHost(['cat', agent], 'cat >/root/driver-agent.mjs');
  await pipeToHost(['cat', DEFAULT_PROFILE], `mkdir -p ${path.dirname(DEFAULT_PROFILE)} && cat >${DEFAULT_PROFILE}`);
  await pipeToHost(['docker', 'save', tag], 'docker load -q >/dev/null');
  remote.connect(['ssh', ...ssh, `/usr/local/bin/node /root/driver-agent.mjs ${tag}`]);
  // The base disk (the image onto its own disk, lesson images loaded): minutes, nested under TCG.
  await remote.prepare(MachineLimits.parse({}));
}, 60 * 60_000);

afterAll(async () => {
  remote.close();
  if (host) await vms.destroy(host);
});

/** What destroyed machines left on the v2 host: containers, disks, loop devices. */
async function leftovers(ids: readonly string[]): Promise<string[]> {
  const suffixes = ids.map((id) => id.slice(-12));
  const seen = await onHost("docker ps -a --format '{{.Names}}'; ls /var/lib/unboxed/disks; losetup --list --noheadings --output BACK-FILE");
  return seen.split('\n').filter((line) => ids.includes(line) || suffixes.some((s) => line.includes(s)));
}

runDriverConformance('docker on a cgroup v2 host', () => remote, leftovers);

describe('docker on a cgroup v2 host: limits', () => {
  it("lets the learner's root write no file of the engine's own limits, and those limits hold", async () => {
    const limits = MachineLimits.parse({ memoryMiB: 512, pids: 300 });
    const machine = await remote.create(limits);
    try {
      const id = (await onHost(`docker inspect -f '{{.Id}}' ${machine.id}`)).trim();
      const files = (await onHost(engineLimitsScript(id))).split('\n').filter(Boolean);
      expect(files.find((f) => f.startsWith('pids.max:'))?.split(':')[2]).toBe('300');
      expect(files.find((f) => f.startsWith('memory.max:'))?.split(':')[2]).toBe(String(512 * 2 ** 20));
      const probe = await remote.exec(machine.id, ['bash', '-c', liftLimitsProbe(files.map((f) => f.split(':').slice(0, 2).join(':')))], { timeoutMs: 60_000 });
      expect(probe.exitCode, `refused: ${probe.stderr}`).toBe(1);
      // The machine's own cgroups work for its own dockerd (its containers' limits).
      const inner = await remote.exec(machine.id, ['sh', '-c', "docker run --rm --memory 64m busybox cat /sys/fs/cgroup/memory.max"], { timeoutMs: 180_000 });
      expect(inner.stdout.trim()).toBe(String(64 * 2 ** 20));
    } finally {
      await remote.destroy(machine.id);
    }
  });
});
