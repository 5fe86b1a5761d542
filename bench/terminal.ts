/**
 * Terminal latency, throughput and flow control, printed as figures.
 *
 *   npm run build && UNBOXED_SANDBOX_SCOPE=<scope> npx tsx bench/terminal.ts [keystrokes=300]
 *
 * 1. The floor: a keystroke echoed by bash through a raw local pty (node-pty), no network.
 * 2. The learner machine's shell reached through the sandbox driver, without the app
 *    (for the docker driver: the engine's exec, dtach in the machine).
 * 3. Through the app from Node's WebSocket client: what the server adds, without a browser.
 * 4. Through the app from Chromium: page → WebSocket → server → machine shell → back,
 *    timed in the page before any rendering, for an anonymous learner (nothing recorded),
 *    a learner of a class that records, and that learner with their instructor watching;
 *    each with a burst of output to the page (MB/s; 8 MB when recorded, and 3 MB to the
 *    Node client, so that all three fit in one learner's 20 MiB of recording).
 * 5. Ctrl-C in a `yes` flood: from the key to the prompt on xterm.js's screen, in the
 *    lesson page (WebGL off, so that xterm draws rows the bench can read).
 * It starts the production server over a throwaway data folder and removes its machines
 * at the end: give it a scope of its own. Each measure waits until no machine is starting
 * (the warm pool fills after each arrival, and a booting machine takes a core).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { spawn } from 'node-pty';
import type { Page } from 'playwright-core';
import type { MachineShell } from '../sandbox/driver.ts';
import { chooseDriver, sandboxConfig } from '../sandbox/index.ts';
import { percentile } from './percentile.ts';
import { HttpClient, launchBrowser, startServer, type BenchServer } from './support.ts';

const keystrokes = Number(process.argv[2] ?? 300);
const FLOOD_ROUNDS = 5;

type Figures = { echo: number[]; burstMBps?: number };
const us = (ms: number) => `${Math.round(ms * 1000)} µs`.padStart(9);

function report(label: string, { echo, burstMBps }: Figures, floor?: Figures): void {
  const p50 = percentile(echo, 50);
  const p99 = percentile(echo, 99);
  const added = floor ? `   adds p50 ${us(p50 - percentile(floor.echo, 50))}, p99 ${us(p99 - percentile(floor.echo, 99))}` : '';
  const burst = burstMBps === undefined ? '' : `   burst ${burstMBps.toFixed(1).padStart(5)} MB/s`;
  console.log(`${label.padEnd(46)} p50 ${us(p50)}  p99 ${us(p99)}${burst}${added}`);
}

/** Echo times for `x` typed into a shell that prints what it gets through `onData`. */
async function echoTimes(write: (data: string) => void, onData: (listener: (data: string) => void) => void): Promise<number[]> {
  let output = '';
  let seen: (() => void) | undefined;
  onData((data) => {
    output += data;
    if (seen && output.includes('x')) seen();
  });
  const samples: number[] = [];
  for (let i = 0; i < keystrokes; i++) {
    output = '';
    const echoed = new Promise<void>((resolve) => (seen = resolve));
    const start = performance.now();
    write('x');
    await echoed;
    samples.push(performance.now() - start);
    if (i % 50 === 49) write('\x15'); // Ctrl-U: keep the line short
  }
  return samples;
}

async function localPty(): Promise<Figures> {
  const pty = spawn('bash', ['--norc', '--noprofile', '-i'], { name: 'xterm-256color', cols: 120, rows: 40, env: { PATH: process.env.PATH ?? '', PS1: '$ ' } });
  await new Promise((r) => setTimeout(r, 300));
  const echo = await echoTimes((d) => pty.write(d), (listener) => pty.onData(listener));
  pty.kill();
  return { echo };
}

/** The learner's machine shell through the driver itself: what the machine path costs without the app. */
async function machineShell(machineId: string): Promise<Figures> {
  const driver = await chooseDriver(sandboxConfig(process.env), path.resolve('.cache/bench-terminal'));
  const shell: MachineShell = await driver.openShell(machineId, 'bench-direct', { cols: 120, rows: 40 });
  let output = '';
  shell.onData((d) => (output += d));
  shell.write('stty -ixon; echo direct-$((1+1))-ready\r');
  while (!output.includes('direct-2-ready\r\n')) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 300));
  const echo = await echoTimes((d) => shell.write(d), (listener) => shell.onData(listener));
  shell.close();
  return { echo };
}

