/**
 * Terminal latency and throughput, printed as figures.
 *
 *   npm run build && npx tsx bench/terminal.ts [keystrokes=300]
 *
 * 1. Baseline: a keystroke echoed by bash through a raw local pty (node-pty), no network.
 * 2. Ours: a keystroke from the browser over the app's WebSocket to the pty, through the
 *    learner machine's shell and back (measured in Chromium, before xterm.js renders).
 * 3. Burst: 20 MB of shell output delivered to the browser, in MB/s.
 * It starts the production server on a free port and one learner machine, and stops both.
 */
import { spawn as spawnChild } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { spawn } from 'node-pty';
import { chromium } from 'playwright-core';
import { percentile } from './percentile.ts';

const keystrokes = Number(process.argv[2] ?? 300);

function report(label: string, samplesMs: readonly number[]): void {
  const us = (ms: number) => `${Math.round(ms * 1000)} µs`;
  console.log(`${label.padEnd(44)} n=${samplesMs.length}  p50 ${us(percentile(samplesMs, 50))}  p99 ${us(percentile(samplesMs, 99))}`);
}

async function localPtyEcho(): Promise<number[]> {
  const pty = spawn('bash', ['--norc', '--noprofile', '-i'], { name: 'xterm-256color', cols: 80, rows: 24, env: { PATH: process.env.PATH ?? '', PS1: '$ ' } });
  let output = '';
  pty.onData((d) => (output += d));
  await new Promise((r) => setTimeout(r, 300));
  const samples: number[] = [];
  for (let i = 0; i < keystrokes; i++) {
    output = '';
    const start = performance.now();
    pty.write('x');
    while (!output.includes('x')) await new Promise((r) => setImmediate(r));
    samples.push(performance.now() - start);
    if (i % 50 === 49) pty.write('\x15'); // Ctrl-U: keep the line short
  }
  pty.kill();
  return samples;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}


async function throughTheApp(): Promise<{ echo: number[]; burstMBps: number }> {
  const port = await freePort();
  const server = spawnChild('node', ['--import', 'tsx', 'server.ts'], {
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port), LOG_LEVEL: 'warn', NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined),
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const page = await browser.newPage();
    for (let i = 0; ; i++) {
      const ok = await page.goto(`http://127.0.0.1:${port}/`).then(
        () => true,
        () => false,
      );
      if (ok) break;
      if (i > 60) throw new Error('the server did not start');
      await new Promise((r) => setTimeout(r, 500));
    }
    // Plain JavaScript read from a file: tsx's transform would add helpers the page lacks.
    const inPage = await readFile(new URL('./terminal-page.js', import.meta.url), 'utf8');
    return (await page.evaluate(`(${inPage})(${keystrokes})`)) as { echo: number[]; burstMBps: number };
  } finally {
    await browser.close();
    server.kill('SIGTERM');
  }
}

console.log(`keystroke echo, ${keystrokes} keystrokes each`);
report('raw local pty (bash, no network)', await localPtyEcho());
const app = await throughTheApp();
report('browser → WS → pty → machine shell → back', app.echo);
console.log(`${'20 MB burst to the browser'.padEnd(44)} ${app.burstMBps.toFixed(1)} MB/s`);
