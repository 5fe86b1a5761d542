/**
 * Watch latency: from a learner's keystroke to the watching instructor's client, printed
 * as p50/p95 beside the learner's own echo on the same keystrokes (and without a watcher).
 *
 *   npm run build && UNBOXED_SANDBOX_SCOPE=<scope> npx tsx bench/watch.ts [keystrokes=300]
 *
 * It starts the production server on a free port over a throwaway data folder, signs up a
 * learner and an instructor, makes a class, starts the learner's machine, and opens the
 * learner's terminal and the instructor's watch as WebSocket clients (Node's, so the
 * figures are the server's and the machine's, not a browser's rendering). Both clients
 * see the same output chunk; the difference is what the watch adds. It removes the
 * machine and the server's warm pool, and stops the server, at the end: give it a scope of its own.
 */
import type WebSocket from 'ws';
import { percentile } from './percentile.ts';
import { HttpClient, startServer } from './support.ts';

const keystrokes = Number(process.argv[2] ?? 300);

/** Output received on a socket, with a wait that resolves from the message handler itself (no polling quantum). */
class Listener {
  output = '';
  private waiter: { done: () => boolean; resolve: () => void } | undefined;

  constructor(ws: WebSocket, pick: (message: { t: string; data?: string }) => string | undefined) {
    ws.on('message', (raw) => {
      const data = pick(JSON.parse(String(raw)) as { t: string; data?: string });
      if (data !== undefined) this.output += data;
      if (this.waiter?.done()) {
        const { resolve } = this.waiter;
        this.waiter = undefined;
        resolve();
      }
    });
  }

  until(done: () => boolean, ms: number, what: string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; output: ${JSON.stringify(this.output.slice(-200))}`)), ms);
      this.waiter = { done, resolve: () => (clearTimeout(timer), resolve()) };
    });
  }
}

function report(label: string, samplesMs: readonly number[]): void {
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  console.log(`${label.padEnd(44)} n=${samplesMs.length}  p50 ${ms(percentile(samplesMs, 50))}  p95 ${ms(percentile(samplesMs, 95))}  p99 ${ms(percentile(samplesMs, 99))}`);
}

const server = await startServer('watch');
const learner = new HttpClient(server.base);
const teacher = new HttpClient(server.base);
try {
  const password = 'a long enough password';
  await learner.call('POST', '/api/auth/signup', { email: 'learner@example.org', name: 'Learner', password });
  await teacher.call('POST', '/api/auth/signup', { email: 'teacher@example.org', name: 'Teacher', password });
  await server.unboxed('admin', 'role', '--email', 'teacher@example.org', '--role', 'instructor');
  const created = (await teacher.call('POST', '/api/classes', { name: 'Bench', lessons: ['client-and-daemon'], deadline: '2030-01-01T00:00:00Z' })) as { class: { id: string; joinCode: string } };
  await learner.call('POST', '/api/classes/join', { code: created.class.joinCode });
  // A page load puts the account's learner cookie right.
  await learner.call('GET', '/api/me');
  const gradebook = (await teacher.call('GET', `/api/classes/${created.class.id}/gradebook`)) as { gradebook: { learners: Array<{ userId: string }> } };
  const userId = gradebook.gradebook.learners[0]!.userId;

  const terminal = learner.socket('/ws/terminal/bench');
  const own = new Listener(terminal, (m) => (m.t === 'output' ? m.data : undefined));
  const ready = new Promise<void>((resolve) => terminal.on('message', (raw) => (JSON.parse(String(raw)) as { t: string }).t === 'ready' && resolve()));
  await new Promise((resolve) => terminal.once('open', resolve));
  terminal.send(JSON.stringify({ t: 'hello', lastSeq: 0, cols: 120, rows: 40 }));
  const input = (data: string) => terminal.send(JSON.stringify({ t: 'input', data }));
  const started = performance.now();
  await ready;
  input('stty -ixon; echo bench-$((1+1))-ready\r');
  await own.until(() => own.output.includes('bench-2-ready\r\n'), 60_000, 'the shell');
  console.log(`machine and shell ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  // The same keystrokes with nobody watching first: does a watcher slow the learner down?
  const unwatched: number[] = [];
  for (let i = 0; i < keystrokes; i++) {
    const before = own.output.length;
    const start = performance.now();
    const seen = own.until(() => own.output.length > before && own.output.slice(before).includes('x'), 10_000, 'the echo');
    input('x');
    await seen;
    unwatched.push(performance.now() - start);
    if (i % 50 === 49) {
      input('\x15');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const watch = teacher.socket(`/ws/watch/${created.class.id}/${userId}`);
  const watched = new Listener(watch, (m) => (m.t === 'output' ? m.data : undefined));
  await watched.until(() => watched.output.includes('bench-2-ready'), 10_000, 'the scrollback');
  await new Promise((r) => setTimeout(r, 500));

  const echo: number[] = [];
  const toWatcher: number[] = [];
  const added: number[] = [];
  for (let i = 0; i < keystrokes; i++) {
    const [ownBefore, watchedBefore] = [own.output.length, watched.output.length];
    const start = performance.now();
    const seenOwn = own.until(() => own.output.length > ownBefore && own.output.slice(ownBefore).includes('x'), 10_000, 'the echo');
    const seenWatched = watched.until(() => watched.output.length > watchedBefore && watched.output.slice(watchedBefore).includes('x'), 10_000, "the watcher's copy");
    input('x');
    const [ownAt, watchedAt] = await Promise.all([seenOwn.then(() => performance.now()), seenWatched.then(() => performance.now())]);
    echo.push(ownAt - start);
    toWatcher.push(watchedAt - start);
    added.push(watchedAt - ownAt);
    if (i % 50 === 49) {
      input('\x15'); // Ctrl-U: keep the line short
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  console.log(`keystroke latency, ${keystrokes} keystrokes, learner machine driver as configured`);
  report("keystroke → learner's echo, unwatched", unwatched);
  report("keystroke → learner's echo, watched", echo);
  report("keystroke → watching instructor's client", toWatcher);
  report('watcher after the learner (same chunk)', added);
  terminal.close();
  watch.close();
} finally {
  await server.stop(learner.learnerId ? [learner.learnerId] : []);
}
