/**
 * A class arriving at once: N learners open their terminal in the same second through
 * the real server and WebSocket; how long until each has a working shell (the machine's
 * dockerd answers), and what they were told while waiting.
 *
 *   npx tsx bench/fleet.ts [--learners N] [--announced] [--remove-pool]   (default: 10, then 30)
 *   UNBOXED_POOL_SIZE=5 npx tsx bench/fleet.ts --learners 30
 *
 * It starts the production server (building it if needed) on a free port with a data
 * folder of its own; the environment passes through (pool size, driver, limits). Each
 * learner's anonymous session is taken before the burst, so the burst is the terminals
 * alone. Before each burst the warm pool is at its configured size; with --announced an
 * instructor first announces the class (POST /api/classes/:id/sessions) and the burst
 * waits until N warm machines are running. Its machines are in a sandbox scope of their
 * own (UNBOXED_SANDBOX_SCOPE, default fleet). At the end it stops the server and removes
 * its learners' machines, also on Ctrl-C; the warm pool the server grew (it grows with
 * arrivals) stays for the next run unless --remove-pool.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { loadCourse } from '../lib/lessons/load.ts';
import { sandboxConfig } from '../sandbox/config.ts';
import { percentile } from './percentile.ts';
import { freePort } from '../tests/support/server.ts';

const MAX_LEARNERS = 60;
const LEARNER_TIMEOUT_MS = 5 * 60_000;
const RETYPE_MS = 2_000;
const SERVER_START_MS = 180_000;
const WARM_UP_MS = 10 * 60_000;

/** Exit code 2: the server lacks what this mode needs. */
class Unsupported extends Error {}

const { values: args } = parseArgs({
  options: { learners: { type: 'string' }, announced: { type: 'boolean', default: false }, 'remove-pool': { type: 'boolean', default: false } },
});
const bursts = args.learners === undefined ? [10, 30] : [Number(args.learners)];
if (bursts.some((n) => !Number.isInteger(n) || n < 1) || bursts.reduce((a, b) => a + b, 0) > MAX_LEARNERS) {
  console.error(`usage: npx tsx bench/fleet.ts [--learners N] [--announced] [--remove-pool]   (1 ≤ N, at most ${MAX_LEARNERS} learners in all)`);
  process.exit(2);
}

const root = path.resolve(import.meta.dirname, '..');
const label = (text: string) => text.padEnd(30);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

// --- the server and the CLI, with one environment -------------------------------------

const dataDir = await mkdtemp(path.join(tmpdir(), 'unboxed-fleet-'));
const logFile = path.join(dataDir, 'server.log');
const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const serverEnv: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  PORT: String(port),
  UNBOXED_DATA_DIR: dataDir,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  NEXT_TELEMETRY_DISABLED: '1',
  // Every learner here comes from 127.0.0.1: the anonymous-start limits (abuse bounds, 10
  // per address by default) would refuse the burst, and the fleet is what is measured.
  UNBOXED_ANONYMOUS_STARTS_PER_ADDRESS: process.env.UNBOXED_ANONYMOUS_STARTS_PER_ADDRESS ?? String(MAX_LEARNERS),
  UNBOXED_ANONYMOUS_STARTS_PER_MINUTE: process.env.UNBOXED_ANONYMOUS_STARTS_PER_MINUTE ?? String(MAX_LEARNERS),
  // Machines of a scope of their own: other servers on this engine neither take the
  // bench's warm machines nor lend it theirs, and every machine listed is the bench's.
  UNBOXED_SANDBOX_SCOPE: process.env.UNBOXED_SANDBOX_SCOPE ?? 'fleet',
};
let server: ChildProcess | undefined;
const sockets = new Set<WebSocket>();
/** Learner ids of the bench's sessions: their machines are the ones removed at the end. */
const ourLearners = new Set<string>();
let serverErrors = 0;
let firstServerError = '';
let serverOutput = '';

