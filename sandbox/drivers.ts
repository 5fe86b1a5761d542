import type { SandboxConfig } from './config.ts';
import { DockerDriver } from './docker/driver.ts';
import type { SandboxDriver } from './driver.ts';
import { QemuDriver } from './qemu/driver.ts';
import { SwarmDriver } from './swarm/driver.ts';
import { nodeTlsIn } from './swarm/nodes.ts';

type Log = (event: string, fields: Record<string, unknown>) => void;

/**
 * Every backend, fastest first: `auto` takes the first whose probe passes and whose
 * boundary the trust mode accepts. A new driver is one entry here (its key is then a
 * valid UNBOXED_SANDBOX_DRIVER).
 */
export const drivers = {
  docker: (cacheDir: string, config: SandboxConfig, log: Log): SandboxDriver => new DockerDriver({ cacheDir, log, scope: config.scope }),
  qemu: (cacheDir: string, config: SandboxConfig, log: Log): SandboxDriver => new QemuDriver({ stateDir: cacheDir, accel: config.qemuAccel, log }),
  // Last: only where UNBOXED_SWARM_MANAGER is set does its probe pass.
  swarm: (_cacheDir: string, config: SandboxConfig): SandboxDriver => new SwarmDriver({ managers: config.swarm?.managers ?? [], tls: config.swarm && nodeTlsIn(config.swarm.tlsDir), scope: config.scope }),
} as const;

export type DriverName = keyof typeof drivers;
