import path from 'node:path';
import { sandboxConfig } from './config.ts';
import { DockerDriver } from './docker/driver.ts';
import { DriverUnavailableError, type SandboxDriver } from './driver.ts';
import { MachineManager } from './manager.ts';

export { MachineManager } from './manager.ts';
export type { MachineInfo, MachineLimits, ExecResult, ShellCommand } from './driver.ts';
export { SandboxError, MachineNotFoundError, DriverUnavailableError } from './driver.ts';

/** Every backend, fastest first: `auto` takes the first whose probe passes. */
const drivers: Record<string, (cacheDir: string) => SandboxDriver> = {
  docker: (cacheDir) => new DockerDriver({ cacheDir }),
};

/** The driver the environment asks for, probed; `auto` explains why each one was skipped. */
export async function chooseDriver(env: Readonly<Record<string, string | undefined>>, cacheDir: string): Promise<SandboxDriver> {
  const { driver } = sandboxConfig(env);
  const candidates = driver === 'auto' ? Object.keys(drivers) : [driver];
  const reasons: string[] = [];
  for (const name of candidates) {
    const candidate = drivers[name]!(cacheDir);
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
  log: (event: string, fields: Record<string, unknown>) => void,
): Promise<MachineManager> {
  const config = sandboxConfig(env);
  const driver = await chooseDriver(env, path.join(dataDir, 'sandbox'));
  return new MachineManager(driver, { limits: config.limits, poolSize: config.poolSize, log });
}
