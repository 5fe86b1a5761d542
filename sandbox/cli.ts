import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { anonymousAccess, type SandboxConfig } from './config.ts';
import { SandboxError } from './driver.ts';
import { createMachineManager, type MachineManager } from './index.ts';
import { SwarmDriver } from './swarm/driver.ts';
import { DISK_PLUGIN_ROOT, PLUGIN_SOCKET, serveDiskPlugin } from './swarm/disk-plugin.ts';
import { nodeTlsIn } from './swarm/nodes.ts';

const usage = `usage: unboxed sandbox <command>

  ls                          list learner machines (driver, learner, state, expiry, limits)
  create [--learner ID]       start a machine (given to ID when set)
  exec MACHINE -- CMD...      run a command in a machine as root
  rm MACHINE... | --all       remove machines and everything they own
  gc                          remove machines past their lifetime, idle or stopped
  image build [--force]       build the learner machine image (cached by recipe)
  image build --vm [--force]  build it for the qemu driver too (disk, kernel, initramfs)
  nodes                       swarm driver: learner nodes with their state, capacity and load
  nodes add NODE --engine HOST:PORT --capacity N [--disk-mib N]
                              make a node that joined the swarm a learner node
  nodes drain NODE            no new machines there; its machines run to their end
  nodes activate NODE         open a node again
  disk-plugin [--root DIR]    on a swarm node, as root: serve its machines' disks (a volume
                              plugin its engine finds at ${PLUGIN_SOCKET})`;

const root = path.resolve(import.meta.dirname, '..');

/** `unboxed sandbox …`, the operator's view of learner machines; returns the exit code. */
/** `listenHost`: the address the server listens on (HOST), which decides who may have a machine. */
export async function runSandboxCli(argv: readonly string[], config: SandboxConfig, dataDir: string, listenHost: string): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'image') return imageCommand(rest);
  if (command === 'nodes') return nodesCommand(rest, config);
  if (command === 'disk-plugin') return diskPluginCommand(rest).catch(usageError);
  if (!command || !['ls', 'create', 'exec', 'rm', 'gc'].includes(command)) {
    console.error(command ? `unknown sandbox command '${command}'\n\n${usage}` : usage);
    return 2;
  }
  // Not started: an operator's command serves what it asks for, never fills the pool or collects.
  const machines = await createMachineManager(config, dataDir, { log: () => undefined });
  try {
    return await machineCommand(machines, config, listenHost, command, rest);
  } catch (error) {
    return usageError(error);
  }
}

/** parseArgs names the unknown option or missing value; the operator gets it with the usage. */
function usageError(error: unknown): number {
  if (!String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) throw error;
  console.error(`${(error as Error).message}\n\n${usage}`);
  return 2;
}

async function machineCommand(machines: MachineManager, config: SandboxConfig, listenHost: string, command: string, rest: readonly string[]): Promise<number> {
  switch (command) {
    case 'ls':
      return list(machines, config, listenHost);
    case 'create': {
      const { values } = parseArgs({ args: [...rest], options: { learner: { type: 'string' } } });
      const machine = values.learner ? await machines.acquire(values.learner) : await machines.create();
      console.log(machine.id);
      return 0;
    }
    case 'exec': {
      const split = rest.indexOf('--');
      const [id] = rest.slice(0, split === -1 ? 1 : split);
      const argvInside = split === -1 ? rest.slice(1) : rest.slice(split + 1);
      if (!id || argvInside.length === 0) {
        console.error('usage: unboxed sandbox exec MACHINE -- CMD...');
        return 2;
      }
      const result = await machines.execById(id, argvInside, { timeoutMs: 10 * 60_000 });
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
      return result.exitCode;
    }
    case 'rm': {
      const { values, positionals } = parseArgs({ args: [...rest], options: { all: { type: 'boolean' } }, allowPositionals: true });
      const ids = values.all ? (await machines.list()).map((m) => m.id) : positionals;
      if (ids.length === 0 && !values.all) {
        console.error('usage: unboxed sandbox rm MACHINE... | --all');
        return 2;
      }
      for (const id of ids) {
        await machines.destroy(id);
        console.log(`removed ${id}`);
      }
      return 0;
    }
    case 'gc':
      for (const id of await machines.gc()) console.log(`removed ${id}`);
      return 0;
  }
  return 2;
}

