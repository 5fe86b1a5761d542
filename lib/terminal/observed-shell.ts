import type { MachineShell, ShellSize } from '../../sandbox/driver.ts';

/**
 * Hears what a shell prints and the sizes it is given, with no say in either (a terminal
 * recorder, lib/recordings). Called on the terminal's hot path: keep each call cheap.
 */
export interface ShellObserver {
  output(data: string): void;
  resize(size: ShellSize): void;
  /** The attachment ended (closed or exited); may be called more than once. */
  closed(): void;
}

/** `shell`, with `observer` told of its output, resizes and end. */
export function observedShell(shell: MachineShell, observer: ShellObserver): MachineShell {
  shell.onData((data) => observer.output(data));
  shell.onExit(() => observer.closed());
  return {
    write: (data) => shell.write(data),
    resize: (size) => {
      observer.resize(size);
      shell.resize(size);
    },
    pause: () => shell.pause(),
    resume: () => shell.resume(),
    onData: (listener) => shell.onData(listener),
    onExit: (listener) => shell.onExit(listener),
    close: () => {
      observer.closed();
      shell.close();
    },
  };
}
