import WebSocket from 'ws';
import { ServerMessage } from '../../lib/terminal/protocol.ts';

/** An anonymous visitor's session cookie, issued by the server at `origin`. */
export async function visitorCookie(origin: string): Promise<string> {
  const response = await fetch(`${origin}/api/me`);
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error(`${origin}/api/me issued no session cookie`);
  return cookie;
}

/**
 * A terminal as the browser opens it (the real WebSocket protocol), for tests and
 * benches that drive a server without a browser.
 */
export class TerminalSocket {
  /** Everything the shell printed since the last `clear`. */
  output = '';
  closed: { code: number; reason: string } | undefined;
  /** Every status line and notice the server sent (machine start progress, a reset or a lost machine). */
  readonly notices: string[] = [];
  private readonly ws: WebSocket;
  private readonly listeners = new Set<() => void>();
  private received = 0;
  /** The server sent `ready`: set before the listeners hear of it, so `open` sees it even when no output follows (a reattach to a quiet shell). */
  private ready = false;

  private constructor(origin: string, terminal: string, cookie: string) {
    this.ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/ws/terminal/${terminal}`, { headers: { cookie, origin } });
    this.ws.on('message', (raw) => {
      const message = ServerMessage.parse(JSON.parse(String(raw)));
      if (message.t === 'output') {
        this.output += message.data;
        // Rendered on arrival: acknowledged at once (lib/terminal/flow-control.ts).
        this.ws.send(JSON.stringify({ t: 'ack', chars: (this.received += message.data.length) }));
      }
      if (message.t === 'ready') this.ready = true;
      if (message.t === 'status' || message.t === 'machine-reset') this.notices.push(message.message);
      if (message.t === 'error' || message.t === 'exit') this.output += `\n[${message.t}: ${JSON.stringify(message)}]\n`;
      for (const listener of this.listeners) listener();
    });
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      for (const listener of this.listeners) listener();
    });
  }

  /** Opens terminal `terminal` of the cookie's learner on the server at `origin`; resolves once its shell is ready. */
  static async open(origin: string, terminal: string, cookie: string, timeoutMs = 180_000): Promise<TerminalSocket> {
    const socket = new TerminalSocket(origin, terminal, cookie);
    await new Promise<void>((resolve, reject) => {
      socket.ws.once('open', () => resolve());
      socket.ws.once('error', reject);
    });
    socket.ws.send(JSON.stringify({ t: 'hello', lastSeq: 0, cols: 100, rows: 30 }));
    await socket.until(() => socket.ready, timeoutMs, 'the terminal to be ready');
    return socket;
  }

  input(data: string): void {
    this.ws.send(JSON.stringify({ t: 'input', data }));
  }

  /** Runs `command` and resolves with the output once `marker` shows up in it. */
  async run(command: string, marker: string | RegExp, timeoutMs = 15_000): Promise<string> {
    this.output = '';
    this.input(`${command}\r`);
    const seen = () => (typeof marker === 'string' ? this.output.includes(marker) : marker.test(this.output));
    await this.until(seen, timeoutMs, `${String(marker)} after '${command}'`);
    return this.output;
  }

  close(): void {
    this.ws.close();
  }

  private until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (done()) finish();
        else if (this.closed) finish(new Error(`the terminal closed (${this.closed.code} ${this.closed.reason}) waiting for ${what}; output: ${this.output.slice(-300)}`));
      };
      const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; output: ${this.output.slice(-300)}`)), timeoutMs);
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        if (error) reject(error);
        else resolve();
      };
      this.listeners.add(check);
      check();
    });
  }
}