function run(file: string, argv: readonly string[], options: { input?: string; timeoutMs?: number; detached?: boolean } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, argv, { cwd: root, env: serverEnv, stdio: ['pipe', 'pipe', 'pipe'], detached: options.detached ?? false });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(options.input ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 5 * 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

// Own process group (as the server's): a Ctrl-C must not cut a removal short.
const unboxed = (argv: readonly string[], input?: string) => run(process.execPath, ['--import', 'tsx', 'bin/unboxed.ts', ...argv], { input, detached: true });

interface MachineRow {
  readonly id: string;
  readonly learner: string;
  readonly state: string;
}

/** `unboxed sandbox ls`, parsed by the header's column positions (LIMITS holds spaces). */
async function machines(): Promise<{ driver: string; rows: MachineRow[] }> {
  const { code, stdout, stderr } = await unboxed(['sandbox', 'ls']);
  if (code !== 0) throw new Error(`unboxed sandbox ls failed (${code}): ${firstError(stderr || stdout)}`);
  const lines = stdout.split('\n');
  const driver = /driver: (\S+)/.exec(lines[0] ?? '')?.[1] ?? '?';
  const headerAt = lines.findIndex((l) => l.startsWith('MACHINE'));
  const header = lines[headerAt] ?? '';
  const column = (line: string, name: string, next: string) => line.slice(header.indexOf(name), header.indexOf(next)).trim();
  const rows = lines
    .slice(headerAt + 1)
    .filter((l) => l.trim())
    .map((l) => ({ id: column(l, 'MACHINE', 'DRIVER'), learner: column(l, 'LEARNER', 'STATE'), state: column(l, 'STATE', 'CREATED') }));
  return { driver, rows };
}

/** A pino line's message when it is a warning or worse. */
function pinoWarning(line: string): string | undefined {
  try {
    const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
    if ((entry.level ?? 0) >= 40) return [entry.msg, entry.err?.message].filter(Boolean).join(': ').replace(/\s*\n\s*/g, ' | ');
  } catch {
    // not a pino line
  }
  return undefined;
}

/** What went wrong in a process's output: a pino warning or worse, else a line naming an error, not a stack. */
function firstError(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim());
  for (const line of lines) {
    const warning = pinoWarning(line);
    if (warning !== undefined) return warning;
  }
  return (lines.find((l) => /error/i.test(l)) ?? lines[0] ?? '').trim();
}

const warmPool = (rows: readonly MachineRow[]) => rows.filter((m) => m.learner === '(pool)' && m.state === 'running').length;

