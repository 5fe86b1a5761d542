import { readFile } from 'node:fs/promises';
import type { MachineExec } from '../checks/run.ts';
import { DEFAULT_ITEM_LIMIT, parseSnapshotOutput, type MachineDiff } from './diff.ts';

const script = readFile(new URL('./snapshot.sh', import.meta.url), 'utf8');

/** Where the machine keeps the state of the last snapshot: tmpfs, root's only. */
const STATE_DIR = '/run/unboxed/changes';

/** Watched by default: Docker's and containerd's state, on disk and on tmpfs. */
export const DEFAULT_WATCHED_ROOTS = ['/var/lib/docker', '/run/containerd', '/run/docker', '/etc/docker', '/var/run'] as const;
/** Never reported: the platform's own files (this snapshot's state, the checks' output), and the journal every daemon's log line changes. */
const ALWAYS_IGNORED = ['/run/unboxed', '/run/log'] as const;

/** The most difference lines the machine sends back; a bigger change set says how many it left out. */
const MAX_LINES = 5000;
const SNAPSHOT_TIMEOUT_MS = 10_000;

export interface SnapshotOptions {
  readonly roots?: readonly string[];
  /** Paths (find -path patterns: `*` matches across `/`) whose changes are not shown. */
  readonly ignore?: readonly string[];
  readonly itemLimit?: number;
  /** Where the machine keeps the last state (tests point it elsewhere). */
  readonly stateDir?: string;
  /** Forget the last state and take a new baseline (the watched paths changed). */
  readonly fresh?: boolean;
}

/**
 * Records the machine's state and returns what changed since the last snapshot. The
 * script travels on stdin and runs under a fixed environment (as checks do: the learner
 * is root, and may have put anything on PATH); what it reports is for showing, not for
 * grading.
 */
export async function snapshotChanges(exec: MachineExec, options: SnapshotOptions = {}): Promise<MachineDiff> {
  const roots = options.roots ?? DEFAULT_WATCHED_ROOTS;
  const stateDir = options.stateDir ?? STATE_DIR;
  const ignore = [...ALWAYS_IGNORED, ...(options.ignore ?? [])];
  const argv = [
    '/usr/bin/env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root',
    '/usr/bin/timeout', '--kill-after=2', String(SNAPSHOT_TIMEOUT_MS / 1000),
    '/usr/bin/bash', '--noprofile', '--norc', '-c', "IFS= read -r -d '' source; exec </dev/null; eval \"$source\"",
    'snapshot', stateDir, String(MAX_LINES), options.fresh ? 'fresh' : 'keep', ...roots, '--', ...ignore,
  ];
  const result = await exec(argv, { stdin: await script, timeoutMs: SNAPSHOT_TIMEOUT_MS + 5000 });
  if (result.exitCode !== 0) throw new SnapshotError(`the machine's snapshot failed (exit ${result.exitCode}${result.timedOut ? ', timed out' : ''}): ${result.stderr.trim().slice(-500)}`);
  return parseSnapshotOutput(result.stdout, options.itemLimit ?? DEFAULT_ITEM_LIMIT);
}

export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
}