async function list(machines: MachineManager, config: SandboxConfig, listenHost: string): Promise<number> {
  const all = await machines.list();
  const active = all.filter((m) => m.state !== 'stopped').length;
  console.log(`trust mode: ${config.trust}; driver: ${machines.driverName} (${machines.boundary === 'vm' ? 'a VM per learner' : 'containers on the host kernel: trusted learners only'})`);
  console.log(`machines for: ${anonymousAccess(config.anonymousMachines, listenHost, machines.boundary).why}`);
  console.log(`machines: ${all.length} (${active} running or starting, capacity ${machines.capacity})\n`);
  const rows = all.map((m) => [
    m.id,
    m.driver,
    m.learner ?? '(pool)',
    m.state,
    m.createdAt.toISOString().slice(0, 19),
    m.expiresAt.toISOString().slice(0, 19),
    `${m.limits.memoryMiB}MiB ${m.limits.cpus}cpu ${m.limits.pids}pids ${m.limits.diskMiB}MiB-disk`,
  ]);
  const table = [['MACHINE', 'DRIVER', 'LEARNER', 'STATE', 'CREATED', 'EXPIRES', 'LIMITS'], ...rows];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  for (const row of table) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
  return 0;
}

function imageCommand(args: readonly string[]): Promise<number> {
  const flags = args.slice(1);
  if (args[0] !== 'build' || flags.some((f) => f !== '--vm' && f !== '--force')) {
    console.error('usage: unboxed sandbox image build [--vm] [--force]');
    return Promise.resolve(2);
  }
  const script = flags.includes('--vm') ? 'build-vm.sh' : 'build.sh';
  return new Promise((resolve) => {
    const child = spawn('bash', [path.join(root, 'sandbox/image', script), ...flags.filter((f) => f === '--force')], { stdio: 'inherit' });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

async function nodesCommand(args: readonly string[], config: SandboxConfig): Promise<number> {
  if (!config.swarm) {
    console.error('nodes: the swarm driver has no manager; set UNBOXED_SWARM_MANAGER=host:port and UNBOXED_SWARM_TLS_DIR');
    return 2;
  }
  const driver = new SwarmDriver({ managers: config.swarm.managers, tls: nodeTlsIn(config.swarm.tlsDir), scope: config.scope });
  const [action = 'ls', node, ...rest] = args;
  if (!['ls', 'add', 'drain', 'activate'].includes(action)) {
    console.error(`unknown nodes command '${action}'\n\n${usage}`);
    return 2;
  }
  if (action !== 'ls' && !node) {
    console.error(`usage: unboxed sandbox nodes ${action} NODE`);
    return 2;
  }
  try {
    await changeNode(driver, action, node, rest);
  } catch (error) {
    if (!(error instanceof SandboxError)) throw error;
    console.error(error.message);
    return 1;
  }
  const rows = (await driver.nodes({ wake: true })).map((n) => [n.hostname, n.state, n.availability === 'pause' ? 'drained' : n.availability, n.disks ? 'yes' : 'no', n.open ? 'yes' : 'no', `${n.machines}/${n.capacity}`, n.disk ? `${n.disk.usedMiB}/${n.disk.budgetMiB}` : 'unbudgeted']);
  const table = [['NODE', 'STATE', 'AVAILABILITY', 'DISKS', 'OPEN', 'MACHINES', 'DISK MiB'], ...rows];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  for (const row of table) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
  return 0;
}

async function changeNode(driver: SwarmDriver, action: string, node: string | undefined, rest: readonly string[]): Promise<void> {
  if (action === 'add') {
    const { values } = parseArgs({ args: rest, options: { engine: { type: 'string' }, capacity: { type: 'string' }, 'disk-mib': { type: 'string' } } });
    const labels = { 'unboxed.engine': values.engine ?? '', 'unboxed.capacity': values.capacity ?? '', ...(values['disk-mib'] ? { 'unboxed.disk-mib': values['disk-mib'] } : {}) };
    await driver.updateNode(node!, { labels });
  } else if (action === 'drain' || action === 'activate') {
    await driver.updateNode(node!, { availability: action === 'drain' ? 'pause' : 'active' });
  }
}

/** Serves until SIGTERM or SIGINT, logging a JSON line per event. */
async function diskPluginCommand(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { root: { type: 'string', default: DISK_PLUGIN_ROOT }, socket: { type: 'string', default: PLUGIN_SOCKET } } });
  const server = await serveDiskPlugin({
    root: values.root,
    socket: values.socket,
    log: (event, fields) => console.log(JSON.stringify({ time: new Date().toISOString(), event, ...fields })),
  });
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        server.close(() => resolve());
        // An engine keeps its connection open between calls.
        server.closeAllConnections();
      });
    }
  });
  return 0;
}
