import { randomBytes } from 'node:crypto';
import https from 'node:https';
import { readFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MACHINE_CAPABILITIES } from '../../sandbox/docker/driver.ts';
import { execIn, shellIn, spawnIn } from '../../sandbox/docker/exec.ts';
import { MachineLimits } from '../../sandbox/driver.ts';
import { machineServiceSpec } from '../../sandbox/swarm/service.ts';
import { connectNode, taskPlace } from '../../sandbox/swarm/nodes.ts';
import { CLIENT_TLS, ENGINE_PORT, NODES, up, imageTag } from './cluster.ts';

/**
 * A learner machine as a Swarm service on the test cluster, reached the way the app
 * will: the manager's Engine API to place it, the node's own Engine API (mutual TLS) to
 * find its container and run commands, an agent and a shell in it.
 */
describe('a learner machine as a swarm service', () => {
  const [first, worker] = NODES as [(typeof NODES)[number], (typeof NODES)[number]];
  const manager = () => connectNode(`${first.address}:${ENGINE_PORT}`, CLIENT_TLS);
  const limits = MachineLimits.parse({ memoryMiB: 768, cpus: 0.5, pids: 512, diskMiB: 2048 });
  const name = `unboxed-swarm-probe-${randomBytes(4).toString('hex')}`;
  const disk = `${name}-disk`;
  let node: Docker;
  let container: Docker.Container;
  let readyMs: number;
  const sh = (script: string) => execIn(container, ['sh', '-c', script], { timeoutMs: 120_000 });

  beforeAll(async () => {
    const image = await imageTag();
    await up(image);
    const m = manager();
    const nodeId = String((await m.getNode(worker.name).inspect()).ID);
    // The node's engine loads the disk plugin when first asked for volumes, and the swarm
    // places the machine only once the node reports it (the driver does the same).
    await connectNode(`${worker.address}:${ENGINE_PORT}`, CLIENT_TLS).listVolumes();
    const reports = async () => JSON.stringify((await m.getNode(nodeId).inspect()).Description.Engine.Plugins).includes('"unboxed-disk"');
    for (let tries = 0; !(await reports()); tries++) {
      if (tries > 40) throw new Error(`${worker.name} does not report the unboxed-disk volume plugin after 20 s: is it running (tests/swarm/cluster.ts up)?`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const started = performance.now();
    await m.createService(
      machineServiceSpec({ name, image, node: nodeId, hostname: 'machine-probe', limits, labels: { 'unboxed.machine': 'swarm-test' }, disk }),
    );
    let place = await taskPlace(m, name);
    const deadline = Date.now() + 300_000;
    while (!place?.container || place.state !== 'running') {
      if ((place && ['failed', 'rejected', 'shutdown', 'complete'].includes(place.state)) || Date.now() > deadline) throw new Error(`the machine's task ${place?.state ?? 'is not there'}: ${place?.error}`);
      await new Promise((r) => setTimeout(r, 100));
      place = await taskPlace(m, name);
    }
    node = connectNode(place.engine, CLIENT_TLS);
    container = node.getContainer(place.container);
    const wait = 'for i in $(seq 150); do [ -e /var/lib/docker/.unboxed-images-loaded ] && curl -sf --unix-socket /run/docker.sock http://docker/_ping >/dev/null 2>&1 && exit 0; sleep 0.1; done; exit 1';
    while ((await execIn(container, ['sh', '-c', wait], { timeoutMs: 30_000 })).exitCode !== 0);
    readyMs = performance.now() - started;
    console.log(`service create → ready machine (cold: an empty disk, the root an overlay over the image): ${(readyMs / 1000).toFixed(1)} s`);
  });

  afterAll(async () => {
    const m = manager();
    await m.getService(name).remove().catch(() => undefined);
    // The volume is the node's: removed there once the task's container is gone.
    const deadline = Date.now() + 60_000;
    while (node && Date.now() < deadline) {
      const removed = await node.getVolume(disk).remove().then(() => true, (error: { statusCode?: number }) => error.statusCode === 404);
      if (removed) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  });

  it('runs on the node it was placed on, found through that node engine', async () => {
    const info = await node.info();
    expect(info.Name).toBe(worker.name);
    expect((await container.inspect()).Config.Labels['com.docker.swarm.service.name']).toBe(name);
    // A manager cannot reach into a task on another node: its engine has no such container.
    await expect(manager().getContainer(container.id).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it("keeps the docker driver's containment: capabilities, limits, cgroup namespace, seccomp, tmpfs, sysctl", async () => {
    const inspected = await container.inspect();
    const host = inspected.HostConfig as Docker.HostConfig & { CgroupnsMode?: string; CapAdd?: string[]; CapDrop?: string[] };
    expect(host.CgroupnsMode).toBe('private');
    expect(host.Memory).toBe(768 * 2 ** 20);
    expect(host.NanoCpus).toBe(0.5e9);
    expect(host.PidsLimit).toBe(512);
    expect(host.Privileged).toBe(false);
    const bounding = await sh("grep CapBnd /proc/1/status | awk '{print $2}'");
    const expected = MACHINE_CAPABILITIES.reduce((mask, cap) => mask | (1n << BigInt(CAPABILITY_NUMBERS[cap])), 0n);
    expect(BigInt(`0x${bounding.stdout.trim()}`)).toBe(expected);
    // Seccomp in filter mode (the node daemon's default profile: the machine's own runc needs its keyctl).
    expect((await sh('grep ^Seccomp: /proc/1/status')).stdout).toMatch(/Seccomp:\s+2/);
    const mounts = await sh('findmnt -n -o FSTYPE /run; findmnt -n -o FSTYPE /tmp; sysctl -n net.ipv4.ip_forward; hostname');
    expect(mounts.stdout).toBe('tmpfs\ntmpfs\n1\nmachine-probe\n');
  });

  it('has no network but loopback (and its own dockerd bridge)', async () => {
    const links = await sh("ip -o link show | awk -F': ' '{print $2}' | grep -v '^docker0$\\|^veth'");
    expect(links.stdout.trim()).toBe('lo');
    // Neither the nodes nor the app host answer.
    const reach = await sh(`curl -s -m 3 -o /dev/null https://${worker.address}:${ENGINE_PORT}/_ping; echo $?`);
    expect(reach.stdout.trim()).not.toBe('0');
  });

  it('lives on its own disk of its limit (the node disk plugin): its root over it, overlay2 for its own dockerd, full is ENOSPC inside', async () => {
    const root = await sh('findmnt -n -o SOURCE,FSTYPE /var/lib/docker; df -m --output=size / | tail -1; docker info -f {{.Driver}}');
    const [mount, size, driver] = root.stdout.trim().split('\n');
    expect(mount).toMatch(/^\/dev\/loop\d+\[\/docker\]\s+ext4$/);
    // ext4 keeps some of the file for itself.
    expect(Number(size)).toBeGreaterThan(1800);
    expect(Number(size)).toBeLessThanOrEqual(2048);
    expect(driver).toBe('overlay2');
    expect((await node.getVolume(disk).inspect()).Driver).toBe('unboxed-disk');
    // Past the limit: refused before a byte is written (fallocate), so the node's own disk is never at stake.
    const fill = await sh('fallocate -l 2500M /root/fill 2>&1; echo "exit=$?"; rm -f /root/fill');
    expect(fill.stdout).toMatch(/No space left on device\nexit=1\n$/);
  });

  it('runs containers, an agent process and an interactive shell through the node engine over mutual TLS', async () => {
    expect(await sh('docker run --rm busybox echo hello-from-inside')).toMatchObject({ exitCode: 0, stdout: 'hello-from-inside\n' });

    const cat = await spawnIn(container, ['cat']);
    const echoed = new Promise<string>((resolve) => cat.onStdout((chunk) => resolve(chunk.toString('utf8'))));
    cat.write('through the agent channel\n');
    expect(await echoed).toBe('through the agent channel\n');
    cat.close();

    const shell = await shellIn(container, ['dtach', '-A', '/run/unboxed-terminal-probe.sock', '-E', '-z', '-r', 'winch', 'bash', '-l'], { cols: 100, rows: 30 });
    let output = '';
    shell.onData((data) => (output += data));
    shell.write('echo $((6*7))-$(hostname)\r');
    await expect.poll(() => output, { timeout: 20_000 }).toContain('42-machine-probe');
    shell.close();
  });

  it("refuses a client without the app's certificate", async () => {
    const ca = await readFile(CLIENT_TLS.ca);
    const status = await new Promise<string>((resolve) => {
      https
        .get({ host: worker.address, port: ENGINE_PORT, path: '/_ping', ca }, (res) => resolve(`answered ${res.statusCode}`))
        .on('error', (error) => resolve(`refused: ${error.message}`));
    });
    expect(status).toMatch(/^refused/);
  });
});

/** Linux capability numbers (include/uapi/linux/capability.h) of the machine's capabilities. */
const CAPABILITY_NUMBERS: Record<(typeof MACHINE_CAPABILITIES)[number], number> = {
  CHOWN: 0, DAC_OVERRIDE: 1, FOWNER: 3, FSETID: 4, KILL: 5, SETGID: 6, SETUID: 7, SETPCAP: 8, NET_BIND_SERVICE: 10, NET_ADMIN: 12, NET_RAW: 13,
  IPC_LOCK: 14, IPC_OWNER: 15, SYS_CHROOT: 18, SYS_PTRACE: 19, SYS_ADMIN: 21, SYS_BOOT: 22, SYS_NICE: 23, MKNOD: 27, LEASE: 28, AUDIT_WRITE: 29, SETFCAP: 31,
};
