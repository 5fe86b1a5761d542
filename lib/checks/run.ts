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

/**
 * Runs the checks of a batch, as many at once as the machine has CPUs (a VM emulated with
 * one CPU runs them one after another: side by side there, each would take several times
 * as long), each in its own bash under its own `timeout`; then prints each one's exit code, stdout and stderr after a line that starts with the
 * batch's own nonce (which no check knows, so no check's output can fake a boundary).
 * Reads: "<batch nonce> <count>", then per check its nonce, its source's length in bytes
 * and the source (the C locale of `env -i` makes `read -N` count bytes).
 */
const BATCH = [
  'IFS=" " read -r batch count || exit 125',
  'dir=$(/usr/bin/mkdir -p -m 0700 /run/unboxed && /usr/bin/mktemp -d /run/unboxed/checks.XXXXXXXX) || exit 125',
  'trap \'/usr/bin/rm -rf "$dir"\' EXIT',
  'cpus=$(/usr/bin/nproc 2>/dev/null) || cpus=1',
  'running=0',
  'for ((i = 0; i < count; i++)); do',
  '  IFS= read -r nonce; IFS= read -r length; IFS= read -r -N "$length" source',
  '  if ((running >= cpus)); then wait -n; running=$((running - 1)); fi',
  // UNBOXED_CACHE: where the check's library keeps what it learnt for the rest of the check (check.sh).
  '  { printf "%s\\n%s" "$nonce" "$source" | UNBOXED_CACHE="$dir/$i.cache-" /usr/bin/timeout --kill-after=2 "$1" /usr/bin/bash --noprofile --norc -c "$2" "${@:3+i:1}" >"$dir/$i.out" 2>"$dir/$i.err"; echo "${PIPESTATUS[1]}" >"$dir/$i.rc"; } </dev/null &',
  '  running=$((running + 1))',
  'done',
  'exec </dev/null',
  'wait',
  'for ((i = 0; i < count; i++)); do',
  '  printf "\\n%s %s out %s\\n" "$batch" "$i" "$(<"$dir/$i.rc")"',
  '  /usr/bin/cat "$dir/$i.out"',
  '  printf "\\n%s %s err\\n" "$batch" "$i"',
  '  /usr/bin/cat "$dir/$i.err"',
  'done',
  'printf "\\n%s end\\n" "$batch"',
].join('\n');

export class CheckPathError extends Error {
  override readonly name = 'CheckPathError';
}

/**
 * Runs exercises' checks in the machine, in one round trip and in parallel; returns their
 * outcomes in order. The learner is root there and may put anything on PATH or in a
 * profile, so the runner names every program by its absolute path and starts them with
 * a fixed environment (`env -i`: no BASH_ENV, ENV or exported function of theirs;
 * DOCKER_HOST set, so no docker context of theirs points the CLI at another daemon) and
 * `bash --noprofile --norc`. The helper library and each script travel on stdin after a
 * fresh random nonce per check that every assertion line must carry: a line printed by
 * anything but the library's own bash (a replaced `timeout` that claims a pass) makes the
 * run an error. What this cannot stop is in docs/gradebook.md. Each path must stay inside
 * the lesson's checks/ folder, links resolved.
 */
export async function runChecks(exec: MachineExec, lessonDir: string, checkPaths: readonly string[], timeoutMs = CHECK_TIMEOUT_MS): Promise<CheckOutcome[]> {
  if (checkPaths.length === 0) return [];
  const checksDir = await realpath(path.join(lessonDir, 'checks'));
  const scripts = await Promise.all(
    checkPaths.map(async (checkPath) => {
      const script = await realpath(path.resolve(lessonDir, checkPath));
      if (!script.startsWith(checksDir + path.sep)) throw new CheckPathError(`check '${checkPath}' is outside ${checksDir}`);
      return { name: path.basename(script), source: `${await library}\n${await readFile(script, 'utf8')}`, nonce: randomBytes(16).toString('hex') };
    }),
  );
  const batch = randomBytes(16).toString('hex');
  const stdin = [`${batch} ${scripts.length}\n`, ...scripts.map((s) => `${s.nonce}\n${Buffer.byteLength(s.source)}\n${s.source}`)].join('');
  // `timeout` inside the machine kills each check there; the exec's own timeout is only a
  // backstop for a machine that stopped answering (checks may run one after another).
  const seconds = String(Math.ceil(timeoutMs / 1000));
  const argv = [
    '/usr/bin/env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root', 'DOCKER_HOST=unix:///var/run/docker.sock',
    // "unboxed-checks": the name the What changed snapshot knows the checks' processes by.
    '/usr/bin/bash', '--noprofile', '--norc', '-c', BATCH, 'unboxed-checks', seconds, BOOTSTRAP, ...scripts.map((s) => s.name),
  ];
  const run = await exec(argv, { stdin, timeoutMs: (timeoutMs + 3000) * scripts.length + 5000 });
  const sections = splitBatch(run.stdout, batch);
  return scripts.map((script, i) => {
    const section = sections.get(i);
    // No framed output for it: the batch never finished, or something other than the
    // batch's bash answered (a replaced env or bash). Its raw output is judged as the
    // check's: an assertion in it lacks the nonce, so the run is reported as tampered.
    if (!section) return judgeCheckRun(run, script.nonce);
    return judgeCheckRun({ exitCode: section.exitCode, stdout: section.stdout, stderr: section.stderr, timedOut: false }, script.nonce);
  });
}

/** Runs one exercise's check in the machine (see runChecks). */
export async function runCheck(exec: MachineExec, lessonDir: string, checkPath: string, timeoutMs = CHECK_TIMEOUT_MS): Promise<CheckOutcome> {
  const [outcome] = await runChecks(exec, lessonDir, [checkPath], timeoutMs);
  return outcome!;
}

/** Each check's exit code, stdout and stderr from the batch's output; none for a batch that did not finish. */
function splitBatch(stdout: string, batch: string): Map<number, { exitCode: number; stdout: string; stderr: string }> {
  const sections = new Map<number, { exitCode: number; stdout: string; stderr: string }>();
  const parts = stdout.split(new RegExp(`\\n${batch} `));
  if (parts.at(-1) !== 'end\n') return sections;
  for (const part of parts.slice(1, -1)) {
    const newline = part.indexOf('\n');
    const [index, stream, code] = part.slice(0, newline).split(' ');
    const i = Number(index);
    const body = part.slice(newline + 1);
    const section = sections.get(i) ?? { exitCode: -1, stdout: '', stderr: '' };
    if (stream === 'out') sections.set(i, { ...section, exitCode: Number(code), stdout: body });
    else sections.set(i, { ...section, stderr: body });
  }
  return sections;
}