async function startServer(): Promise<void> {
  if (!existsSync(path.join(root, '.next', 'BUILD_ID'))) {
    console.log('no production build: running npm run build…');
    const build = await run('npm', ['run', 'build'], { timeoutMs: 15 * 60_000 });
    if (build.code !== 0) throw new Error(`npm run build failed:\n${(build.stdout + build.stderr).trim().split('\n').slice(-20).join('\n')}`);
  }
  const start = performance.now();
  const log = createWriteStream(logFile);
  // Its own process group: on Ctrl-C the bench stops it, then removes the machines.
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], { cwd: root, env: serverEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  server = child;
  // Pino lines at warn and up are counted; all output goes to the log file (LOG_LEVEL=info for more).
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (d: Buffer) => {
      log.write(d);
      if (serverOutput.length < 65_536) serverOutput += d.toString();
      for (const line of d.toString().split('\n').filter((l) => l.startsWith('{'))) {
        const warning = pinoWarning(line);
        if (warning === undefined) continue;
        serverErrors += 1;
        firstServerError ||= warning.slice(0, 300);
      }
    });
  }
  const deadline = Date.now() + SERVER_START_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode} while starting: ${firstError(serverOutput) || 'no output'} (log: ${logFile})`);
    const up = await fetch(`${origin}/api/me`).catch(() => undefined);
    if (up?.ok) {
      console.log(`${label('server up')} ${seconds(performance.now() - start)} (${origin}, data ${dataDir})`);
      return;
    }
    await sleep(250);
  }
  throw new Error(`the server did not answer within ${SERVER_START_MS / 1000} s (log: ${logFile})`);
}

async function stopServer(): Promise<void> {
  const child = server;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const start = performance.now();
  const how = await new Promise<string>((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', (code, signal) => {
      clearTimeout(force);
      resolve(signal === 'SIGKILL' ? 'not within 15 s of SIGTERM: killed' : `exit ${code ?? signal}`);
    });
    child.kill('SIGTERM');
  });
  console.log(`${label('server stopped')} ${seconds(performance.now() - start)} (${how})`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** After Ctrl-C the main flow stops where it is; the clean-up ends the process. */
const parked = () => new Promise<never>(() => undefined);

// --- one learner -----------------------------------------------------------------------

interface Session {
  readonly n: number;
  readonly learner: string;
  readonly cookie: string;
}

interface Outcome {
  readonly readyMs?: number;
  readonly shellMs?: number;
  readonly error?: string;
  readonly statuses: string[];
}

function cookiesOf(response: Response, jar: Map<string, string> = new Map()): Map<string, string> {
  for (const c of response.headers.getSetCookie()) {
    const pair = c.split(';')[0]!;
    jar.set(pair.slice(0, pair.indexOf('=')), pair);
  }
  return jar;
}

const cookieHeader = (jar: Map<string, string>) => [...jar.values()].join('; ');

/** A fresh anonymous session, as a first visit to the catalog gets. */
async function anonymousSession(n: number): Promise<Session> {
  const response = await fetch(`${origin}/`);
  await response.arrayBuffer();
  const cookie = cookieHeader(cookiesOf(response));
  const learner = /unboxed_session=([^.;]+)\./.exec(cookie)?.[1];
  if (!learner) throw new Error(`GET / set no learner cookie (status ${response.status})`);
  ourLearners.add(learner);
  return { n, learner, cookie };
}

/** Opens the terminal at `burstStart`'s instant and waits for a working shell. */
function openTerminal(session: Session, burstStart: number): Promise<Outcome> {
  const marker = `FLEET-OK-${session.n}`;
  const line = `docker info >/dev/null 2>&1 && echo ${marker}\r`;
  const statuses: string[] = [];
  return new Promise((resolve) => {
    let readyMs: number | undefined;
    let output = '';
    let retype: ReturnType<typeof setInterval> | undefined;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/terminal/1`, { headers: { cookie: session.cookie, origin } });
    sockets.add(ws);
    const finish = (outcome: Omit<Outcome, 'statuses'>) => {
      clearTimeout(timeout);
      clearInterval(retype);
      sockets.delete(ws);
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.close(1000);
      resolve({ ...outcome, readyMs, statuses });
    };
    const timeout = setTimeout(() => finish({ error: `no working shell within ${LEARNER_TIMEOUT_MS / 60_000} minutes${readyMs === undefined ? ' (never ready)' : ''}` }), LEARNER_TIMEOUT_MS);
    const type = () => ws.send(JSON.stringify({ t: 'input', data: line }));
    ws.on('open', () => ws.send(JSON.stringify({ t: 'hello', lastSeq: 0, cols: 120, rows: 30 })));
    ws.on('unexpected-response', (_req, res) => finish({ error: `WebSocket refused: HTTP ${res.statusCode}${res.headers['retry-after'] ? ` (Retry-After ${res.headers['retry-after']} s)` : ''}` }));
    ws.on('error', (error) => finish({ error: `WebSocket error: ${error.message}` }));
    ws.on('close', (code, reason) => finish({ error: `WebSocket closed (${code}${reason.length ? ` ${reason.toString()}` : ''})` }));
    ws.on('message', (raw) => {
      let message: { t: string; message?: string; data?: string; code?: number };
      try {
        message = JSON.parse(raw.toString()) as typeof message;
      } catch {
        return finish({ error: `not JSON from the server: ${raw.toString().slice(0, 100)}` });
      }
      if (message.t === 'status') statuses.push(message.message ?? '');
      else if (message.t === 'error') finish({ error: `server: ${message.message ?? ''}` });
      else if (message.t === 'exit') finish({ error: `the shell exited (${message.code})` });
      else if (message.t === 'ready' && readyMs === undefined) {
        readyMs = performance.now() - burstStart;
        type();
        retype = setInterval(type, RETYPE_MS);
      } else if (message.t === 'output') {
        // The echo of the typed line holds the marker too; the command's own output is the one not after "echo ".
        output = (output + (message.data ?? '')).slice(-8192);
        for (let at = output.indexOf(marker); at !== -1; at = output.indexOf(marker, at + 1)) {
          if (output.slice(Math.max(0, at - 5), at) !== 'echo ') return finish({ shellMs: performance.now() - burstStart });
        }
      }
    });
  });
}

