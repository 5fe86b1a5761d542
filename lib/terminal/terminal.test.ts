import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SessionSigner } from '../auth/session.ts';
import { ptyShell } from '../../sandbox/pty-shell.ts';
import { SiteHosts } from '../server/hosts.ts';
import { routeUpgrades } from '../server/upgrade.ts';
import { TerminalHub, type ShellSource, type TerminalHubOptions } from './hub.ts';
import { CloseCode, MAX_FRAME_BYTES, ServerMessage, TERMINAL_PATH } from './protocol.ts';
import { terminalUpgrade } from './upgrade.ts';

/**
 * The terminal transport end to end on this host: real WebSockets, a real pty and a
 * real bash (no learner machine: the machine-backed path is covered by the e2e suite).
 */
const localBash: ShellSource = {
  shellFor: async (_learner, name, size) => {
    const shell = ptyShell('bash', ['--norc', '--noprofile', '-i'], size, { PS1: `${name}$ `, TERM: 'xterm-256color' });
    return {
      ...shell,
      close: () => {
        closedShells.push(name);
        shell.close();
      },
    };
  },
  touch: () => undefined,
};

let server: Server;
let hub: TerminalHub;
let base: string;
let finished: string[] = [];
/** Terminals whose host-side attachment the hub closed. */
let closedShells: string[] = [];
const signer = new SessionSigner(randomBytes(32));
const alice = signer.issue({ secure: false });
const bob = signer.issue({ secure: false });
const cookie = (s: { setCookie: string }) => s.setCookie.split(';')[0]!;

