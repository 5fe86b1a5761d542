import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { judgeCheckRun, type CheckOutcome, type CheckRun } from './outcome.ts';

/** Runs argv inside the learner's machine as root (the sandbox driver's exec). */
export type MachineExec = (argv: readonly string[], options: { timeoutMs: number }) => Promise<CheckRun>;

const library = readFile(new URL('./check.sh', import.meta.url), 'utf8');

/** @default 15 s: checks read state; they never wait for it. */
export const CHECK_TIMEOUT_MS = 15_000;

export class CheckPathError extends Error {
  override readonly name = 'CheckPathError';
}

/**
 * Runs one exercise's check in the machine: the helper library and the script travel
 * together as one `bash -c` argument, so the learner's root can alter neither, and the
 * script cannot read its own rest from stdin. The path must stay inside the lesson's
 * checks/ folder, links resolved.
 */
export async function runCheck(exec: MachineExec, lessonDir: string, checkPath: string, timeoutMs = CHECK_TIMEOUT_MS): Promise<CheckOutcome> {
  const checksDir = await realpath(path.join(lessonDir, 'checks'));
  const script = await realpath(path.resolve(lessonDir, checkPath));
  if (!script.startsWith(checksDir + path.sep)) throw new CheckPathError(`check '${checkPath}' is outside ${checksDir}`);
  const source = `${await library}\n${await readFile(script, 'utf8')}`;
  // `timeout` inside the machine kills the whole check there; the exec's own timeout is
  // only a backstop for a machine that stopped answering.
  const seconds = String(Math.ceil(timeoutMs / 1000));
  const argv = ['timeout', '--kill-after=2', seconds, 'bash', '-c', source, path.basename(script)];
  return judgeCheckRun(await exec(argv, { timeoutMs: timeoutMs + 5000 }));
}