// --- a burst ---------------------------------------------------------------------------

let nextLearner = 1;

async function burst(count: number): Promise<void> {
  const sessions = await Promise.all(Array.from({ length: count }, () => anonymousSession(nextLearner++)));
  const burstStart = performance.now();
  const outcomes = await Promise.all(sessions.map((s) => openTerminal(s, burstStart)));
  if (interrupted) return parked();

  const ok = outcomes.flatMap((o) => (o.shellMs === undefined ? [] : [o.shellMs]));
  const ready = outcomes.flatMap((o) => (o.readyMs === undefined ? [] : [o.readyMs]));
  const failed = outcomes.filter((o) => o.shellMs === undefined);
  const stats = (ms: readonly number[]) =>
    ms.length ? `min ${seconds(Math.min(...ms))}  p50 ${seconds(percentile(ms, 50))}  p95 ${seconds(percentile(ms, 95))}  max ${seconds(Math.max(...ms))}  (n=${ms.length})` : 'none';
  const statuses = outcomes.flatMap((o) => o.statuses);
  // "(N ahead of you…)", or "(you are next…)" when the host is full.
  const ahead = statuses.map((s) => (/you are next/.test(s) ? 0 : Number(/(\d+) ahead of you/.exec(s)?.[1] ?? -1)));
  // Distinct messages with their numbers folded, most frequent first.
  const kinds = new Map<string, number>();
  for (const s of statuses) kinds.set(s.replace(/\d+/g, 'N'), (kinds.get(s.replace(/\d+/g, 'N')) ?? 0) + 1);
  const common = [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 3);

  console.log(`${label('learners')} ${count}`);
  console.log(`${label('time to a working shell')} ${stats(ok)}`);
  console.log(`${label('time to ready')} ${stats(ready)}`);
  console.log(`${label('failed')} ${failed.length}${failed.length ? ` (first: ${failed[0]!.error})` : ''}`);
  console.log(`${label('largest queue position')} ${Math.max(...ahead) >= 0 ? `${Math.max(...ahead)} ahead` : 'none shown'}`);
  console.log(`${label('status messages')} ${statuses.length}${common.length ? `: ${common.map(([text, n]) => `"${text}" ×${n}`).join(', ')}` : ''}`);
  await settle();
}

/** Waits for the server's refills to finish (a start cut off by SIGTERM stays "starting"), and shows the pool it left. */
async function settle(): Promise<void> {
  const start = performance.now();
  let rows = (await machines()).rows;
  while (rows.some((m) => m.state === 'starting') && performance.now() - start < 60_000) {
    await sleep(1_000);
    if (interrupted) return parked();
    rows = (await machines()).rows;
  }
  const starting = rows.filter((m) => m.state === 'starting').length;
  console.log(`${label('pool after the burst')} ${warmPool(rows)} warm${starting ? `, ${starting} still starting` : ''} (${seconds(performance.now() - start)} later)`);
}

/** Removes the machines of the bench's learners, and only those. */
async function removeOurMachines(): Promise<number> {
  return removeMachines((await machines()).rows.filter((m) => ourLearners.has(m.learner)));
}

