/**
 * Recording size per hour of a typical lesson session, printed as figures.
 *
 *   UNBOXED_SANDBOX_SCOPE=<scope> npx tsx bench/recording.ts [commands-per-hour=120]
 *
 * A scripted learner types, key by key as a person does (each echoed key is an output
 * event of its own), what a lesson session holds on one learner machine: looking around,
 * the first three lessons' solutions, inspecting what they made (docker inspect, ps, the
 * bundle's files). The terminal is recorded by the product's Recorder into a throwaway
 * database; the size per command, times the commands a learner runs in an hour, is the
 * estimate.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Accounts } from '../lib/auth/accounts.ts';
import { ClassStore, NewClass } from '../lib/classes/store.ts';
import { openDatabase } from '../lib/db/index.ts';
import { Recorder } from '../lib/recordings/recorder.ts';
import { RecordingStore } from '../lib/recordings/store.ts';
import { observedShell } from '../lib/terminal/observed-shell.ts';
import { MachineLimits } from '../sandbox/driver.ts';
import { chooseDriver, sandboxConfig } from '../sandbox/index.ts';

const commandsPerHour = Number(process.argv[2] ?? 120);
const root = path.resolve(import.meta.dirname, '..');
const solution = async (lesson: string) => {
  const script = await readFile(path.join(root, 'content', lesson, 'solution.sh'), 'utf8');
  return `echo ${Buffer.from(script).toString('base64')} | base64 -d | bash -x 2>&1 | tail -40`;
};
const session = [
  'ls /',
  'docker ps',
  'docker images',
  'systemctl status docker --no-pager | head -20',
  await solution('01-client-and-daemon'),
  'docker ps -a',
  'docker inspect from-curl | head -60',
  'curl -s --unix-socket /var/run/docker.sock http://localhost/containers/json | head -c 2000; echo',
  await solution('02-containers-are-files'),
  'ls -la /run/containerd/io.containerd.runtime.v2.task/moby/ 2>/dev/null | head',
  'find / -name config.json -path "*moby*" 2>/dev/null | head -5',
  'cat /etc/os-release',
  await solution('03-containers-are-processes'),
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

  const size = { cols: 120, rows: 32 };
  const recorder = new Recorder({ store, log: { warn: (fields, message) => console.warn(message, fields) } });
  const shell = observedShell(await driver.openShell(machine.id, 'bench', size), recorder.observe(learner.learner, 'bench', size));
  let output = '';
  shell.onData((data) => (output += data));
  const prompt = async () => {
    const start = Date.now();
    while (!/[#$] $/.test(output) && Date.now() - start < 120_000) await new Promise((r) => setTimeout(r, 20));
    output = '';
  };
  await prompt();
  for (const command of session) {
    // A person types about 5 keys a second; each echo is an event.
    for (const key of command) {
      shell.write(key);
      await new Promise((r) => setTimeout(r, 20));
    }
    shell.write('\r');
    await prompt();
  }
  shell.close();
  await new Promise((r) => setTimeout(r, 1500));
  const [recording] = await store.list(info.id, learner.id);
  const bytes = recording?.bytes ?? 0;
  const typed = session.reduce((n, c) => n + c.length + 1, 0);
  const perCommand = bytes / session.length;
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`driver ${driver.name}: ${session.length} commands (${typed} keys typed), recorded ${kb(bytes)} of asciicast events, ${kb(perCommand)} per command`);
  console.log(`estimate at ${commandsPerHour} commands an hour: ${(perCommand * commandsPerHour / 1024 / 1024).toFixed(2)} MiB per learner-hour (cap 20 MiB per learner per class)`);
} finally {
  await driver.destroy(machine.id);
  await db.destroy();
  await rm(dir, { recursive: true, force: true });
}
