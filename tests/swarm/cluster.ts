/**
 * A three-node Docker Swarm on this one host, for the swarm suite and benches:
 *
 *   npx tsx tests/swarm/cluster.ts up      # idempotent; prints each step and its time
 *   npx tsx tests/swarm/cluster.ts down    # removes everything up made
 *   npx tsx tests/swarm/cluster.ts status
 *
 * Each node is an extra dockerd (with the containerd it manages) in a network namespace
 * of its own, joined to a bridge by a veth pair: its own data-root, exec-root, pidfile and
 * socket under STATE/RUN, its Engine API on TCP with mutual TLS. The host's own engine is
 * left alone: it keeps live-restore, which swarm mode refuses, so it never joins.
 *
 * Three managers, not one manager and two workers: the raft quorum (2 of 3) survives any
 * one node's death, so the suite may kill whichever node holds learners and the cluster
 * still places their new machines. Every node also runs learner machines.
 *
 * Node daemons get what a learner node needs (../shared/DESIGN.md): a private cgroup
 * namespace and the machine seccomp profile as daemon defaults (a service can set
 * neither), no default bridge (so a task without networks has loopback only), no
 * live-restore. Traffic stays on the bridge: no NAT, no route out; one
 * iptables rule accepts forwarding within the bridge only.
 *
 * The machine disk plugin (`unboxed sandbox disk-plugin`) runs once, on this host: every
 * engine looks for plugins at the same /run/docker/plugins, so one serves the three
 * nodes, as one would serve each node host. Each node lists the others' disks too; its
 * own records (labels, the machine's service) say which are its, and a node killed here
 * leaves the plugin running, where a node host losing power would restart it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, stat, statfs, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeMachineProfile } from '../../sandbox/docker/seccomp.ts';
import { DiskPool } from '../../sandbox/docker/disk.ts';
import { runProcess } from '../../sandbox/process.ts';
import { PLUGIN_SOCKET } from '../../sandbox/swarm/disk-plugin.ts';
import { nodeTlsIn } from '../../sandbox/swarm/nodes.ts';

/** Where node data lives (real disk: a node's overlay2 cannot sit on overlay). */
export const STATE = '/var/lib/unboxed-swarm';
/** Exec-roots and sockets (short paths: a unix socket path has at most 107 bytes). */
const RUN = '/run/unboxed-swarm';
const BRIDGE = 'unboxed-swarm0';
const SUBNET = '10.211.0';
/** The port of each node's Engine API (mutual TLS). */
export const ENGINE_PORT = 2390;
const IMAGE_TAR = path.join(STATE, 'machine-image.tar');
const FORWARD_RULE = ['FORWARD', '-i', BRIDGE, '-o', BRIDGE, '-m', 'comment', '--comment', 'unboxed swarm test cluster', '-j', 'ACCEPT'];

export interface SwarmNode {
  /** n1, n2, n3: also the swarm node's hostname. */
  readonly name: string;
  /** Its address on the bridge; its Engine API is https://address:ENGINE_PORT. */
  readonly address: string;
  readonly netns: string;
  /** Machines it may hold at once (the node label unboxed.capacity). */
  readonly capacity: number;
}

const CAPACITY = 8;
export const NODES: readonly SwarmNode[] = [1, 2, 3].map((i) => ({ name: `n${i}`, address: `${SUBNET}.${10 + i}`, netns: `unboxed-swarm-n${i}`, capacity: CAPACITY }));
export const HOST_ADDRESS = `${SUBNET}.1`;

const tlsDir = path.join(STATE, 'tls');
/** What the app needs to reach node engines, by Docker's names (UNBOXED_SWARM_TLS_DIR): their CA, and the one client certificate. */
export const CLIENT_TLS_DIR = path.join(tlsDir, 'client');
export const CLIENT_TLS = nodeTlsIn(CLIENT_TLS_DIR);

const nodeDir = (node: SwarmNode) => path.join(STATE, node.name);
const runDir = (node: SwarmNode) => path.join(RUN, node.name);
const socketOf = (node: SwarmNode) => path.join(runDir(node), 'docker.sock');
const pidfileOf = (node: SwarmNode) => path.join(runDir(node), 'docker.pid');
const containerdSocketOf = (node: SwarmNode) => path.join(runDir(node), 'containerd.sock');
const containerdPidfileOf = (node: SwarmNode) => path.join(runDir(node), 'containerd.pid');

