import type { MachineManager } from '../../sandbox/index.ts';
import type { ShellSource } from './hub.ts';

/** Terminals open shells on the learner's own machine: attaching a terminal is what starts one. */
export function machineShells(machines: MachineManager): ShellSource {
  return {
    shellFor: (learner, terminal, size, status) => machines.openShell(learner, terminal, size, status),
    touch: (learner) => machines.touch(learner),
  };
}
