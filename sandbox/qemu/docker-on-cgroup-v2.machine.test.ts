import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteDriver } from '../../tests/support/remote-driver.ts';
import { runDriverConformance } from '../conformance.ts';
import { DiskPool } from '../docker/disk.ts';
import { DockerDriver } from '../docker/driver.ts';
import { DEFAULT_PROFILE } from '../docker/seccomp.ts';
import { MachineLimits } from '../driver.ts';
import { runProcess } from '../process.ts';
import { engineLimitsScript, liftLimitsProbe } from '../testing.ts';
import { QemuDriver } from './driver.ts';
import { freePort } from './golden.ts';
import { Qmp } from './qmp.ts';

/**
 * The docker driver on a cgroup v2 host. This CI host is cgroup v1, a stock Debian 12 host
 * is v2: the qemu driver's guest is one (Debian 12, systemd, Docker), so the docker driver
 * runs in it (tests/support/driver-agent.ts, over SSH) and meets its conformance suite and
 * the limit probe there. In CI as its own step (npm run test:docker-on-v2), nested under TCG.
 *
 * Building the driver's base disk in the guest takes about 7 minutes under TCG; the host's
 * own driver has the same disk (the same image and size; prepared here first if missing,
 * minutes faster than nested), so the test copies it into the guest's disk pool, where the
 * guest's prepare finds it. The machine image arrives the same way, as an engine store
 * loaded on this host (engineStore). Files cross as plain TCP through a
 * port QEMU forwards for the test's duration (127.0.0.1 only; the guest's network has no
 * route out): SSH's encryption under TCG moves about 14 MB/s, this about 37 MB/s.
 */
const root = path.resolve(import.meta.dirname, '../..');
const stateDir = path.join(root, '.cache/test-sandbox-qemu');
const work = path.join(root, '.cache/test-docker-on-v2');
const vms = new QemuDriver({ stateDir });
const remote = new RemoteDriver();
/** The docker driver's disk pool: at the same place on this host and on the v2 host. */
const pool = new DiskPool('/var/lib/unboxed');
/** The guest's port the transfers arrive on, forwarded from `forward.port` on this host's loopback. */
const GUEST_PORT = 5555;
const forward = { qmp: '', port: 0 };
let host = '';
let ssh: string[] = [];

const onHost = async (script: string, timeoutMs = 120_000) => {
  const result = await vms.exec(host, ['sh', '-c', script], { timeoutMs });
  if (result.exitCode !== 0) throw new Error(`on the v2 host: ${script}: ${(result.stderr || result.stdout).trim()}`);
  return result.stdout;
};

/** Forwards this host's 127.0.0.1:`forward.port` to the guest's GUEST_PORT (QEMU's user network, netdev `net` of sandbox/qemu/vm.ts). */
async function forwardPort(command: 'hostfwd_add' | 'hostfwd_remove'): Promise<void> {
  const qmp = await Qmp.connect(forward.qmp);
  try {
    const answer = await qmp.execute('human-monitor-command', { 'command-line': `${command} net tcp:127.0.0.1:${forward.port}${command === 'hostfwd_add' ? `-:${GUEST_PORT}` : ''}` });
    if (answer) throw new Error(`${command}: ${String(answer)}`);
  } finally {
    qmp.close();
  }
}

/**
 * Runs `local` here with its stdout streamed into `remoteCommand` on the v2 host, through
 * the forwarded port. The guest accepts one connection, and only with the token first:
 * anyone on this host's loopback could connect to the port.
 */
function pipeToHost(local: readonly string[], remoteCommand: string): Promise<void> {
  const token = randomBytes(16).toString('hex');
  const receive = `socat -d -d -u TCP-LISTEN:${GUEST_PORT},reuseaddr STDOUT | { token=$(dd bs=${token.length} count=1 iflag=fullblock 2>/dev/null); [ "$token" = ${token} ] || { echo 'wrong token: not the test connected' >&2; exit 1; }; ${remoteCommand}; }`;
  return new Promise((resolve, reject) => {
    const to = spawn('ssh', [...ssh, receive], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let sent: Promise<number | null> | undefined;
    const fail = (error: string) => {
      to.kill();
      reject(new Error(`${local.join(' ')} | ${remoteCommand} on the v2 host: ${error}`));
    };
    to.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      if (sent || !stderr.includes(' listening on ')) return;
      const from = spawn(local[0]!, local.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
      sent = new Promise((done) => from.on('close', done));
      const socket = connect(forward.port, '127.0.0.1', () => {
        socket.write(token);
        from.stdout.pipe(socket);
      });
      socket.on('error', (error) => fail(`127.0.0.1:${forward.port}: ${error.message}`));
    });
    to.on('close', async (code) => {
      const localCode = await sent;
      if (code === 0 && localCode === 0) resolve();
      else fail(`exit ${code} there, ${localCode} here: ${stderr.trim()}`);
    });
  });
}

