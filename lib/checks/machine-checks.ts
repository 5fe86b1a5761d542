import type { MachineManager } from '../../sandbox/index.ts';
import type { MachineChanges } from '../changes/live.ts';
import type { CommandListener } from '../terminal/hub.ts';
import type { CourseSource } from '../lessons/source.ts';
import { LiveChecks, type CheckLog } from './live.ts';
import type { MachineExec } from './run.ts';
import type { ResultStore } from './store.ts';

type Machines = Pick<MachineManager, 'machineOf' | 'query'>;

export interface MachineChecksDeps {
  /** The course the pages show (lib/lessons/course.ts): a check runs the exercise the page shows. */
  readonly course: Pick<CourseSource, 'contentDir' | 'lesson'>;
  readonly machines: Machines;
  readonly results: ResultStore;
  readonly onError: (error: unknown, learner: string) => void;
  /** The app's logger: broken checks go to it at warn. */
  readonly log: CheckLog;
}

/**
 * Live checks on the learners' own machines. The path of a finished command, module by module:
 *
 * 1. The learner's shell marks the end of each command (OSC 133). The terminal session
 *    (lib/terminal/session.ts) sees the mark, and the TerminalHub (lib/terminal/hub.ts)
 *    calls its `CommandListener` (`afterCommand` below) with the command line.
 * 2. Through the machine's agent (sandbox/agent.ts), one after the other: MachineChanges
 *    (lib/changes/live.ts) snapshots what the command changed, for the What changed
 *    panel; then LiveChecks (lib/checks/live.ts) takes the lessons the learner has open
 *    and runs each exercise not yet passed (lib/checks/run.ts).
 * 3. Every run is recorded in the ResultStore (lib/checks/store.ts): the rows the class
 *    gradebook reads (lib/classes/gradebook.ts); a pass keeps the command and its change set.
 * 4. The stored result goes to the lesson's watchers: the page's event stream
 *    (lib/server/lesson-routes.ts), where the exercise gets its tick.
 */
export function machineChecks({ course, machines, results, onError, log }: MachineChecksDeps): LiveChecks {
  return new LiveChecks({
    lesson: (slug) => course.lesson(slug),
    contentDir: course.contentDir,
    store: results,
    machine: (learner) => runningMachineExec(machines, learner),
    onError,
    log,
  });
}

/** Whether the learner's machine runs now. */
export async function machineRunning(machines: Pick<MachineManager, 'machineOf'>, learner: string): Promise<boolean> {
  return (await machines.machineOf(learner))?.state === 'running';
}

/**
 * The learner's machine as a runner of commands that read its state, while it runs (its
 * agent: sandbox/agent.ts); a check or a snapshot never starts one.
 */
export async function runningMachineExec(machines: Machines, learner: string): Promise<MachineExec | undefined> {
  if (!(await machineRunning(machines, learner))) return undefined;
  return (argv, options) => machines.query(learner, argv, options);
}

/**
 * What a finished command sets off: first its change set (the What changed panel; the
 * snapshot has the machine's CPUs to itself), then the open exercises' checks, a pass
 * keeping the command line and its change set as evidence.
 */
export function afterCommand(changes: Pick<MachineChanges, 'commandFinished'>, live: Pick<LiveChecks, 'commandFinished'>): CommandListener {
  return {
    commandFinished: (learner, command) =>
      void changes
        .commandFinished(learner, command)
        .then((entry) => live.commandFinished(learner, entry && !entry.baseline ? { line: entry.command, changes: entry.changes } : undefined, command.command !== '')),
  };
}

/**
 * A shell opened on the learner's machine, which runs now: first the change sets' baseline,
 * then a look at the exercises of the lessons they have open. Not left to the shell's first
 * prompt: dtach starts the shell before the app attaches, and a prompt printed before that
 * never reaches the app (seen in CI: a new learner's page stayed at "Not checked yet").
 */
export function afterShellOpened(changes: Pick<MachineChanges, 'startWatching'>, live: Pick<LiveChecks, 'commandFinished'>): (learner: string) => void {
  return (learner) => void changes.startWatching(learner).then(() => live.commandFinished(learner));
}
