import { z } from 'zod';
import { MachineLimits, SandboxError } from './driver.ts';
import { drivers, type DriverName } from './drivers.ts';
import { DEFAULT_DISK_RESERVE_MIB } from './manager.ts';

/** Sandbox settings from the environment, validated once; every one has a default. */
export const SandboxEnv = z.object({
  UNBOXED_TRUST: z
    .enum(['trusted', 'public'])
    .default('trusted')
    .describe('trusted: a classroom, a laptop, CI (any driver); public: anonymous or untrusted learners (only drivers that are a security boundary, i.e. VMs)'),
  UNBOXED_SANDBOX_DRIVER: z.enum(['auto', ...(Object.keys(drivers) as DriverName[])] as ['auto', ...DriverName[]]).default('auto').describe('Learner machine backend; auto picks the fastest that works here'),
  UNBOXED_QEMU_ACCEL: z.enum(['auto', 'kvm', 'tcg']).default('auto').describe('qemu driver: hardware KVM, TCG emulation, or auto (KVM when a test boot works)'),
  UNBOXED_POOL_SIZE: z.coerce.number().int().min(0).max(100).default(1).describe('Machines kept started and unclaimed, so a learner never waits for a cold start'),
  UNBOXED_SANDBOX_SCOPE: z
    .string()
    .regex(/^[a-z0-9]{1,16}$/, 'must be 1–16 lowercase letters or digits')
    .optional()
    .describe('Keeps these machines apart from any other installation (or test run) on the same engine'),
  UNBOXED_CAPACITY: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .optional()
    .describe("Machines that may run at once on this host; unset: derived from the host's memory and free disk"),
  UNBOXED_DISK_RESERVE_MIB: z.coerce
    .number()
    .int()
    .min(0)
    .default(DEFAULT_DISK_RESERVE_MIB)
    .describe("Free disk kept for the host: below it, the stopped machines unused longest are removed (learners' running machines never)"),
  UNBOXED_ANONYMOUS_MACHINES: z
    .enum(['auto', 'allow', 'sign-in'])
    .default('auto')
    .describe(
      "Who gets a machine without signing in. auto: anyone while the server listens on loopback only or the driver is a VM, otherwise signed-in learners only; allow: anyone (you accept that container machines share the host's kernel); sign-in: signed-in learners only",
    ),
  UNBOXED_START_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4).describe('Machines started at the same time'),
  UNBOXED_ANONYMOUS_STARTS_PER_ADDRESS: z.coerce.number().int().min(1).max(10_000).default(10).describe('Machines anonymous visitors from one address may start in 10 minutes'),
  UNBOXED_ANONYMOUS_STARTS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(30).describe('Machines all anonymous visitors together may start in a minute'),
  UNBOXED_SWARM_MANAGER: z
    .string()
    .regex(/^[A-Za-z0-9.-]+:\d{1,5}(,[A-Za-z0-9.-]+:\d{1,5})*$/, "must be host:port of a swarm manager's Engine API, or several comma-separated")
    .transform((list) => list.split(','))
    .optional()
    .describe("swarm driver: host:port of swarm managers' Engine APIs (mutual TLS), comma-separated; the next is tried when one does not answer"),
  UNBOXED_SWARM_TLS_DIR: z.string().min(1).optional().describe("swarm driver: folder with ca.pem, cert.pem and key.pem, the app's client certificate for the nodes' Engine APIs"),
  UNBOXED_MACHINE_MEMORY_MIB: z.coerce.number().optional(),
  UNBOXED_MACHINE_CPUS: z.coerce.number().optional(),
  UNBOXED_MACHINE_PIDS: z.coerce.number().optional(),
  UNBOXED_MACHINE_DISK_MIB: z.coerce.number().optional(),
  UNBOXED_MACHINE_LIFETIME_SECONDS: z.coerce.number().optional(),
  UNBOXED_MACHINE_IDLE_SECONDS: z.coerce.number().optional(),
});

export class SandboxConfigError extends SandboxError {
  override name = 'SandboxConfigError';
}