/** The node's docker CLI over its local socket: the harness acts as each node's operator. */
export async function nodeDocker(node: SwarmNode, args: readonly string[], options: { timeoutMs?: number } = {}): Promise<string> {
  const result = await runProcess('docker', ['-H', `unix://${socketOf(node)}`, ...args], { timeoutMs: options.timeoutMs ?? 120_000 });
  if (result.exitCode !== 0) throw new Error(`docker on ${node.name}: docker ${args.join(' ')} failed: ${(result.stderr || result.stdout).trim()}`);
  return result.stdout;
}

async function must(file: string, args: readonly string[], what: string): Promise<string> {
  const result = await runProcess(file, args, { timeoutMs: 300_000 });
  if (result.exitCode !== 0) throw new Error(`${what}: ${file} ${args.join(' ')} failed: ${(result.stderr || result.stdout).trim()}`);
  return result.stdout;
}

const exists = (file: string) => stat(file).then(() => true, () => false);

async function timed<T>(what: string, step: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await step();
  console.log(`  ${what}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
  return result;
}

/** Brings the cluster up with the machine image `image` on every node; what is already up is kept. */
export async function up(image: string): Promise<void> {
  const start = performance.now();
  console.log(`swarm cluster up (${NODES.length} nodes on ${BRIDGE}, ${SUBNET}.0/24)`);
  await mkdir(STATE, { recursive: true, mode: 0o700 });
  await timed('network namespaces and bridge', () => network());
  await timed('certificates (CA, a server certificate per node, one client)', () => certificates());
  await timed('disk plugin (the nodes share this host, so one serves them all)', () => diskPlugin());
  await timed('node daemons', () => Promise.all(NODES.map((node) => daemon(node))));
  await timed('swarm (n1 initialises, n2 and n3 join as managers)', () => swarm());
  await timed(`machine image ${image} on every node (save once, load in parallel)`, () => distribute(image));
  console.log(`swarm cluster up in ${((performance.now() - start) / 1000).toFixed(1)} s`);
}

async function network(): Promise<void> {
  if ((await runProcess('ip', ['link', 'show', BRIDGE])).exitCode !== 0) {
    await must('ip', ['link', 'add', BRIDGE, 'type', 'bridge'], 'making the bridge');
  }
  // br_netfilter sends bridged frames through the host's FORWARD chain, whose policy is
  // DROP (Docker's); a bridge's own nf_call_iptables cannot opt out while the host-wide
  // sysctl is on. One rule lets the nodes talk to each other, and only on this bridge.
  if ((await runProcess('iptables', ['-C', ...FORWARD_RULE])).exitCode !== 0) await must('iptables', ['-I', ...FORWARD_RULE.slice(0, 1), '1', ...FORWARD_RULE.slice(1)], 'letting the nodes talk');
  const addresses = await must('ip', ['-o', 'addr', 'show', 'dev', BRIDGE], 'reading the bridge address');
  if (!addresses.includes(`${HOST_ADDRESS}/24`)) await must('ip', ['addr', 'add', `${HOST_ADDRESS}/24`, 'dev', BRIDGE], 'addressing the bridge');
  await must('ip', ['link', 'set', BRIDGE, 'up'], 'bringing the bridge up');
  const namespaces = await must('ip', ['netns', 'list'], 'listing network namespaces');
  for (const node of NODES) {
    if (!new RegExp(`^${node.netns}( |$)`, 'm').test(namespaces)) await must('ip', ['netns', 'add', node.netns], `making ${node.netns}`);
    const veth = `uswarm-${node.name}`;
    if ((await runProcess('ip', ['link', 'show', veth])).exitCode !== 0) {
      await must('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', node.netns], `linking ${node.name}`);
      await must('ip', ['link', 'set', veth, 'master', BRIDGE, 'up'], `attaching ${node.name} to the bridge`);
      const inNode = (args: string[]) => must('nsenter', [`--net=/run/netns/${node.netns}`, 'ip', ...args], `configuring ${node.name}'s network`);
      await inNode(['addr', 'add', `${node.address}/24`, 'dev', 'eth0']);
      await inNode(['link', 'set', 'eth0', 'up']);
      await inNode(['link', 'set', 'lo', 'up']);
    }
    // Up again after `kill` unplugged it.
    await must('ip', ['link', 'set', veth, 'up'], `plugging ${node.name} in`);
  }
}

