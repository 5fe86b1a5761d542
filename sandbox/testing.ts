import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import type { ExecResult, MachineLimits, SandboxDriver } from './driver.ts';

export interface HostService {
  readonly port: number;
  close(): void;
}

/** For tests: a service on this host, on every address, answering `host-service`; machines must not reach it. */
export async function startHostService(): Promise<HostService> {
  const server = createServer((socket) => socket.end('host-service\n'));
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

export interface SuiteMachines {
  /** The machines, started before the suite's first test (a test may replace one). */
  readonly ids: string[];
  /** The port of a host service the machines must not reach. */
  readonly port: number;
  sh(id: string, script: string, timeoutMs?: number): Promise<ExecResult>;
}

/** For a describe block: `count` machines of `driver` and a host service, there for its tests and removed after them. */
export function machinesForSuite(driver: SandboxDriver, count: number, limits: MachineLimits): SuiteMachines {
  let service: HostService | undefined;
  const machines = {
    ids: [] as string[],
    get port() {
      if (!service) throw new Error('machinesForSuite: the host service starts in beforeAll; read the port inside a test');
      return service.port;
    },
    sh: (id: string, script: string, timeoutMs = 60_000) => driver.exec(id, ['bash', '-c', script], { timeoutMs }),
  };
  beforeAll(async () => {
    service = await startHostService();
    for (let i = 0; i < count; i++) machines.ids.push((await driver.create(limits)).id);
  });
  afterAll(async () => {
    service?.close();
    for (const id of machines.ids) await driver.destroy(id);
  });
  return machines;
}

/** A machine's memory and pid limit files, cgroup v1 and v2. */
const LIMIT_FILES = ['pids.max', 'memory.max', 'memory.limit_in_bytes', 'memory.memsw.limit_in_bytes'];

/**
 * For tests, run on an engine's host: prints the limit files of container `id`'s own
 * cgroup (cgroupfs driver `…/<id>`, systemd driver `…/docker-<id>.scope`) as
 * `name:inode:value` lines: the files the engine enforces.
 */
export function engineLimitsScript(containerId: string): string {
  return [
    `for d in $(find /sys/fs/cgroup -maxdepth 4 -type d \\( -name ${containerId} -o -name docker-${containerId}.scope \\)); do`,
    `  for f in ${LIMIT_FILES.join(' ')}; do if [ -e "$d/$f" ]; then echo "$f:$(stat -c %i "$d/$f"):$(cat "$d/$f")"; fi; done`,
    'done',
  ].join('\n');
}

/**
 * For tests, run inside a machine: exits 0 if any cgroup file the machine sees is one of
 * `engineFiles` (`name:inode`, as engineLimitsScript printed them) and writable, which
 * it shows by writing the current value back; otherwise 1.
 */
export function liftLimitsProbe(engineFiles: readonly string[]): string {
  return [
    `for f in $(find /sys/fs/cgroup \\( ${LIMIT_FILES.map((name) => `-name ${name}`).join(' -o ')} \\) 2>/dev/null); do`,
    `  case " ${engineFiles.join(' ')} " in *" $(basename "$f"):$(stat -c %i "$f") "*) v=$(cat "$f") && echo "$v" >"$f" && echo "writable: $f" >&2 && exit 0 ;; esac`,
    'done',
    'exit 1',
  ].join('\n');
}
