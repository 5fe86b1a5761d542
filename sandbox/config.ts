import { z } from 'zod';
import { MachineLimits } from './driver.ts';

/** Sandbox settings from the environment, validated once; every one has a default. */
const SandboxEnv = z.object({
  UNBOXED_TRUST: z
    .enum(['trusted', 'public'])
    .default('trusted')
    .describe('trusted: a classroom, a laptop, CI (any driver); public: anonymous or untrusted learners (only drivers that are a security boundary, i.e. VMs)'),
  UNBOXED_SANDBOX_DRIVER: z.enum(['auto', 'docker', 'qemu']).default('auto').describe('Learner machine backend; auto picks the fastest that works here'),
  UNBOXED_QEMU_ACCEL: z.enum(['auto', 'kvm', 'tcg']).default('auto').describe('qemu driver: hardware KVM, TCG emulation, or auto (KVM when a test boot works)'),
  UNBOXED_POOL_SIZE: z.coerce.number().int().min(0).max(100).default(1).describe('Machines kept started and unclaimed, so a learner never waits for a cold start'),
  UNBOXED_MACHINE_MEMORY_MIB: z.coerce.number().optional(),
  UNBOXED_MACHINE_CPUS: z.coerce.number().optional(),
  UNBOXED_MACHINE_PIDS: z.coerce.number().optional(),
  UNBOXED_MACHINE_DISK_MIB: z.coerce.number().optional(),
  UNBOXED_MACHINE_LIFETIME_SECONDS: z.coerce.number().optional(),
  UNBOXED_MACHINE_IDLE_SECONDS: z.coerce.number().optional(),
});

export interface SandboxConfig {
  readonly trust: 'trusted' | 'public';
  readonly driver: 'auto' | 'docker' | 'qemu';
  readonly qemuAccel: 'auto' | 'kvm' | 'tcg';
  readonly poolSize: number;
  readonly limits: MachineLimits;
}

export function sandboxConfig(env: Readonly<Record<string, string | undefined>>): SandboxConfig {
  const parsed = SandboxEnv.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${String(issue.path[0])}=${JSON.stringify(env[String(issue.path[0])])}: ${issue.message}. Fix: correct or unset it`);
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
    throw new Error(`machine limit ${String(issue.path[0])}: ${issue.message}. Fix: correct the UNBOXED_MACHINE_* variable`);
  }
  return { trust: e.UNBOXED_TRUST, driver: e.UNBOXED_SANDBOX_DRIVER, qemuAccel: e.UNBOXED_QEMU_ACCEL, poolSize: e.UNBOXED_POOL_SIZE, limits: limits.data };
}
