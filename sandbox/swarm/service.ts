import type Docker from 'dockerode';
import type { MachineLimits } from '../driver.ts';
import { MACHINE_CAPABILITIES } from '../docker/driver.ts';
import { DISK_DRIVER } from './disk-plugin.ts';

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
  /** The node's volume holding the machine's root file system (made by its disk plugin); it outlives the service. */
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
 * - its own disk: a volume at /.machine, which holds what the machine writes (its root's
 *   upper layer over the image's files, its dockerd's storage; machine-init.sh). The
 *   node's disk plugin (disk-plugin.ts) makes it an ext4 file system of the machine's disk
 *   limit, as the docker driver's: a learner fills their own disk, never the node's.
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
          {
            Type: 'volume',
            Source: options.disk,
            Target: '/.machine',
            VolumeOptions: { Labels: { ...options.labels }, DriverConfig: { Name: DISK_DRIVER, Options: { size: String(limits.diskMiB) } } },
          },
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