async function removeMachines(ours: readonly MachineRow[]): Promise<number> {
  const failures: string[] = [];
  // A few at a time: each is a CLI process and a machine teardown.
  for (let i = 0; i < ours.length; i += 5) {
    const results = await Promise.all(ours.slice(i, i + 5).map((m) => unboxed(['sandbox', 'rm', m.id]).then((r) => ({ m, r }))));
    for (const { m, r } of results) if (r.code !== 0) failures.push(`${m.id}: ${r.stderr.trim().split('\n')[0] ?? r.code}`);
  }
  if (failures.length) console.log(`${label('could not remove')} ${failures.join('; ')}`);
  return ours.length - failures.length;
}

async function waitForPool(size: number, what: string, start = performance.now()): Promise<void> {
  let warm = 0;
  while (performance.now() - start < WARM_UP_MS) {
    if (interrupted) return parked();
    warm = warmPool((await machines()).rows);
    if (warm >= size) break;
    await sleep(2_000);
  }
  console.log(`${label(what)} ${warm >= size ? `${warm} warm machine(s) after ${seconds(performance.now() - start)}` : `only ${warm} of ${size} warm after ${WARM_UP_MS / 60_000} minutes; bursting anyway`}`);
}

// --- announcing a class session ---------------------------------------------------------

let instructor: Map<string, string> | undefined;
let classId = '';

async function api(method: string, url: string, jar: Map<string, string>, body?: unknown): Promise<{ status: number; json: { error?: string } & Record<string, unknown> }> {
  const response = await fetch(`${origin}${url}`, {
    method,
    headers: { origin, cookie: cookieHeader(jar), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  cookiesOf(response, jar);
  const text = await response.text();
  let json: { error?: string } & Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    json = { error: text.slice(0, 200) };
  }
  return { status: response.status, json };
}

async function announce(expectedLearners: number): Promise<void> {
  if (!instructor) {
    const email = `fleet-${randomBytes(4).toString('hex')}@example.org`;
    const password = randomBytes(18).toString('base64url');
    for (const argv of [
      ['admin', 'create', '--email', email],
      ['admin', 'role', '--email', email, '--role', 'instructor'],
    ]) {
      const r = await unboxed(argv, `${password}\n`);
      if (r.code !== 0) throw new Error(`unboxed ${argv.join(' ')} failed: ${(r.stderr || r.stdout).trim()}`);
    }
    const jar = new Map<string, string>();
    const signin = await api('POST', '/api/auth/signin', jar, { email, password });
    if (signin.status !== 200) throw new Error(`sign-in answered ${signin.status}: ${signin.json.error ?? ''}`);
    const { lessons } = await loadCourse(path.join(root, 'content'));
    const created = await api('POST', '/api/classes', jar, {
      name: 'Fleet bench',
      lessons: [lessons[0]!.slug],
      deadline: new Date(Date.now() + 24 * 3600_000).toISOString(),
    });
    if (created.status !== 201) throw new Error(`creating the class answered ${created.status}: ${created.json.error ?? ''}`);
    classId = (created.json.class as { id: string }).id;
    instructor = jar;
  }
  const announcedAt = performance.now();
  const announced = await api('POST', `/api/classes/${classId}/sessions`, instructor, {
    startsAt: new Date(Date.now() + 60_000).toISOString(),
    expectedLearners,
  });
  if (announced.status === 404 && /no API endpoint/.test(announced.json.error ?? '')) {
    throw new Unsupported('--announced needs POST /api/classes/:id/sessions, and this server does not have it yet (404 no API endpoint)');
  }
  if (announced.status < 200 || announced.status > 299) throw new Error(`announcing the session answered ${announced.status}: ${announced.json.error ?? ''}`);
  await waitForPool(expectedLearners, 'warm-up after announcing', announcedAt);
}

// --- clean-up on every way out -----------------------------------------------------------

let cleaning: Promise<void> | undefined;

function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const ws of sockets) ws.terminate();
    sockets.clear();
    if (!server) {
      // No server was started: no machine can be the bench's.
      await rm(dataDir, { recursive: true, force: true });
      return;
    }
    await stopServer();
    try {
      const removed = await removeOurMachines();
      let left = (await machines()).rows.filter((m) => m.learner === '(pool)');
      if (args['remove-pool'] && left.length) {
        await removeMachines(left);
        console.log(`${label('pool machines removed')} ${left.length}`);
        left = (await machines()).rows.filter((m) => m.learner === '(pool)');
      }
      const states = [...new Set(left.map((m) => m.state))].map((st) => `${left.filter((m) => m.state === st).length} ${st}`).join(', ');
      console.log(`${label('clean-up')} removed ${removed} learner machine(s)`);
      if (left.length) console.log(`${label('pool machines left')} ${left.length} (${states}) in scope ${serverEnv.UNBOXED_SANDBOX_SCOPE}; --remove-pool removes them`);
      if (serverErrors) console.log(`${label('server log (warn and up)')} ${serverErrors} line(s), first: ${firstServerError}`);
      // The qemu driver keeps its machines' state in the data folder; the log is worth keeping when it warned.
      if (left.length === 0 && serverErrors === 0) await rm(dataDir, { recursive: true, force: true });
      else console.log(`${label('data folder kept')} ${dataDir} (server.log${left.length ? '; state of the machines left' : ''})`);
    } catch (error) {
      console.log(`clean-up failed: ${error instanceof Error ? error.message : String(error)} (data ${dataDir})`);
    }
  })();
  return cleaning;
}

