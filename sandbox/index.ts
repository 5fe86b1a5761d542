import { mkdir, statfs } from 'node:fs/promises';
import { totalmem } from 'node:os';
import path from 'node:path';
import type { SandboxConfig } from './config.ts';
import { drivers, type DriverName } from './drivers.ts';
import { DriverUnavailableError, type MachineLimits, type SandboxDriver } from './driver.ts';
import { MachineManager, type FleetState } from './manager.ts';

export { MachineManager, NoMachineError, type FleetState, type Progress } from './manager.ts';
export type { MachineInfo, MachineLimits, MachineState, ExecResult, MachineShell, ShellSize } from './driver.ts';
export { SandboxError, MachineNotFoundError, DriverUnavailableError } from './driver.ts';
export { anonymousAccess, sandboxConfig, type AnonymousAccess, type SandboxConfig } from './config.ts';

/** The drivers this build knows, for choosing one by name (UNBOXED_SANDBOX_DRIVER, --driver). */
export const DRIVER_NAMES = Object.keys(drivers) as DriverName[];

type Log = (event: string, fields: Record<string, unknown>) => void;

/** The driver the environment asks for, probed; `auto` explains why each one was skipped. */
export async function chooseDriver(config: SandboxConfig, cacheDir: string, log: Log = () => undefined): Promise<SandboxDriver> {
  if (config.trust === 'public' && config.driver !== 'auto' && drivers[config.driver](cacheDir, config, log).boundary !== 'vm') {
    throw new DriverUnavailableError(
      `UNBOXED_TRUST=public refuses the ${config.driver} driver: its machines share the host's kernel, and a learner's root there (CAP_SYS_ADMIN without a user namespace) can still reach host settings such as core_pattern. ` +
        'Fix: set UNBOXED_SANDBOX_DRIVER=qemu (a VM per learner), or UNBOXED_TRUST=trusted for a classroom, a laptop or CI.',
    );
  }
  const names = config.driver === 'auto' ? (Object.keys(drivers) as Array<keyof typeof drivers>) : [config.driver];
  const reasons: string[] = [];
  for (const name of names) {
    const candidate = drivers[name](cacheDir, config, log);
    if (config.trust === 'public' && candidate.boundary !== 'vm') {
      reasons.push(`${name}: not a security boundary, and UNBOXED_TRUST=public`);
      continue;
    }
    try {
      await candidate.probe();
      return candidate;
    } catch (error) {
      if (!(error instanceof DriverUnavailableError)) throw error;
      reasons.push(`${name}: ${error.message}`);
    }
  }
  throw new DriverUnavailableError(`no learner machine driver works on this host:\n  ${reasons.join('\n  ')}`);
}

/** Host memory kept for the host itself (engine, app server, page cache). */
const HOST_RESERVE_MIB = 2048;
/** What an idle machine costs, with headroom: measured 89 MiB for a docker-driver machine (page cache included). */
const IDLE_MACHINE_MIB: Record<string, (limits: MachineLimits) => number> = { docker: () => 128, qemu: (limits) => limits.memoryMiB };
/** Disk a machine's own changes take, typically (its disk is a clone sharing the prepared one). */
const MACHINE_DISK_MIB = 512;

/** How many machines this host runs at once when the operator does not say: what its memory and free disk hold. */
export async function hostCapacity(driver: string, limits: MachineLimits, dataDir: string): Promise<number> {
  const memory = Math.floor((totalmem() / 2 ** 20 - HOST_RESERVE_MIB) / IDLE_MACHINE_MIB[driver]!(limits));
  await mkdir(dataDir, { recursive: true });
  const disk = await statfs(dataDir).then((s) => Math.floor((s.bavail * s.bsize) / 2 ** 20 / MACHINE_DISK_MIB));
  return Math.max(1, Math.min(memory, disk));
}

export interface ManagerDeps {
  readonly log: Log;
  /** Learners expected soon (announced class sessions). */
  readonly expectedLearners?: () => Promise<number>;
  /** Shared with the installation's other app servers (the app's database). */
  readonly fleet?: FleetState;
}

/** The manager the server and the CLI use, from validated settings. */
export async function createMachineManager(config: SandboxConfig, dataDir: string, deps: ManagerDeps): Promise<MachineManager> {
  const driver = await chooseDriver(config, path.join(dataDir, 'sandbox'), deps.log);
  // A cluster's capacity follows its nodes; an operator's number, or one host's, holds.
  const measureCapacity = config.capacity === undefined && driver.capacity ? driver.capacity.bind(driver) : undefined;
  const capacity = config.capacity ?? (await measureCapacity?.()) ?? (await hostCapacity(driver.name, config.limits, dataDir));
  return new MachineManager(driver, { ...config, capacity, measureCapacity, ...deps });
}
