import { spawn } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DockerDriver } from '../../sandbox/docker/driver.ts';
import { MachineLimits } from '../../sandbox/driver.ts';
import { runProcess } from '../../sandbox/process.ts';

/**
 * The host's engine on a host without systemd, as sandbox/host/ensure-engine.sh runs it:
 * the script finds the host's dockerd and containerd by their sockets and pid files (a
 * learner machine's own daemons are visible here as processes too), starts them in a
 * session of their own (a Ctrl-C to the installer cannot reach them), and the engine runs
 * with live-restore, so restarting dockerd or containerd leaves learner machines, their
 * processes (a dtach-held shell) and their files as they were.
 * Stops and restarts the host's engine; touches only the machine it creates.
 * UNBOXED_TEST_ENSURE_ENGINE runs another copy of the script (e.g. an older one, placed
 * as <dir>/sandbox/host/ensure-engine.sh next to <dir>/scripts/lib.sh); the engine is
 * always brought back by the repository's script at the end.
 */
const root = path.resolve(import.meta.dirname, '../..');
const repoScript = path.join(root, 'sandbox/host/ensure-engine.sh');
const script = process.env.UNBOXED_TEST_ENSURE_ENGINE ?? repoScript;
const DOCKER_PIDFILE = '/var/run/docker.pid';
const CONTAINERD_PIDFILE = '/run/unboxed/containerd.pid';
const SHELL_SOCKET = '/run/engine-test.sock';
const MARKER = '/root/engine-test-marker';

const driver = new DockerDriver({ cacheDir: path.resolve('.cache/test-host-engine') });
let machine = '';
let marker = '';

const sh = (command: string, timeoutMs = 30_000) => runProcess('bash', ['-c', command], { timeoutMs });
const dockerAnswers = async () => (await runProcess('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 10_000 })).exitCode === 0;
const containerdAnswers = async () =>
  (await runProcess('ctr', ['--address', '/run/containerd/containerd.sock', '--connect-timeout', '1s', 'version'], { timeoutMs: 5_000 })).exitCode === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function machineExec(command: string): Promise<string> {
  const result = await driver.exec(machine, ['sh', '-c', command], { timeoutMs: 30_000 });
  if (result.exitCode !== 0) throw new Error(`in the machine, '${command}' exited ${result.exitCode}: ${result.stderr}`);
  return result.stdout.trim();
}

/** A process's pid namespace, or undefined once it is gone. */
const pidNamespace = (pid: number | string) => readlink(`/proc/${pid}/ns/pid`).catch(() => undefined);

/** Live (not zombie) processes named `name`, with their pid namespaces. */
async function processesNamed(name: string): Promise<{ pid: number; ns: string }[]> {
  const found: { pid: number; ns: string }[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const match = /^\d+ \((.*)\) (\S)/.exec(stat);
    if (!match || match[1] !== name || match[2] === 'Z') continue;
    const ns = await pidNamespace(entry);
    if (ns) found.push({ pid: Number(entry), ns });
  }
  return found;
}

/** The host's own daemon `name` (in this test's pid namespace, never a machine's): from its pid file, else the only one. */
async function hostDaemon(name: 'dockerd' | 'containerd', pidFile: string): Promise<number> {
  const own = await pidNamespace('self');
  const host = (await processesNamed(name)).filter((p) => p.ns === own).map((p) => p.pid);
  const fromFile = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (host.includes(fromFile)) return fromFile;
  if (host.length !== 1) throw new Error(`expected one host ${name}, found ${host.length} (pid file ${pidFile}: ${fromFile || 'none'})`);
  return host[0]!;
}

async function isAlive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && !/^\d+ \(.*\) Z/.test(stat);
}

async function stopDaemon(name: 'dockerd' | 'containerd', pidFile: string): Promise<number> {
  const pid = await hostDaemon(name, pidFile);
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 60_000;
  while (await isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`${name} (pid ${pid}) did not exit within 60 s of SIGTERM`);
    await sleep(100);
  }
  return pid;
}

/** Runs the script under test in a session of its own (as a terminal would); its pid is that session's id. */
function runEnsureEngine(file = script): Promise<{ code: number | null; output: string; sid: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [file], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, sid: child.pid! });
    });
  });
}

async function ensureEngineOk(): Promise<void> {
  const run = await runEnsureEngine();
  expect(run.code, `${script} failed:\n${run.output}`).toBe(0);
  expect(await dockerAnswers()).toBe(true);
}

/** Brings the engine back with the repository's script (not the one under test), or by hand if that fails. */
async function restoreEngine(): Promise<void> {
  if ((await containerdAnswers()) && (await dockerAnswers())) return;
  const run = await runEnsureEngine(repoScript);
  if (run.code === 0) return;
  console.error(`bringing the engine back: ${repoScript} failed:\n${run.output}`);
  // Last resort (e.g. the repository's script is an old one that skipped a daemon).
  await sh(
    `mkdir -p /var/log/unboxed; c='ctr --address /run/containerd/containerd.sock --connect-timeout 1s version'
    $c >/dev/null 2>&1 || setsid -f containerd </dev/null >>/var/log/unboxed/containerd.log 2>&1
    for i in $(seq 100); do $c >/dev/null 2>&1 && break; sleep 0.2; done
    docker info >/dev/null 2>&1 || { rm -f /var/run/docker.pid; setsid -f dockerd --containerd=/run/containerd/containerd.sock </dev/null >>/var/log/unboxed/dockerd.log 2>&1; }
    for i in $(seq 300); do docker info >/dev/null 2>&1 && break; sleep 0.2; done`,
    120_000,
  );
}

