import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

/**
 * The real server (server.ts, production build) on a loopback port of its own, for tests
 * that go through HTTP and WebSockets as a browser does. `env` adds to the test's own.
 */
export class TestServer {
  private child: ChildProcess | undefined;

  constructor(
    readonly port: number,
    private readonly env: Readonly<Record<string, string>>,
    /** How long the server may take to answer (several starting side by side on a busy host take longer). @default 120_000 */
    private readonly startTimeoutMs = 120_000,
  ) {}

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const env = { ...process.env, NODE_ENV: 'production' as const, HOST: '127.0.0.1', PORT: String(this.port), LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', NEXT_TELEMETRY_DISABLED: '1', ...this.env };
    const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    // Passed on as it comes, and its end kept for the error of a server that stops while
    // starting: a CI log shows a suite's failures, where the server's own words were missing.
    let said = '';
    const keep = (out: NodeJS.WriteStream) => (chunk: Buffer) => {
      out.write(chunk);
      said = (said + chunk.toString()).slice(-2000);
    };
    child.stdout.on('data', keep(process.stdout));
    child.stderr.on('data', keep(process.stderr));
    const deadline = Date.now() + this.startTimeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode} while starting; it said:\n${said.trim()}`);
      const up = await fetch(`${this.origin}/api/me`).catch(() => undefined);
      if (up?.ok) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`the server did not answer within ${this.startTimeoutMs / 1000} s`);
  }

  kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    this.child = undefined;
    return new Promise((resolve) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  /** The server's process id while it runs (it names the server's keeper lease). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined;
  }
}
