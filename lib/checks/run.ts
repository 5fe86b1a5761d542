import { randomBytes } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { judgeCheckRun, type CheckOutcome, type CheckRun } from './outcome.ts';

/** Runs argv inside the learner's machine as root, `stdin` fed to it (the sandbox driver's exec). */
export type MachineExec = (argv: readonly string[], options: { stdin: string; timeoutMs: number }) => Promise<CheckRun>;

const library = readFile(new URL('./check.sh', import.meta.url), 'utf8');

/** @default 15 s: checks read state; they never wait for it. */
export const CHECK_TIMEOUT_MS = 15_000;

/**
 * The check's bash reads the nonce line from stdin, then the library and the script (to
 * EOF: `read -d ''`, since /dev/stdin cannot be opened when stdin is a socket), and runs
 * them with stdin empty. This program holds no secret: the nonce never appears in an
 * argument (any process can read another's command line) or in the environment
 * (children inherit it).
 */
const BOOTSTRAP = [
  'IFS= read -r UNBOXED_NONCE || { echo "unboxed: no nonce on stdin" >&2; exit 125; }',
  'readonly UNBOXED_NONCE',
  "IFS= read -r -d '' UNBOXED_SOURCE",
  'exec </dev/null',
  'eval "$UNBOXED_SOURCE"',
].join('\n');

export class CheckPathError extends Error {
  override readonly name = 'CheckPathError';
}

/**
 * Runs one exercise's check in the machine. The learner is root there and may put
 * anything on PATH or in a profile, so the runner names every program by its absolute
 * path and starts them with a fixed environment (`env -i`: no BASH_ENV, ENV or exported
 * function of theirs; DOCKER_HOST set, so no docker context of theirs points the CLI at
 * another daemon) and `bash --noprofile --norc`. The helper library and the script travel
 * on stdin after a fresh random nonce that every assertion line must carry: a line
 * printed by anything but the library's own bash (a replaced `timeout` that claims a
 * pass) makes the run an error. What this cannot stop is in docs/gradebook.md. The path
 * must stay inside the lesson's checks/ folder, links resolved.
 */
export async function runCheck(exec: MachineExec, lessonDir: string, checkPath: string, timeoutMs = CHECK_TIMEOUT_MS): Promise<CheckOutcome> {
  const checksDir = await realpath(path.join(lessonDir, 'checks'));
  const script = await realpath(path.resolve(lessonDir, checkPath));
  if (!script.startsWith(checksDir + path.sep)) throw new CheckPathError(`check '${checkPath}' is outside ${checksDir}`);
  const nonce = randomBytes(16).toString('hex');
  const stdin = `${nonce}\n${await library}\n${await readFile(script, 'utf8')}`;
  // `timeout` inside the machine kills the whole check there; the exec's own timeout is
  // only a backstop for a machine that stopped answering.
  const seconds = String(Math.ceil(timeoutMs / 1000));
  const argv = [
    '/usr/bin/env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root', 'DOCKER_HOST=unix:///var/run/docker.sock',
    '/usr/bin/timeout', '--kill-after=2', seconds,
    '/usr/bin/bash', '--noprofile', '--norc', '-c', BOOTSTRAP, path.basename(script),
  ];
  return judgeCheckRun(await exec(argv, { stdin, timeoutMs: timeoutMs + 5000 }), nonce);
}
