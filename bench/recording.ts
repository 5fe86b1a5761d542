/**
 * Recording size per hour of a typical lesson session, printed as figures.
 *
 *   UNBOXED_SANDBOX_SCOPE=<scope> npx tsx bench/recording.ts [commands-per-hour=120]
 *
 * A scripted learner types, key by key as a person does (each echoed key is an output
 * event of its own), what a lesson session holds on one learner machine: looking around,
 * the first three lessons' solutions (run traced, so their commands and output show),
 * inspecting what they made (docker inspect, ps, the bundle's files). The terminal is recorded by the product's Recorder into a throwaway
 * database; the size per command, times the commands a learner runs in an hour, is the
 * estimate.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Accounts } from '../lib/auth/accounts.ts';
import { ClassStore, NewClass } from '../lib/classes/store.ts';
import { openDatabase } from '../lib/db/index.ts';
import { Recorder } from '../lib/recordings/recorder.ts';
import { RecordingStore } from '../lib/recordings/store.ts';
import { observedShell } from '../lib/terminal/observed-shell.ts';
import { MachineLimits } from '../sandbox/driver.ts';
import { chooseDriver, sandboxConfig } from '../sandbox/index.ts';

const commandsPerHour = Number(process.argv[2] ?? 120);
const BURST_BYTES = 8_000_000;
const root = path.resolve(import.meta.dirname, '..');
const lessons = ['01-client-and-daemon', '02-containers-are-files', '03-containers-are-processes'];
/** The lessons' solutions are put on the machine and run traced (`bash -x`): their commands and output show as the learner's would. */
const solution = (i: number) => `bash -x /root/solution-${i}.sh </dev/null >/root/trace-${i} 2>&1; tail -60 /root/trace-${i}`;
const session = [
  'ls /',
  'docker ps',
  'docker images',
  'docker version',
  solution(0),
  'docker ps -a',
  'docker inspect from-curl | head -60',
  'curl -s --unix-socket /var/run/docker.sock http://localhost/containers/json | head -c 2000; echo',
  solution(1),
  'ls -la /run/containerd/io.containerd.runtime.v2.task/moby/ 2>/dev/null | head',
  'find / -name config.json -path "*moby*" 2>/dev/null | head -5',
  'cat /etc/os-release',
  solution(2),
  'ps -ef --forest | head -40',
  'ls -l /proc/self/ns',
  'mount | grep overlay | head -5',
  'cat /proc/self/cgroup',
  'ip addr',
  'history | tail -5',
  'clear',
];

const dir = await mkdtemp(path.join(tmpdir(), 'unboxed-bench-recording-'));
const db = await openDatabase(path.join(dir, 'unboxed.db'));
const driver = await chooseDriver(sandboxConfig(process.env), path.resolve('.cache/bench-recording'));
const machine = await driver.create(MachineLimits.parse({}));
try {
  const accounts = new Accounts(db);
  const teacher = await accounts.create({ email: 't@example.org', name: 't', password: 'a long enough password', role: 'instructor' });
  const learner = await accounts.create({ email: 'l@example.org', name: 'l', password: 'a long enough password', role: 'learner' });
  const classes = new ClassStore(db);
  const store = new RecordingStore(db);
  const info = await classes.create(teacher, NewClass.parse({ name: 'bench', lessons: ['x'], deadline: '2030-01-01T00:00:00Z' }));
  await classes.join(info.joinCode, learner);
  await store.setRecording(info.id, true);

  for (const [i, lesson] of lessons.entries()) {
    const script = await readFile(path.join(root, 'content', lesson, 'solution.sh'), 'utf8');
    await driver.exec(machine.id, ['bash', '-c', `cat > /root/solution-${i}.sh`], { stdin: script, timeoutMs: 10_000 });
  }
  const size = { cols: 120, rows: 32 };
  const recorder = new Recorder({ store, log: { warn: (fields, message) => console.warn(message, fields) } });
  const shell = observedShell(await driver.openShell(machine.id, 'bench', size), recorder.observe(learner.learner, 'bench', size));
  let output = '';
  shell.onData((data) => (output += data));
  // A command's end is the next prompt, which ends in '# ' (and an erase-line at times).
  const prompt = async (command: string) => {
    const start = Date.now();
    while (!/# (\x1b\[K)?$/.test(output)) {
      if (Date.now() - start > 60_000) throw new Error(`no prompt after: ${command}; the terminal ends: ${JSON.stringify(output.slice(-300))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    output = '';
  };
  await prompt('(the shell starting)');
  for (const command of session) {
    console.error(`typing: ${command}`);
    // Key by key, each echo an event of its own, as a person types.
    for (const key of command) {
      shell.write(key);
      await new Promise((r) => setTimeout(r, 15));
    }
    shell.write('\r');
    await prompt(command);
  }
  await new Promise((r) => setTimeout(r, 1500));
  const [recording] = await store.list(info.id, learner.id);
  const bytes = recording?.bytes ?? 0;
  const typed = session.reduce((n, c) => n + c.length + 1, 0);
  const perCommand = bytes / session.length;
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`driver ${driver.name}: ${session.length} commands (${typed} keys typed), recorded ${kb(bytes)} of asciicast events, ${kb(perCommand)} per command`);
  console.log(`estimate at ${commandsPerHour} commands an hour: ${(perCommand * commandsPerHour / 1024 / 1024).toFixed(2)} MiB per learner-hour (cap 20 MiB per learner per class)`);

  // A burst while recorded: how long the recorder's writes hold up the event loop, which
  // every terminal of the server waits out.
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  shell.write(`head -c ${BURST_BYTES} /dev/zero | tr '\\0' y; echo\r`);
  await prompt('the burst');
  await new Promise((r) => setTimeout(r, 2500));
  delay.disable();
  shell.close();
  const burst = ((await store.list(info.id, learner.id))[0]?.bytes ?? 0) - bytes;
  const ms = (ns: number) => `${(ns / 1e6).toFixed(1)} ms`;
  console.log(`a ${BURST_BYTES / 1e6} MB burst, ${kb(burst)} recorded: the event loop's delay p50 ${ms(delay.percentile(50))}, p99 ${ms(delay.percentile(99))}, max ${ms(delay.max)}`);
} finally {
  await driver.destroy(machine.id);
  await db.destroy();
  await rm(dir, { recursive: true, force: true });
}