let interrupted = 0;
function interrupt(): void {
  // One Ctrl-C may arrive twice (the terminal's process group, and a wrapper relaying it).
  if (interrupted && Date.now() - interrupted < 1_000) return;
  if (interrupted) {
    server?.kill('SIGKILL');
    process.exit(130);
  }
  interrupted = Date.now();
  console.log('\ninterrupted: stopping the server and removing the learners’ machines (Ctrl-C again to skip)');
  void cleanUp().finally(() => process.exit(130));
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, interrupt);
process.on('exit', () => server?.kill('SIGKILL'));

// --- main ----------------------------------------------------------------------------------

let exitCode = 0;
try {
  // Machines left in the scope by an earlier run (a grown pool) make the burst warmer: say so.
  const before = (await machines()).rows;
  console.log(`${label('machines in the scope before')} ${before.length} (scope ${serverEnv.UNBOXED_SANDBOX_SCOPE}, ${warmPool(before)} warm)`);
  await startServer();
  const { limits, ...pool } = sandboxConfig(serverEnv);
  const passed = Object.keys(process.env).filter((k) => k.startsWith('UNBOXED_') && k !== 'UNBOXED_DATA_DIR');
  console.log(`${label('driver')} ${(await machines()).driver}`);
  console.log(`${label('pool settings')} ${Object.entries(pool).map(([k, v]) => `${k}=${v === undefined ? 'derived' : String(v)}`).join(' ')}; machine ${limits.memoryMiB} MiB ${limits.cpus} cpu${passed.length ? ` (from ${passed.join(', ')})` : ' (defaults)'}`);
  for (const [i, count] of bursts.entries()) {
    if (interrupted) await parked();
    if (i > 0) await removeOurMachines();
    console.log(`\n${args.announced ? 'announced' : 'unannounced'} burst of ${count}`);
    if (args.announced) await announce(count);
    else await waitForPool(pool.poolSize, 'warm pool before the burst');
    await burst(count);
  }
  console.log('');
} catch (error) {
  // Requests cut off by Ctrl-C fail: not worth a line.
  if (interrupted) await parked();
  exitCode = error instanceof Unsupported ? 2 : 1;
  console.log(`\n${error instanceof Unsupported ? '' : 'error: '}${error instanceof Error ? error.message : String(error)}`);
} finally {
  await cleanUp();
}
process.exit(exitCode);