const DISK_PLUGIN_PID = path.join(RUN, 'disk-plugin.pid');
const DISK_POOL = path.join(STATE, 'disks');

/** The nodes' machine disks: `unboxed sandbox disk-plugin`, as each node host runs it. */
async function diskPlugin(): Promise<void> {
  if ((await pidOf(DISK_PLUGIN_PID, 'node')) !== undefined) return;
  await mkdir(RUN, { recursive: true, mode: 0o700 });
  await rm(PLUGIN_SOCKET, { force: true });
  const cli = path.resolve(import.meta.dirname, '../../bin/unboxed.ts');
  const child = detached(path.join(STATE, 'disk-plugin.log'), process.execPath, ['--import', 'tsx', cli, 'sandbox', 'disk-plugin', '--root', DISK_POOL]);
  await writeFile(DISK_PLUGIN_PID, String(child.pid));
  await awaitSocket(PLUGIN_SOCKET, child, 60_000, `the disk plugin (see ${STATE}/disk-plugin.log)`);
}

async function certificates(): Promise<void> {
  await mkdir(tlsDir, { recursive: true, mode: 0o700 });
  const file = (name: string) => path.join(tlsDir, name);
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  if (!(await exists(file('ca.pem')))) {
    await must('openssl', ['req', '-x509', ...newKey, '-keyout', file('ca-key.pem'), '-out', file('ca.pem'), '-days', '30', '-subj', '/CN=unboxed swarm test CA'], 'making the CA');
  }
  const issue = async (name: string, subject: string, extensions: string) => {
    if (await exists(file(`${name}-cert.pem`))) return;
    await writeFile(file(`${name}.ext`), extensions);
    await must('openssl', ['req', '-new', ...newKey, '-keyout', file(`${name}-key.pem`), '-out', file(`${name}.csr`), '-subj', `/CN=${subject}`], `a key for ${name}`);
    await must(
      'openssl',
      ['x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca-key.pem'), '-CAcreateserial', '-days', '30', '-extfile', file(`${name}.ext`), '-out', file(`${name}-cert.pem`)],
      `signing ${name}'s certificate`,
    );
    await rm(file(`${name}.csr`));
    await rm(file(`${name}.ext`));
  };
  for (const node of NODES) await issue(node.name, node.name, `subjectAltName=IP:${node.address}\nextendedKeyUsage=serverAuth\n`);
  await issue('client', 'unboxed app', 'extendedKeyUsage=clientAuth\n');
  await mkdir(CLIENT_TLS_DIR, { recursive: true, mode: 0o700 });
  await copyFile(file('ca.pem'), CLIENT_TLS.ca);
  await copyFile(file('client-cert.pem'), CLIENT_TLS.cert);
  await copyFile(file('client-key.pem'), CLIENT_TLS.key);
}

const DaemonConfig = z.strictObject({ 'data-root': z.string() }).loose();