export interface SandboxConfig {
  readonly trust: 'trusted' | 'public';
  readonly driver: 'auto' | DriverName;
  readonly qemuAccel: 'auto' | 'kvm' | 'tcg';
  readonly scope: string | undefined;
  readonly poolSize: number;
  /** Unset: derived from the host (see createMachineManager). */
  readonly capacity: number | undefined;
  readonly startConcurrency: number;
  readonly diskReserveMiB: number;
  readonly anonymousMachines: 'auto' | 'allow' | 'sign-in';
  readonly anonymousStartsPerAddress: number;
  readonly anonymousStartsPerMinute: number;
  readonly limits: MachineLimits;
  /** The swarm driver's manager and client TLS folder, when set. */
  readonly swarm: { readonly managers: readonly string[]; readonly tlsDir: string } | undefined;
}

export function sandboxConfig(env: Readonly<Record<string, string | undefined>>): SandboxConfig {
  const parsed = SandboxEnv.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SandboxConfigError(`${String(issue.path[0])}=${JSON.stringify(env[String(issue.path[0])])}: ${issue.message}. Fix: correct or unset it`);
  }
  const e = parsed.data;
  const limits = MachineLimits.safeParse({
    memoryMiB: e.UNBOXED_MACHINE_MEMORY_MIB,
    cpus: e.UNBOXED_MACHINE_CPUS,
    pids: e.UNBOXED_MACHINE_PIDS,
    diskMiB: e.UNBOXED_MACHINE_DISK_MIB,
    lifetimeSeconds: e.UNBOXED_MACHINE_LIFETIME_SECONDS,
    idleSeconds: e.UNBOXED_MACHINE_IDLE_SECONDS,
  });
  if (!limits.success) {
    const issue = limits.error.issues[0]!;
    throw new SandboxConfigError(`machine limit ${String(issue.path[0])}: ${issue.message}. Fix: correct the UNBOXED_MACHINE_* variable`);
  }
  if ((e.UNBOXED_SWARM_MANAGER === undefined) !== (e.UNBOXED_SWARM_TLS_DIR === undefined)) {
    throw new SandboxConfigError('UNBOXED_SWARM_MANAGER and UNBOXED_SWARM_TLS_DIR go together: the swarm driver reaches node engines only over mutual TLS. Fix: set both, or neither');
  }
  return {
    trust: e.UNBOXED_TRUST,
    driver: e.UNBOXED_SANDBOX_DRIVER,
    qemuAccel: e.UNBOXED_QEMU_ACCEL,
    scope: e.UNBOXED_SANDBOX_SCOPE,
    poolSize: e.UNBOXED_POOL_SIZE,
    capacity: e.UNBOXED_CAPACITY,
    startConcurrency: e.UNBOXED_START_CONCURRENCY,
    diskReserveMiB: e.UNBOXED_DISK_RESERVE_MIB,
    anonymousMachines: e.UNBOXED_ANONYMOUS_MACHINES,
    anonymousStartsPerAddress: e.UNBOXED_ANONYMOUS_STARTS_PER_ADDRESS,
    anonymousStartsPerMinute: e.UNBOXED_ANONYMOUS_STARTS_PER_MINUTE,
    limits: limits.data,
    swarm: e.UNBOXED_SWARM_MANAGER && e.UNBOXED_SWARM_TLS_DIR ? { managers: e.UNBOXED_SWARM_MANAGER, tlsDir: e.UNBOXED_SWARM_TLS_DIR } : undefined,
  };
}

/** Whether visitors who have not signed in get a machine, and why, in words for the start log and `sandbox ls`. */
export interface AnonymousAccess {
  readonly allowed: boolean;
  readonly why: string;
}

/**
 * The docker driver is no security boundary (DESIGN.md): a machine anyone on the network
 * can get for the asking is only for a server that listens on loopback, unless the
 * operator says otherwise.
 */
export function anonymousAccess(setting: SandboxConfig['anonymousMachines'], listenHost: string, boundary: 'vm' | 'container'): AnonymousAccess {
  if (setting === 'allow') return { allowed: true, why: 'anyone may start a machine without signing in (UNBOXED_ANONYMOUS_MACHINES=allow)' };
  if (setting === 'sign-in') return { allowed: false, why: 'only signed-in learners get a machine (UNBOXED_ANONYMOUS_MACHINES=sign-in)' };
  if (boundary === 'vm') return { allowed: true, why: 'anyone may start a machine without signing in: each is a VM' };
  if (isLoopback(listenHost)) return { allowed: true, why: `anyone may start a machine without signing in: the server listens on ${listenHost} only` };
  return {
    allowed: false,
    why: `only signed-in learners get a machine: the server listens on ${listenHost} and machines are containers on this host's kernel (UNBOXED_ANONYMOUS_MACHINES=allow lets anyone)`,
  };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