/** What must survive an engine restart: the container's init, the dtach-held shell, a file. */
async function machineSnapshot() {
  const state = (await sh(`docker inspect --format '{{.State.Running}} {{.State.Pid}} {{.State.StartedAt}}' ${machine}`)).stdout.trim();
  const shell = await machineExec(`pgrep -f -x 'dtach -n ${SHELL_SOCKET} bash'`);
  const bash = await machineExec(`pgrep -P ${shell}`);
  const file = await machineExec(`cat ${MARKER}`);
  return { state, shell, bash, file };
}

describe('the host engine (sandbox/host/ensure-engine.sh)', () => {
  let before: Awaited<ReturnType<typeof machineSnapshot>>;

  beforeAll(async () => {
    await restoreEngine();
    machine = (await driver.create(MachineLimits.parse({}))).id;
    marker = `written before the engine restarts ${Date.now()}`;
    await machineExec(`echo '${marker}' > ${MARKER} && sync`);
    // dtach's master daemonizes; its stdio goes to /dev/null so the exec returns.
    await machineExec(`dtach -n ${SHELL_SOCKET} bash </dev/null >/dev/null 2>&1`);
    before = await machineSnapshot();
    expect(before.state).toMatch(/^true \d+ /);
    expect(before.file).toBe(marker);
  });

  // Each case starts from a running engine, whatever the case before it left behind.
  beforeEach(restoreEngine);

  afterAll(async () => {
    await restoreEngine();
    if (!machine) return;
    // Docker 20.10 restores a live-restored container's volume with a mount count of 0
    // (moby#44422, fixed in 23.0): once it stops, its volume stays "in use" until dockerd
    // restarts. So: stop the machine, restart dockerd, then destroy it.
    try {
      await driver.stop(machine);
      await stopDaemon('dockerd', DOCKER_PIDFILE);
    } finally {
      await restoreEngine();
      await driver.destroy(machine);
    }
  });

  it("starts the host's dockerd again while a learner machine's own dockerd runs (a)", async () => {
    const machinePidNs = await pidNamespace(before.state.split(' ')[1]!);
    await stopDaemon('dockerd', DOCKER_PIDFILE);
    expect(await dockerAnswers()).toBe(false);
    // The machine outlived the stop (live-restore), and its own dockerd is a process on this host.
    const inner = (await processesNamed('dockerd')).filter((p) => p.ns === machinePidNs);
    expect(inner.length, "the machine's dockerd is not running: the engine's stop took the machine with it").toBe(1);
    await ensureEngineOk();
    const host = await hostDaemon('dockerd', DOCKER_PIDFILE);
    expect(await pidNamespace(host)).toBe(await pidNamespace('self'));
  });

  it('a dockerd restart keeps the machine: its processes, the dtach-held shell and its files (c)', async () => {
    await stopDaemon('dockerd', DOCKER_PIDFILE);
    await ensureEngineOk();
    expect((await sh('docker info --format {{.LiveRestoreEnabled}}')).stdout.trim()).toBe('true');
    expect(await machineSnapshot()).toEqual(before);
    expect(await machineExec('echo still here')).toBe('still here');
  });

  it('starts containerd and dockerd in a session of their own, out of reach of a Ctrl-C to the installer (b)', async () => {
    await stopDaemon('dockerd', DOCKER_PIDFILE);
    await stopDaemon('containerd', CONTAINERD_PIDFILE);
    const run = await runEnsureEngine();
    expect(run.code, `${script} failed:\n${run.output}`).toBe(0);
    const containerd = Number((await readFile(CONTAINERD_PIDFILE, 'utf8').catch(() => '')).trim());
    const dockerd = Number((await readFile(DOCKER_PIDFILE, 'utf8')).trim());
    expect(await hostDaemon('containerd', CONTAINERD_PIDFILE), `${CONTAINERD_PIDFILE} names the host's containerd`).toBe(containerd);
    for (const pid of [containerd, dockerd]) {
      const [sid, pgid] = (await sh(`ps -o sid=,pgid= -p ${pid}`)).stdout.trim().split(/\s+/).map(Number);
      expect(sid, `pid ${pid}'s session`).not.toBe(run.sid);
      expect(pgid, `pid ${pid}'s process group`).not.toBe(run.sid);
    }
    // Ctrl-C in the installer's terminal: SIGINT to its process group (empty now, if all is well).
    try {
      process.kill(-run.sid, 'SIGINT');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
    await sleep(2_000);
    expect(await isAlive(containerd)).toBe(true);
    expect(await isAlive(dockerd)).toBe(true);
    expect(await dockerAnswers()).toBe(true);
    expect(await machineSnapshot()).toEqual(before);
  });

  it('a containerd restart keeps the machine: its processes, the dtach-held shell and its files (d)', async () => {
    const old = await stopDaemon('containerd', CONTAINERD_PIDFILE);
    expect(await containerdAnswers()).toBe(false);
    await ensureEngineOk();
    expect(await containerdAnswers()).toBe(true);
    expect(await hostDaemon('containerd', CONTAINERD_PIDFILE)).not.toBe(old);
    expect(await machineSnapshot()).toEqual(before);
    expect(await machineExec('echo still here')).toBe('still here');
  });
});