async function daemon(node: SwarmNode): Promise<void> {
  if (await daemonAlive(node)) return;
  await mkdir(nodeDir(node), { recursive: true, mode: 0o700 });
  await mkdir(runDir(node), { recursive: true, mode: 0o700 });
  const seccomp = await writeMachineProfile(nodeDir(node));
  const config = DaemonConfig.parse({
    hosts: [`unix://${socketOf(node)}`, `tcp://${node.address}:${ENGINE_PORT}`],
    tls: true,
    tlsverify: true,
    tlscacert: path.join(tlsDir, 'ca.pem'),
    tlscert: path.join(tlsDir, `${node.name}-cert.pem`),
    tlskey: path.join(tlsDir, `${node.name}-key.pem`),
    'data-root': path.join(nodeDir(node), 'data'),
    'exec-root': path.join(runDir(node), 'exec'),
    pidfile: pidfileOf(node),
    // A node's containers under a cgroup of its own, apart from the host engine's /docker.
    'cgroup-parent': `/unboxed-swarm-${node.name}`,
    'default-cgroupns-mode': 'private',
    'seccomp-profile': seccomp,
    'live-restore': false,
    'storage-driver': 'overlay2',
    // No default bridge: a service cannot ask for network none (swarm knows no such
    // network), and a task given no network joins the default one, which is then none:
    // a learner machine has loopback only.
    bridge: 'none',
    // Its own containerd: left unset, dockerd would take the host's at /run/containerd
    // and share its "moby" namespace with the host engine.
    containerd: containerdSocketOf(node),
    'containerd-namespace': `unboxed-swarm-${node.name}`,
    'containerd-plugins-namespace': `unboxed-swarm-${node.name}-plugins`,
  });
  const configFile = path.join(nodeDir(node), 'daemon.json');
  await writeFile(configFile, JSON.stringify(config, null, 2));
  await startContainerd(node);
  // nsenter --net, not `ip netns exec`: the latter remounts /sys, which fails here. A UTS
  // namespace of its own gives the node its hostname, which swarm names it by.
  const child = detached(path.join(nodeDir(node), 'dockerd.log'), 'nsenter', [`--net=/run/netns/${node.netns}`, 'unshare', '--uts', 'sh', '-c', 'hostname "$0" && exec dockerd --config-file "$1"', node.name, configFile]);
  const deadline = Date.now() + 60_000;
  while ((await runProcess('docker', ['-H', `unix://${socketOf(node)}`, 'version', '--format', '{{.Server.Version}}'])).exitCode !== 0) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const tail = (await readFile(path.join(nodeDir(node), 'dockerd.log'), 'utf8')).slice(-1500);
      throw new Error(`${node.name}'s dockerd did not come up (see ${nodeDir(node)}/dockerd.log):\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts a program in the background, its output appended to `logFile`. */
function detached(logFile: string, file: string, args: readonly string[]) {
  const log = openSync(logFile, 'a');
  const child = spawn(file, args, { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  closeSync(log);
  return child;
}

/** Waits for the socket a program started with `detached` listens on; `what` names it, and its log, in the error. */
async function awaitSocket(socket: string, child: ChildProcess, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await exists(socket))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${what} did not come up`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startContainerd(node: SwarmNode): Promise<void> {
  if ((await pidOf(containerdPidfileOf(node), 'containerd')) !== undefined) return;
  const config = path.join(nodeDir(node), 'containerd.toml');
  await writeFile(
    config,
    [
      'version = 2',
      `root = "${path.join(nodeDir(node), 'containerd')}"`,
      `state = "${path.join(runDir(node), 'containerd')}"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${containerdSocketOf(node)}"`,
      '[plugins."io.containerd.internal.v1.opt"]',
      `  path = "${path.join(nodeDir(node), 'containerd-opt')}"`,
      '',
    ].join('\n'),
  );
  // A killed node's containerd left its socket behind: waiting for it must wait for the new one.
  await rm(containerdSocketOf(node), { force: true });
  const child = detached(path.join(nodeDir(node), 'containerd.log'), 'nsenter', [`--net=/run/netns/${node.netns}`, 'containerd', '--config', config]);
  await writeFile(containerdPidfileOf(node), String(child.pid));
  await awaitSocket(containerdSocketOf(node), child, 30_000, `${node.name}'s containerd (see ${nodeDir(node)}/containerd.log)`);
}

/** The pid in `pidfile` if that process runs `comm`. */
async function pidOf(pidfile: string, comm: string): Promise<number | undefined> {
  const pid = Number((await readFile(pidfile, 'utf8').catch(() => '')).trim());
  if (!pid) return undefined;
  return (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim() === comm ? pid : undefined;
}

async function daemonPid(node: SwarmNode): Promise<number | undefined> {
  return pidOf(pidfileOf(node), 'dockerd');
}

async function daemonAlive(node: SwarmNode): Promise<boolean> {
  return (await daemonPid(node)) !== undefined && (await runProcess('docker', ['-H', `unix://${socketOf(node)}`, 'version'])).exitCode === 0;
}

const swarmState = async (node: SwarmNode) => (await nodeDocker(node, ['info', '--format', '{{.Swarm.LocalNodeState}}'])).trim();

async function swarm(): Promise<void> {
  const [first, ...others] = NODES as [SwarmNode, ...SwarmNode[]];
  if ((await swarmState(first)) !== 'active') {
    await nodeDocker(first, ['swarm', 'init', '--advertise-addr', first.address, '--listen-addr', `${first.address}:2377`]);
  }
  const token = (await onManagers(['swarm', 'join-token', '-q', 'manager'])).trim();
  // One at a time: raft adds one manager per configuration change.
  for (const node of others) {
    const state = await swarmState(node);
    if (state === 'inactive') {
      await nodeDocker(node, ['swarm', 'join', '--token', token, '--advertise-addr', node.address, '--listen-addr', `${node.address}:2377`, `${first.address}:2377`]);
    }
    // A join that timed out goes on in the background ('pending').
    const deadline = Date.now() + 60_000;
    while ((await swarmState(node)) !== 'active') {
      if (Date.now() > deadline) throw new Error(`${node.name} did not join the swarm in 60 s (see ${nodeDir(node)}/dockerd.log)`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  // The nodes share this host's disk, and a test machine writes little of its sparse disk
  // (its root's changes over the image, its dockerd's storage): each node's budget is half
  // of what is free, not a third of that, which left a CI host with 53 GB free no room for
  // one default 10 GiB disk.
  const disk = await statfs(STATE);
  const diskMiB = Math.floor((disk.bavail * disk.bsize) / 2 ** 20 / 2);
  for (const node of NODES) {
    const labels = { 'unboxed.capacity': node.capacity, 'unboxed.engine': `${node.address}:${ENGINE_PORT}`, 'unboxed.disk-mib': diskMiB };
    await onManagers(['node', 'update', ...Object.entries(labels).flatMap(([k, v]) => ['--label-add', `${k}=${v}`]), node.name]);
  }
}

/**
 * A manager command through the first node that takes it. A node back after a kill or an
 * unplug may find the swarm still electing a leader, or have lost the lead itself: its
 * managers answer "no leader" or "lost leader status" for some seconds (seen in CI), and
 * the call goes to the next node, then round again, for up to 90 s.
 */
async function onManagers(args: readonly string[]): Promise<string> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    for (const node of NODES) {
      try {
        return await nodeDocker(node, args);
      } catch (error) {
        if (!/leader|deadline exceeded|not a swarm manager|Cannot connect/i.test(String(error)) || Date.now() > deadline) throw error;
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function distribute(image: string): Promise<void> {
  const missing: SwarmNode[] = [];
  for (const node of NODES) {
    if ((await runProcess('docker', ['-H', `unix://${socketOf(node)}`, 'image', 'inspect', image])).exitCode !== 0) missing.push(node);
  }
  if (missing.length === 0) return;
  // The host engine's image, as an operator would pull it from a registry: none runs here.
  await timed('  docker save', () => must('docker', ['save', '-o', IMAGE_TAR, image], 'saving the machine image'));
  await timed(`  docker load on ${missing.map((n) => n.name).join(', ')}`, () => Promise.all(missing.map((node) => nodeDocker(node, ['load', '-q', '-i', IMAGE_TAR], { timeoutMs: 600_000 }))));
  await rm(IMAGE_TAR);
}

/** Removes every service, the daemons, their files, namespaces and the bridge. */
export async function down(): Promise<void> {
  const start = performance.now();
  console.log('swarm cluster down');
  await timed('node daemons', () => Promise.all(NODES.map((node) => stopDaemon(node))));
  await timed('disk plugin and machine disks', async () => {
    await stopProcess(await pidOf(DISK_PLUGIN_PID, 'node'));
    if (await exists(DISK_POOL)) {
      const pool = new DiskPool(DISK_POOL);
      await pool.sweep(() => true, 0);
      await pool.detach();
    }
  });
  await timed('mounts, namespaces, bridge and files', async () => {
    for (const node of NODES) {
      await unmountUnder(nodeDir(node));
      await unmountUnder(runDir(node));
      await runProcess('ip', ['link', 'del', `uswarm-${node.name}`]);
      await runProcess('ip', ['netns', 'del', node.netns]);
      await rmCgroups(`unboxed-swarm-${node.name}`);
    }
    await runProcess('ip', ['link', 'del', BRIDGE]);
    while ((await runProcess('iptables', ['-D', ...FORWARD_RULE])).exitCode === 0);
    await rm(STATE, { recursive: true, force: true });
    await rm(RUN, { recursive: true, force: true });
  });
  console.log(`swarm cluster down in ${((performance.now() - start) / 1000).toFixed(1)} s`);
}

async function stopDaemon(node: SwarmNode): Promise<void> {
  // Without live-restore, dockerd stops its containers on SIGTERM; then its containerd.
  await stopProcess(await daemonPid(node));
  await stopProcess(await pidOf(containerdPidfileOf(node), 'containerd'));
  for (const shim of await shimsOf(node)) process.kill(shim, 'SIGKILL');
  await killCgroup(`unboxed-swarm-${node.name}`);
}

async function stopProcess(pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 60_000;
  while (await exists(`/proc/${pid}`)) {
    if (Date.now() > deadline) process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The node's containerd shims (each runs with its containerd's address). */
async function shimsOf(node: SwarmNode): Promise<number[]> {
  const found = await runProcess('pgrep', ['-f', `^/usr/bin/containerd-shim-runc-v2 .*-address ${containerdSocketOf(node)}`]);
  return found.stdout.split('\n').filter(Boolean).map(Number);
}

/** Kills a node's dockerd, containerd and every process of its containers at once, and unplugs it: a node that dies. */
export async function kill(node: SwarmNode): Promise<void> {
  const pids = [await daemonPid(node), await pidOf(containerdPidfileOf(node), 'containerd'), ...(await shimsOf(node))];
  for (const pid of pids) if (pid !== undefined) process.kill(pid, 'SIGKILL');
  // The containers' own processes go with their cgroups.
  await killCgroup(`unboxed-swarm-${node.name}`);
  await unplug(node);
}

/** Cuts a node's link, its processes left running: a node that vanishes silently (power or network lost), closing no connection. `up` plugs it in again. */
export async function unplug(node: SwarmNode): Promise<void> {
  await must('ip', ['link', 'set', `uswarm-${node.name}`, 'down'], `unplugging ${node.name}`);
}

async function cgroupDirs(name: string): Promise<string[]> {
  const controllers = (await runProcess('ls', ['/sys/fs/cgroup'])).stdout.split('\n').filter(Boolean);
  const dirs = [];
  for (const controller of controllers) {
    const dir = path.join('/sys/fs/cgroup', controller, name);
    if (await exists(dir)) dirs.push(dir);
  }
  return dirs;
}

async function killCgroup(name: string): Promise<void> {
  for (const dir of await cgroupDirs(name)) {
    const pids = (await runProcess('find', [dir, '-name', 'cgroup.procs', '-exec', 'cat', '{}', '+'])).stdout.split('\n').filter(Boolean);
    for (const p of pids) {
      try {
        process.kill(Number(p), 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }
}

async function rmCgroups(name: string): Promise<void> {
  for (const dir of await cgroupDirs(name)) {
    // Deepest first: a cgroup is removed with rmdir once its children are.
    await runProcess('sh', ['-c', 'find "$0" -depth -type d -exec rmdir {} + 2>/dev/null || true', dir]);
  }
}

async function unmountUnder(dir: string): Promise<void> {
  const mounts = (await readFile('/proc/self/mountinfo', 'utf8'))
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((m): m is string => !!m && (m === dir || m.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const mount of mounts) await runProcess('umount', ['-l', mount]);
}

export async function status(): Promise<void> {
  for (const node of NODES) {
    const alive = await daemonAlive(node);
    console.log(`${node.name} ${node.address}: dockerd ${alive ? 'up' : 'down'}${alive ? `, swarm ${await swarmState(node)}` : ''}`);
  }
  const manager = NODES.find(() => true)!;
  if (await daemonAlive(manager)) console.log(await nodeDocker(manager, ['node', 'ls', '--format', '{{.Hostname}} {{.Status}} {{.Availability}} {{.ManagerStatus}}']));
}

/** The machine image's tag by this checkout's recipe: the image every node is given. */
export const imageTag = async () => (await must('bash', [path.resolve(import.meta.dirname, '../../sandbox/image/build.sh'), '--print-tag'], 'reading the machine image tag')).trim();

if (import.meta.url === `file://${process.argv[1]}`) {
  const command = z.enum(['up', 'down', 'status']).parse(process.argv[2], { error: () => 'usage: npx tsx tests/swarm/cluster.ts up|down|status' });
  await (command === 'up' ? up(await imageTag()) : command === 'down' ? down() : status());
}