async function serve(options?: TerminalHubOptions, refusal?: (learner: string) => Promise<string | undefined>): Promise<void> {
  finished = [];
  closedShells = [];
  hub = new TerminalHub(localBash, { commandFinished: (learner, command) => finished.push(`${learner} ${command.terminal} ${command.exitCode}`) }, options);
  server = createServer((_req, res) => res.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const hosts = new SiteHosts([`http://${base}`]);
  server.on('upgrade', routeUpgrades([[TERMINAL_PATH, terminalUpgrade({ hub, sessions: signer, hosts, onError: () => undefined, refusal })]]));
}

afterEach(async () => {
  hub.closeAll();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A test client that records what the server sends, and acknowledges output as rendered on arrival unless told not to. */
class Client {
  readonly messages: ServerMessage[] = [];
  readonly ws: WebSocket;
  readonly closed: Promise<number>;
  private received = 0;

  constructor(
    terminal: string,
    options: { cookie?: string; origin?: string } = {},
    private acking = true,
  ) {
    this.ws = new WebSocket(`ws://${base}${TERMINAL_PATH}/${terminal}`, {
      headers: { ...(options.cookie && { cookie: options.cookie }), origin: options.origin ?? `http://${base}` },
    });
    this.ws.on('message', (raw) => {
      const message = ServerMessage.parse(JSON.parse(String(raw)));
      this.messages.push(message);
      if (message.t !== 'output') return;
      this.received += message.data.length;
      if (this.acking) this.send({ t: 'ack', chars: this.received });
    });
    this.closed = new Promise((resolve) => this.ws.on('close', (code) => resolve(code)));
  }

  /** From now on, acknowledges everything that arrives, starting with what did. */
  startAcking(): void {
    this.acking = true;
    this.send({ t: 'ack', chars: this.received });
  }

  async hello(lastSeq = 0, epoch?: string): Promise<this> {
    await new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
    this.send({ t: 'hello', lastSeq, epoch, cols: 80, rows: 24 });
    await this.until(() => this.messages.some((m) => m.t === 'ready'));
    return this;
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  type(text: string): void {
    this.send({ t: 'input', data: text });
  }

  get output(): string {
    return this.messages.flatMap((m) => (m.t === 'output' ? [m.data] : [])).join('');
  }

  get lastSeq(): number {
    return Math.max(0, ...this.messages.flatMap((m) => (m.t === 'output' ? [m.seq] : [])));
  }

  get epoch(): string | undefined {
    return this.messages.flatMap((m) => (m.t === 'ready' ? [m.epoch] : [])).at(-1);
  }

  async until(done: () => boolean, ms = 10_000): Promise<void> {
    const end = Date.now() + ms;
    while (!done()) {
      if (Date.now() > end) throw new Error(`timed out; output so far: ${JSON.stringify(this.output.slice(-300))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** What an HTTP upgrade is answered with when it is refused. */
function refusal(terminal: string, options: { cookie?: string; origin?: string; host?: string }): Promise<number> {
  const ws = new WebSocket(`ws://${base}${TERMINAL_PATH}/${terminal}`, {
    headers: { ...(options.cookie && { cookie: options.cookie }), ...(options.origin && { origin: options.origin }), ...(options.host && { host: options.host }) },
  });
  return new Promise((resolve, reject) => {
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => reject(new Error('the upgrade was accepted')));
  });
}

describe('terminal sessions', () => {
  beforeEach(() => serve());

  it('runs a command and streams its output', async () => {
    const client = await new Client('1', { cookie: cookie(alice) }).hello();
    client.type('echo $((6*7))-done\r');
    await client.until(() => client.output.includes('42-done'));
  });

  it('reports each command the shell marks as finished (OSC 133;D), even split across chunks', async () => {
    const client = await new Client('1', { cookie: cookie(alice) }).hello();
    client.type("printf '\\033]133;D;0\\007'; printf '\\033]13'; sleep 0.2; printf '3;D;1\\007'; echo marks-sent\r");
    await client.until(() => client.output.includes('marks-sent\r\n'));
    await client.until(() => finished.length === 2);
    expect(finished).toEqual([`${alice.id} 1 0`, `${alice.id} 1 1`]);
  });

  it('replays exactly what a reconnecting client missed: no duplicates, no gaps', async () => {
    const first = await new Client('1', { cookie: cookie(alice) }).hello();
    first.type('for i in $(seq 1 30); do echo "line-$i"; sleep 0.03; done; echo finished\r');
    await first.until(() => first.output.includes('line-5'));
    const seen = first.lastSeq;
    const epoch = first.epoch;
    const before = first.output;
    first.ws.close();
    await first.closed;

    await new Promise((r) => setTimeout(r, 400)); // output keeps coming while nobody is attached
    const second = await new Client('1', { cookie: cookie(alice) }).hello(seen, epoch);
    await second.until(() => second.output.includes('finished'));
    const whole = before + second.output;
    const lines = whole.match(/^line-\d+/gm) ?? [];
    expect(lines).toEqual(Array.from({ length: 30 }, (_, i) => `line-${i + 1}`));
    expect(second.messages.find((m) => m.t === 'output')).toMatchObject({ seq: seen + 1 });
  });

  it('gives a client from another epoch (a restarted server) the whole buffer', async () => {
    const client = await new Client('1', { cookie: cookie(alice) }).hello();
    client.type('echo epoch-test\r');
    await client.until(() => client.output.includes('epoch-test\r\n'));
    client.ws.close();
    const stale = await new Client('1', { cookie: cookie(alice) }).hello(10_000, 'an-old-epoch');
    await stale.until(() => stale.output.includes('epoch-test'));
  });

  it('hands the terminal to a newer connection and tells the older one', async () => {
    const older = await new Client('1', { cookie: cookie(alice) }).hello();
    const newer = await new Client('1', { cookie: cookie(alice) }).hello();
    expect(await older.closed).toBe(CloseCode.takenOver);
    expect(older.messages.some((m) => m.t === 'taken-over')).toBe(true);
    newer.type('echo still-here\r');
    await newer.until(() => newer.output.includes('still-here\r\n'));
  });

  it('keeps learners apart: the same terminal name is a different shell per session', async () => {
    const a = await new Client('1', { cookie: cookie(alice) }).hello();
    a.type('export SECRET=alice-only\r');
    await a.until(() => a.output.includes('1$ ') && a.output.split('1$ ').length > 2);
    const b = await new Client('1', { cookie: cookie(bob) }).hello();
    b.type('echo "[${SECRET:-unset}]"\r');
    await b.until(() => b.output.includes('[unset]'));
    expect(hub.list(alice.id)).toEqual(['1']);
    expect(hub.list(bob.id)).toEqual(['1']);
  });

  it('stops reading the shell while the client has not rendered a window of output (backpressure), then goes on', async () => {
    const client = await new Client('1', { cookie: cookie(alice) }, false).hello();
    client.type('yes | head -c 4000000; echo flood-$((5+5))\r');
    await new Promise((r) => setTimeout(r, 700));
    // A window (128 KiB) and the message that crossed it (64 KiB at most): not 4 MB.
    expect(client.output.length).toBeGreaterThan(100_000);
    expect(client.output.length).toBeLessThan(200_000);
    client.startAcking();
    await client.until(() => client.output.includes('flood-10'), 30_000);
    expect(client.output.length).toBeGreaterThan(4_000_000);
  });

  it('drops what a flood printed before Ctrl-C: the prompt comes next, after a line saying how much was skipped', async () => {
    const client = await new Client('1', { cookie: cookie(alice) }, false).hello();
    // The machine's shell marks each command's end (sandbox/image/provision.sh); this bash is told to.
    client.type(`PROMPT_COMMAND='printf "\\033]133;D;%s\\007" $?'\r`);
    client.type('yes flood\r');
    await client.until(() => client.output.length > 100_000);
    await new Promise((r) => setTimeout(r, 300));
    client.type('\x03');
    client.startAcking();
    client.type('echo "after=$((6*7))"\r');
    await client.until(() => client.output.includes('after=42'));
    const notice = client.output.indexOf('of output printed before Ctrl-C skipped]');
    expect(notice).toBeGreaterThan(0);
    expect(client.output.slice(notice)).not.toContain('flood\r\n');
  });

  it('without a mark, shows the last lines dropped once the output pauses, so the prompt is kept', async () => {
    const client = await new Client('1', { cookie: cookie(alice) }, false).hello();
    client.type('yes flood\r');
    await client.until(() => client.output.length > 100_000);
    await new Promise((r) => setTimeout(r, 300));
    client.type('\x03');
    client.startAcking();
    // A local pty queues little (no notice for that); the prompt is what matters.
    await client.until(() => /\^C\r\n(\x1b\[\?2004h)?1\$ $/.test(client.output));
  });

  it('drops nothing on a Ctrl-C with no flood', async () => {
    const client = await new Client('1', { cookie: cookie(alice) }).hello();
    // What the program prints on Ctrl-C (9 kB) would be dropped, were this taken for a flood.
    client.type(`bash -c 'trap "seq 1 2000; exit" INT; echo waiting; sleep 5'\r`);
    await client.until(() => client.output.includes('waiting\r\n'));
    await new Promise((r) => setTimeout(r, 300));
    client.type('\x03');
    client.type('echo "after=$((6*7))"\r');
    await client.until(() => client.output.includes('after=42'));
    expect(client.output).toContain('\r\n1\r\n2\r\n');
    expect(client.output).toContain('\r\n2000\r\n');
    expect(client.output).not.toContain('skipped');
  });

  it('counts only what it sent: an ack beyond it does not open the window', async () => {
    const client = await new Client('1', { cookie: cookie(alice) }, false).hello();
    client.send({ t: 'ack', chars: 1e12 });
    client.type('yes | head -c 4000000; echo flood-$((5+5))\r');
    await new Promise((r) => setTimeout(r, 700));
    expect(client.output.length).toBeGreaterThan(100_000);
    expect(client.output.length).toBeLessThan(200_000);
  });
});

describe('terminal door', () => {
  beforeEach(() => serve());

  it('refuses a foreign Origin with 403 (cross-site WebSocket hijacking)', async () => {
    expect(await refusal('1', { cookie: cookie(alice), origin: 'http://evil.example' })).toBe(403);
    expect(await refusal('1', { cookie: cookie(alice) })).toBe(403);
  });

  it("refuses a page on another name for this address (DNS rebinding) with 403, though its Origin matches the Host it sends", async () => {
    const rebound = `rebound.example:${new URL(`http://${base}`).port}`;
    expect(await refusal('1', { cookie: cookie(alice), origin: `http://${rebound}`, host: rebound })).toBe(403);
  });

  it('refuses a missing or forged session with 401', async () => {
    expect(await refusal('1', { origin: `http://${base}` })).toBe(401);
    const forged = `${cookie(alice).split('.')[0]}.not-the-signature`;
    expect(await refusal('1', { cookie: forged, origin: `http://${base}` })).toBe(401);
  });

  it('refuses a bad terminal name with 400', async () => {
    expect(await refusal('Not_A_Name', { cookie: cookie(alice), origin: `http://${base}` })).toBe(400);
  });

  it('closes on a malformed message and on an oversized frame', async () => {
    const client = await new Client('1', { cookie: cookie(alice) }).hello();
    client.ws.send('{"t":"input"}');
    expect(await client.closed).toBe(CloseCode.badMessage);

    const big = await new Client('2', { cookie: cookie(alice) }).hello();
    big.ws.send('x'.repeat(MAX_FRAME_BYTES + 1));
    expect(await big.closed).toBe(1009);
  });

  it('requires a hello first', async () => {
    const client = new Client('1', { cookie: cookie(alice) });
    await new Promise((resolve) => client.ws.once('open', resolve));
    client.type('echo sneaky\r');
    expect(await client.closed).toBe(CloseCode.badMessage);
    expect(hub.list(alice.id)).toEqual([]);
  });
});

describe('who gets a machine', () => {
  it('tells a learner the server turns away why, before any shell starts, and the page does not retry', async () => {
    await serve(undefined, async (learner) => (learner === alice.id ? 'Sign in to get your machine.' : undefined));
    const refused = new Client('1', { cookie: cookie(alice) });
    await new Promise((resolve) => refused.ws.once('open', resolve));
    refused.send({ t: 'hello', lastSeq: 0, cols: 80, rows: 24 });
    expect(await refused.closed).toBe(CloseCode.signInRequired);
    expect(refused.messages).toEqual([{ t: 'error', message: 'Sign in to get your machine.' }]);
    expect(hub.list(alice.id)).toEqual([]);
    const welcome = await new Client('1', { cookie: cookie(bob) }).hello();
    welcome.type('echo in\r');
    await welcome.until(() => welcome.output.includes('in\r\n'));
  });
});

describe('terminal limits', () => {
  beforeEach(() => serve());

  it('refuses a 9th terminal, saying why and what to do, and still reattaches the 8 open ones', async () => {
    const open = await Promise.all(['1', '2', '3', '4', '5', '6', '7', '8'].map((name) => new Client(name, { cookie: cookie(alice) }).hello()));
    expect(hub.list(alice.id)).toHaveLength(8);

    const ninth = new Client('9', { cookie: cookie(alice) });
    await new Promise((resolve) => ninth.ws.once('open', resolve));
    ninth.send({ t: 'hello', lastSeq: 0, cols: 80, rows: 24 });
    expect(await ninth.closed).toBe(CloseCode.tooManyTerminals);
    expect(ninth.messages).toEqual([{ t: 'error', message: 'You already have 8 terminals open, the most one learner may have. Close one (type exit in it) and try again.' }]);
    expect(hub.list(alice.id)).not.toContain('9');

    const again = await new Client('3', { cookie: cookie(alice) }).hello();
    expect(await open[2]!.closed).toBe(CloseCode.takenOver);
    again.type('echo back-in-3\r');
    await again.until(() => again.output.includes('back-in-3\r\n'));
    // Another learner has a limit of their own.
    await new Client('9', { cookie: cookie(bob) }).hello();
  });
});

describe('detached terminals', () => {
  beforeEach(() => serve({ detachedCloseMs: 300 }));

  /** The pid of the bash behind `client`. */
  async function shellPid(client: Client): Promise<number> {
    client.type('echo "pid=$$"\r');
    await client.until(() => /pid=\d+/.test(client.output));
    return Number(/pid=(\d+)/.exec(client.output)![1]);
  }

  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('closes the host side of a terminal nobody is attached to', async () => {
    const client = await new Client('1', { cookie: cookie(alice) }).hello();
    const pid = await shellPid(client);
    client.ws.close();
    await client.closed;

    await client.until(() => closedShells.length > 0, 2000);
    expect(closedShells).toEqual(['1']);
    expect(hub.list(alice.id)).toEqual([]);
    await client.until(() => !alive(pid), 2000);

    // The next attach opens a new attachment.
    const next = await new Client('1', { cookie: cookie(alice) }).hello(client.lastSeq, client.epoch);
    expect(next.epoch).not.toBe(client.epoch);
    expect(await shellPid(next)).not.toBe(pid);
  });

  it('keeps a terminal whose client comes back in time', async () => {
    const first = await new Client('1', { cookie: cookie(alice) }).hello();
    const pid = await shellPid(first);
    first.ws.close();
    await first.closed;

    await new Promise((r) => setTimeout(r, 150));
    const second = await new Client('1', { cookie: cookie(alice) }).hello(first.lastSeq, first.epoch);
    await new Promise((r) => setTimeout(r, 500));
    expect(closedShells).toEqual([]);
    expect(second.epoch).toBe(first.epoch);
    expect(await shellPid(second)).toBe(pid);
  });
});