/** Node's WebSocket client on the learner's terminal `terminal`, acknowledging output as it arrives. */
async function nodeClient(learner: HttpClient, terminal: string, burstBytes: number): Promise<Figures> {
  const ws = learner.socket(`/ws/terminal/${terminal}`);
  const listeners: Array<(data: string) => void> = [];
  let received = 0;
  let ready = false;
  ws.on('message', (raw) => {
    const message = JSON.parse(String(raw)) as { t: string; data?: string };
    if (message.t === 'ready') ready = true;
    if (message.t !== 'output' || message.data === undefined) return;
    ws.send(JSON.stringify({ t: 'ack', chars: (received += message.data.length) }));
    for (const listener of listeners) listener(message.data);
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.send(JSON.stringify({ t: 'hello', lastSeq: 0, cols: 120, rows: 40 }));
  const input = (data: string) => ws.send(JSON.stringify({ t: 'input', data }));
  while (!ready) await new Promise((r) => setTimeout(r, 20));
  let output = '';
  listeners.push((d) => (output += d));
  input('stty -ixon; echo node-$((1+1))-ready\r');
  while (!output.includes('node-2-ready\r\n')) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 300));
  const echo = await echoTimes(input, (listener) => listeners.push(listener));
  listeners.length = 0;
  let chars = 0;
  let tail = '';
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  listeners.push((d) => {
    chars += d.length;
    if ((tail + d).includes('burst-42-end')) finished();
    tail = (tail + d).slice(-64);
  });
  const start = performance.now();
  input(`head -c ${burstBytes} /dev/zero | tr '\\0' y; echo; echo burst-$((40+2))-end\r`);
  await done;
  const burstMBps = chars / 1e6 / ((performance.now() - start) / 1000);
  ws.close();
  return { echo, burstMBps };
}

/** Waits until none of the server's machines is starting, then a moment more. */
async function settled(server: BenchServer): Promise<void> {
  for (let i = 0; i < 90; i++) {
    const { stdout } = await server.unboxed('sandbox', 'ls');
    if (!stdout.split('\n').some((line) => line.split(/\s+/)[3] === 'starting')) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  await new Promise((r) => setTimeout(r, 2000));
}

/** The page's own WebSocket client (terminal-page.js) on terminal `terminal`. */
async function throughTheApp(page: Page, terminal: string, burstBytes: number): Promise<Figures> {
  // Plain JavaScript read from a file: tsx's transform would add helpers the page lacks.
  const inPage = await readFile(new URL('./terminal-page.js', import.meta.url), 'utf8');
  return (await page.evaluate(`(${inPage})(${JSON.stringify({ keystrokes, terminal, burstBytes })})`)) as Figures;
}

/** The last row with text on the lesson terminal's screen (xterm's DOM renderer). */
function lastRowHasPrompt(): boolean {
  const rows = [...document.querySelectorAll('.terminal-view:not([hidden]) .xterm-rows > div')].map((r) => r.textContent ?? '').filter((t) => t.trim() !== '');
  return (rows.at(-1) ?? '').includes('#');
}

/** Ctrl-C in a `yes` flood, `FLOOD_ROUNDS` times: ms from the key to the prompt on screen. */
async function floodInterrupts(page: Page, lesson: string): Promise<number[]> {
  await page.goto(lesson);
  await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 180_000 });
  await page.locator('.terminal-view:not([hidden]) .xterm-helper-textarea').focus();
  await page.keyboard.type('clear');
  await page.keyboard.press('Enter');
  const samples: number[] = [];
  for (let i = 0; i < FLOOD_ROUNDS; i++) {
    await page.keyboard.type('yes');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(1500);
    if (await page.evaluate(lastRowHasPrompt)) throw new Error('the yes flood is not on screen');
    const start = performance.now();
    await page.keyboard.press('Control+C');
    await page.waitForFunction(lastRowHasPrompt, undefined, { polling: 'raf', timeout: 60_000 });
    samples.push(performance.now() - start);
  }
  return samples;
}

