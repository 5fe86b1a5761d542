import type { MachineManager } from '../../sandbox/index.ts';
import type { ShellSource } from './hub.ts';

/** Terminals open shells on the learner's own machine, started or claimed on demand. */
export function machineShells(machines: MachineManager): ShellSource {
  return {
    async shellFor(learner, terminal, status) {
      const machine = await machines.forLearner(learner, status);
      return machines.driver.shellCommand(machine.id, terminal);
    },
    touch: (learner) => machines.touch(learner),
  };
}
