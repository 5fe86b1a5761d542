import type { MachineManager } from '../../sandbox/index.ts';
import type { ShellSource } from './hub.ts';

/**
 * Terminals open shells on the learner's own machine: attaching a terminal is what starts
 * one. `opened` hears of each shell once it is open (the machine runs then).
 */
export function machineShells(machines: MachineManager, opened: (learner: string) => void = () => undefined): ShellSource {
  return {
    shellFor: async (learner, terminal, size, status) => {
      const shell = await machines.openShell(learner, terminal, size, status);
      opened(learner);
      return shell;
    },
    touch: (learner) => machines.touch(learner),
  };
}