const server = await startServer('terminal');
const learners: string[] = [];
const browser = await launchBrowser();
const flooded = await launchBrowser(['--disable-3d-apis']);
try {
  const password = 'a long enough password';
  const learner = new HttpClient(server.base);
  const teacher = new HttpClient(server.base);
  await learner.call('POST', '/api/auth/signup', { email: 'learner@example.org', name: 'Learner', password });
  await teacher.call('POST', '/api/auth/signup', { email: 'teacher@example.org', name: 'Teacher', password });
  await server.unboxed('admin', 'role', '--email', 'teacher@example.org', '--role', 'instructor');
  const created = (await teacher.call('POST', '/api/classes', { name: 'Bench', lessons: ['client-and-daemon'], deadline: '2030-01-01T00:00:00Z' })) as { class: { id: string; joinCode: string } };
  await teacher.call('POST', `/api/classes/${created.class.id}/recording`, { on: true });
  await learner.call('POST', '/api/classes/join', { code: created.class.joinCode });
  // A page load puts the account's learner cookie right.
  await learner.call('GET', '/api/me');
  learners.push(learner.learnerId!);
  const gradebook = (await teacher.call('GET', `/api/classes/${created.class.id}/gradebook`)) as { gradebook: { learners: Array<{ userId: string }> } };
  const userId = gradebook.gradebook.learners[0]!.userId;

  // The pages that measure sit on a JSON answer, not a rendered page: a page's rendering
  // would take this host's cores from the server being measured (in use, the browser is
  // on the learner's own computer). The lesson page is loaded only for the flood's Ctrl-C.
  const anonymousPage = await (await browser.newContext()).newPage();
  await anonymousPage.goto(`${server.base}/api/me`);
  // Each learner's machine is started first, and measured once it and the pool's refill have.
  const started = await anonymousPage.evaluate(() => fetch('/api/machine', { method: 'POST' }).then((r) => r.status));
  if (started !== 200) throw new Error(`POST /api/machine answered ${started}`);
  await settled(server);
  const anonymous = await throughTheApp(anonymousPage, 'bench', 20_000_000);
  const anonymousCookie = (await anonymousPage.context().cookies()).find((c) => c.name === 'unboxed_session');
  if (anonymousCookie) learners.push(anonymousCookie.value.slice(0, anonymousCookie.value.lastIndexOf('.')));

  const signedIn = await browser.newContext();
  await signedIn.addCookies([...learner.cookies].map(([name, value]) => ({ name, value, url: server.base })));
  const learnerPage = await signedIn.newPage();
  await learnerPage.goto(`${server.base}/api/me`);
  await learner.call('POST', '/api/machine');
  await settled(server);
  const node = await nodeClient(learner, 'bench-node', 3_000_000);
  const recorded = await throughTheApp(learnerPage, 'bench', 8_000_000);
  const watch = teacher.socket(`/ws/watch/${created.class.id}/${userId}`);
  await new Promise((resolve, reject) => watch.once('open', resolve).once('error', reject));
  const watched = await throughTheApp(learnerPage, 'bench-watched', 8_000_000);

  const { stdout } = await server.unboxed('sandbox', 'ls');
  const machineId = stdout.split('\n').map((line) => line.split(/\s+/)).find((cols) => cols[2] === learner.learnerId)?.[0];
  if (!machineId) throw new Error(`the learner's machine is not listed:\n${stdout}`);
  const [floor, direct] = [await localPty(), await machineShell(machineId)];

  const floodContext = await flooded.newContext();
  await floodContext.addCookies([...learner.cookies].map(([name, value]) => ({ name, value, url: server.base })));
  const interrupts = await floodInterrupts(await floodContext.newPage(), `${server.base}/lessons/client-and-daemon`);
  watch.close();

  console.log(`keystroke echo, ${keystrokes} keystrokes each; "adds" is against the machine's shell without the app`);
  report('raw local pty (bash, no network)', floor);
  report('machine shell through the driver, no app', direct);
  report("through the app from Node's WebSocket client", node, direct);
  report('through the app from Chromium: anonymous', anonymous, direct);
  report('through the app from Chromium: recorded', recorded, direct);
  report('  … recorded, instructor watching', watched, direct);
  console.log(`${'against the raw local pty, recorded + watched'.padEnd(46)} adds p50 ${us(percentile(watched.echo, 50) - percentile(floor.echo, 50))}, p99 ${us(percentile(watched.echo, 99) - percentile(floor.echo, 99))}`);
  const ms = (v: number) => `${Math.round(v)} ms`;
  console.log(`${'Ctrl-C in a yes flood → prompt on screen'.padEnd(46)} n=${interrupts.length}  p50 ${ms(percentile(interrupts, 50))}  max ${ms(Math.max(...interrupts))}  (${interrupts.map(ms).join(', ')})`);
} finally {
  await browser.close();
  await flooded.close();
  await server.stop(learners);
}
