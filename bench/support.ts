/**
 * What the benches that drive a real server share: the production server on a free port
 * over a throwaway data folder, a signed-in person's HTTP client, the browser.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import WebSocket from 'ws';
import { freePort } from '../tests/support/server.ts';

const run = promisify(execFile);

export interface BenchServer {
  readonly base: string;
  /** The operator's command line against this server's data. */
  unboxed(...args: string[]): Promise<{ stdout: string }>;
  /** Stops the server, removes the machines of these learners and its warm pool, and its data. */
  stop(learners: readonly string[]): Promise<void>;
}

/** The production server (`npm run build` first) on a free port over a throwaway data folder, once it answers. */
export async function startServer(name: string): Promise<BenchServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `unboxed-bench-${name}-`));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', NEXT_TELEMETRY_DISABLED: '1', UNBOXED_DATA_DIR: dataDir };
  const server = spawn('node', ['--import', 'tsx', 'server.ts'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  const unboxed = (...args: string[]) => run('node', ['--import', 'tsx', 'bin/unboxed.ts', ...args], { env });
  for (let i = 0; ; i++) {
    if (await fetch(base).then(() => true, () => false)) break;
    if (i > 120 || server.exitCode !== null) throw new Error('the server did not start');
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    base,
    unboxed,
    async stop(learners) {
      server.kill('SIGTERM');
      if (server.exitCode === null) await new Promise((resolve) => server.once('exit', resolve));
      const { stdout } = await unboxed('sandbox', 'ls');
      const mine = stdout
        .split('\n')
        .map((line) => line.split(/\s+/))
        .filter((cols) => cols[2] !== undefined && (learners.includes(cols[2]) || cols[2] === '(pool)'))
        .map((cols) => cols[0]!);
      if (mine.length > 0) await unboxed('sandbox', 'rm', ...mine);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A browser's cookie jar over fetch, sending this site's Origin. */
export class HttpClient {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  async call(method: string, url: string, body?: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(`${this.base}${url}`, {
      method,
      headers: { origin: this.base, cookie: this.cookie, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const set of response.headers.getSetCookie()) {
      const pair = set.split(';')[0]!;
      this.cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  }

  get cookie(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** The learner id the server gave this client (its session cookie's id). */
  get learnerId(): string | undefined {
    const session = this.cookies.get('unboxed_session');
    return session?.slice(0, session.lastIndexOf('.'));
  }

  socket(url: string): WebSocket {
    return new WebSocket(`${this.base.replace('http', 'ws')}${url}`, { headers: { cookie: this.cookie, origin: this.base } });
  }
}

/** Debian's chromium where it is (this project's CI), Playwright's own browser elsewhere. */
export function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined),
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', ...extraArgs],
  });
}
