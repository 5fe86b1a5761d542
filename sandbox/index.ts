import path from 'node:path';
import { sandboxConfig, type SandboxConfig } from './config.ts';
import { DockerDriver } from './docker/driver.ts';
import { DriverUnavailableError, type SandboxDriver } from './driver.ts';
import { MachineManager } from './manager.ts';
import { QemuDriver } from './qemu/driver.ts';

export { MachineManager } from './manager.ts';
export type { MachineInfo, MachineLimits, ExecResult, ShellCommand } from './driver.ts';
export { SandboxError, MachineNotFoundError, DriverUnavailableError } from './driver.ts';

type Log = (event: string, fields: Record<string, unknown>) => void;

/** Every backend, fastest first: `auto` takes the first whose probe passes and whose boundary the trust mode accepts. */
const drivers: Record<'docker' | 'qemu', (cacheDir: string, config: SandboxConfig, log: Log) => SandboxDriver> = {
  docker: (cacheDir) => new DockerDriver({ cacheDir }),
  qemu: (cacheDir, config, log) => new QemuDriver({ stateDir: cacheDir, accel: config.qemuAccel, log }),
};

/** The driver the environment asks for, probed; `auto` explains why each one was skipped. */
export async function chooseDriver(env: Readonly<Record<string, string | undefined>>, cacheDir: string, log: Log = () => undefined): Promise<SandboxDriver> {
  const config = sandboxConfig(env);
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

/** The manager the server and the CLI use, configured from the environment. */
export async function createMachineManager(
  env: Readonly<Record<string, string | undefined>>,
  dataDir: string,
  log: Log,
): Promise<MachineManager> {
  const config = sandboxConfig(env);
  const driver = await chooseDriver(env, path.join(dataDir, 'sandbox'), log);
  return new MachineManager(driver, { limits: config.limits, poolSize: config.poolSize, log });
}
