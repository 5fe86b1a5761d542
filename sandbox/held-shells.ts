import type { MachineShell, SandboxDriver, ShellSize } from './driver.ts';

/** The terminal a browser opens first (the UI's tab "1"). */
export const FIRST_TERMINAL = '1';
const HELD_SIZE: ShellSize = { cols: 120, rows: 30 };

/**
 * First terminals opened ahead in warm machines. Opening a shell costs the host's engine
 * an exec (runc joins the machine's namespaces and cgroups): about 30 ms alone, but most
 * of a second when a whole class opens theirs in the same second on a small host. A warm
 * machine's first shell is opened while it waits, paused so nothing it prints is lost,
 * and handed to the learner who claims the machine.
 */
export class HeldShells {
  /** By the machine's id while it is warm, by its learner once claimed. */
  private readonly held = new Map<string, Promise<MachineShell | undefined>>();
  /** When each warm machine's shell was opened, so a listing older than it does not close it. */
  private readonly heldSince = new Map<string, number>();

  constructor(private readonly driver: SandboxDriver) {}

  /** Opens the first terminal of warm machine `id`; a failure just means no held shell. */
  hold(id: string): void {
    const shell = this.driver.openShell(id, FIRST_TERMINAL, HELD_SIZE).then(
      (opened) => {
        opened.pause();
        opened.onExit(() => this.forget(shell));
        return opened;
      },
      () => undefined,
    );
    this.held.set(`machine:${id}`, shell);
    this.heldSince.set(id, Date.now());
  }

  /**
   * Closes the shells held in warm machines that a listing taken at `listedAt` no longer
   * shows as warm (`warm`): another app server's learner claimed them, or they went away.
   */
  keepOnly(warm: ReadonlySet<string>, listedAt: number): void {
    for (const [id, since] of this.heldSince) {
      if (since < listedAt && !warm.has(id)) this.release(id);
    }
  }

  /** Warm machine `id` went to `learner` (its id may have changed with its name). */
  claimed(id: string, learner: string): void {
    const shell = this.held.get(`machine:${id}`);
    if (!shell) return;
    this.held.delete(`machine:${id}`);
    this.heldSince.delete(id);
    this.held.set(`learner:${learner}`, shell);
  }

  /** The learner's held shell for `terminal`, resized, if there is one; it resumes once someone listens. */
  async take(learner: string, terminal: string, size: ShellSize): Promise<MachineShell | undefined> {
    const shell = terminal === FIRST_TERMINAL ? this.held.get(`learner:${learner}`) : undefined;
    if (!shell) return undefined;
    this.held.delete(`learner:${learner}`);
    const opened = await shell;
    if (!opened) return undefined;
    opened.resize(size);
    let resumed = false;
    return {
      ...opened,
      onData: (listener) => {
        opened.onData(listener);
        if (!resumed) opened.resume();
        resumed = true;
      },
    };
  }

  /** Closes what was held for a machine that goes away (its shell in dtach goes with it). */
  release(id: string, learner?: string): void {
    this.heldSince.delete(id);
    for (const key of [`machine:${id}`, learner && `learner:${learner}`]) {
      const shell = key && this.held.get(key);
      if (!shell) continue;
      this.held.delete(key);
      void shell.then((opened) => opened?.close());
    }
  }

  /** Ends every held attachment (server shutdown); the shells live on in their machines. */
  closeAll(): void {
    for (const shell of this.held.values()) void shell.then((opened) => opened?.close());
    this.held.clear();
    this.heldSince.clear();
  }

  /** A held attachment ended by itself (its machine stopped): it is nobody's to take. */
  private forget(shell: Promise<MachineShell | undefined>): void {
    for (const [key, value] of this.held) {
      if (value !== shell) continue;
      this.held.delete(key);
      if (key.startsWith('machine:')) this.heldSince.delete(key.slice('machine:'.length));
    }
  }
}
