import type Docker from 'dockerode';
import type { MachineLimits } from '../driver.ts';
import { MACHINE_CAPABILITIES } from '../docker/driver.ts';

export interface MachineServiceOptions {
  /** The service's name, which is the machine's id. */
  readonly name: string;
  readonly image: string;
  /** The swarm node id it must run on (placement is the backend's, not the scheduler's). */
  readonly node: string;
  readonly hostname: string;
  readonly limits: MachineLimits;
  /** On the service (found through a manager) and on its container (found on the node). */
  readonly labels: Readonly<Record<string, string>>;
  /** The node-local volume holding the machine's root file system; it outlives the service. */
  readonly disk: string;
}

/**
 * A learner machine as a Swarm service: one task, never restarted by the scheduler (a
 * machine that ended is the backend's to replace, on a node it picks), with what the
 * docker driver's containers get, as far as a service can say it:
 *
 * - capabilities, sysctls, limits (memory, CPU, pids), tmpfs, stop signal: in the spec;
 * - private cgroup namespace and the machine seccomp profile: the node daemon's defaults
 *   (`default-cgroupns-mode`, `seccomp-profile`), as a service can set neither;
 * - no network but loopback: no networks in the spec, on a node daemon without a default
 *   bridge (`"bridge": "none"`); swarm has no `none` network to ask for;
 * - its own disk: a node-local volume at /.machine, onto which machine-init copies the
 *   root file system at first boot and pivots every boot. The volume is on the node's
 *   file system (not overlay, so the machine's dockerd runs overlay2 there) but has no
 *   size limit of its own, unlike the docker driver's ext4 disk.
 *
 * Memory swap cannot be set on a service: a node without swap (as these hosts) makes
 * the memory limit the whole bound, as the docker driver's MemorySwap does.
 */
export function machineServiceSpec(options: MachineServiceOptions): Docker.CreateServiceOptions {
  const { limits } = options;
  return {
    Name: options.name,
    Labels: { ...options.labels },
    TaskTemplate: {
      ContainerSpec: {
        Image: options.image,
        Hostname: options.hostname,
        Labels: { ...options.labels },
        StopSignal: 'SIGRTMIN+3',
        StopGracePeriod: 20e9,
        CapabilityDrop: ['ALL'],
        CapabilityAdd: MACHINE_CAPABILITIES.map((c) => `CAP_${c}`),
        Sysctls: { 'net.ipv4.ip_forward': '1' },
        Mounts: [
          { Type: 'tmpfs', Target: '/run', Source: '' },
          { Type: 'tmpfs', Target: '/run/lock', Source: '' },
          { Type: 'tmpfs', Target: '/tmp', Source: '' },
          { Type: 'volume', Source: options.disk, Target: '/.machine', VolumeOptions: { Labels: { ...options.labels } } },
        ],
      },
      Resources: {
        Limits: { MemoryBytes: limits.memoryMiB * 2 ** 20, NanoCPUs: Math.round(limits.cpus * 1e9), Pids: limits.pids },
      },
      RestartPolicy: { Condition: 'none' },
      Placement: { Constraints: [`node.id==${options.node}`] },
    },
    Mode: { Replicated: { Replicas: 1 } },
  } as Docker.CreateServiceOptions;
}