/**
 * The host's base disk for these limits, prepared here first if it is missing: the name
 * DockerDriver's baseDisk gives it (sandbox/docker/driver.ts).
 */
async function hostBaseDisk(tag: string, limits: MachineLimits): Promise<string> {
  await new DockerDriver({ cacheDir: path.join(work, 'host'), image: tag }).prepare(limits);
  return pool.file(`base-${tag.split(':')[1]}-${limits.diskMiB}`);
}

/**
 * An ext4 file holding a Docker data root with only `tag` in it, loaded here at native
 * speed (tests/support/engine-store.sh) and mounted over the guest's /var/lib/docker: its
 * own `docker load` took 5.5 minutes alone and 10 on a busy host, most of it hashing layers
 * under TCG. Kept in the test's cache, per image.
 */
async function engineStore(tag: string): Promise<string> {
  const file = path.join(work, `engine-${tag.split(':')[1]}.ext4`);
  if (existsSync(file)) return file;
  const made = await runProcess('bash', [path.join(root, 'tests/support/engine-store.sh'), file, tag], { timeoutMs: 10 * 60_000 });
  if (made.exitCode !== 0) throw new Error(`the engine store for ${tag}: ${(made.stderr || made.stdout).trim()}`);
  return file;
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

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

  const limits = MachineLimits.parse({});
  const base = await hostBaseDisk(tag, limits);
  await vms.prepare(limits);
  host = (await vms.create(limits)).id;
  const { port, suffix } = JSON.parse(await readFile(path.join(stateDir, 'vm', host, 'meta.json'), 'utf8')) as { port: number; suffix: string };
  const key = path.join(stateDir, 'vm', host, 'key');
  ssh = ['-p', String(port), '-i', key, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', 'root@127.0.0.1'];
  // The VM's monitor socket, where QemuDriver's qmpSocket puts it.
  Object.assign(forward, { qmp: path.join(tmpdir(), `unboxed-qmp-${suffix}`), port: await freePort() });
  await forwardPort('hostfwd_add');

  expect(await onHost('stat -fc %T /sys/fs/cgroup')).toBe('cgroup2fs\n');
  let started = Date.now();
  await pipeToHost(['cat', process.execPath], 'cat >/usr/local/bin/node && chmod 755 /usr/local/bin/node');
  await pipeToHost(['cat', agent], 'cat >/root/driver-agent.mjs');
  await pipeToHost(['cat', DEFAULT_PROFILE], `mkdir -p ${path.dirname(DEFAULT_PROFILE)} && cat >${DEFAULT_PROFILE}`);
  const store = await engineStore(tag);
  await pipeToHost(
    ['tar', '-cS', '-C', path.dirname(store), path.basename(store)],
    `tar -xS --transform='s|.*|engine.ext4|' -C /var/lib && systemctl stop docker.socket docker.service && mount -o loop /var/lib/engine.ext4 /var/lib/docker && systemctl start docker.socket docker.service && docker image inspect -f . ${tag} >/dev/null`,
  );
  console.log(`node, the agent and an engine store holding ${tag} on the v2 host in ${seconds(started)}`);
  remote.connect(['ssh', ...ssh, `/usr/local/bin/node /root/driver-agent.mjs ${tag}`]);

  // The guest's pool mounted (freeDisk ensures it), the host's base disk lands there
  // under a name the pool ignores, sparse, and takes its own name once complete.
  started = Date.now();
  await remote.freeDisk();
  const seeding = `${pool.file(path.basename(base, '.ext4'))}.seeding`;
  await pipeToHost(['tar', '-cS', '-C', path.dirname(base), path.basename(base)], `tar -xS --transform='s|.*|${path.basename(seeding)}|' -C ${pool.dir} && mv ${seeding} ${base}`);
  console.log(`the base disk copied from this host in ${seconds(started)} (built in the guest under TCG: about 7 min)`);
  started = Date.now();
  await remote.prepare(limits);
  console.log(`prepare on the v2 host: ${seconds(started)}`);
}, 60 * 60_000);

afterAll(async () => {
  remote.close();
  if (forward.port) await forwardPort('hostfwd_remove').catch(() => undefined);
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
