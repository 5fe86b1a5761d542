import { RenderAcks } from './flow-control.ts';
import { ClientMessage, CloseCode, ServerMessage, TERMINAL_PATH, type WatchNotice } from './protocol.ts';

export type ConnectionState =
  | { readonly kind: 'connecting'; readonly attempt: number }
  | { readonly kind: 'starting'; readonly message: string }
  | { readonly kind: 'connected' }
  | { readonly kind: 'waiting'; readonly retryInMs: number }
  | { readonly kind: 'taken-over' }
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'failed'; readonly message: string };

export interface ConnectionEvents {
  /** Output to write to the screen, in order, never twice; call `rendered` once it is on the screen (flow control). */
  output(data: string, rendered: () => void): void;
  state(state: ConnectionState): void;
  /** The server lost output the client never saw (it was offline too long). */
  gap(droppedChunks: number): void;
  size(): { cols: number; rows: number };
  /** Something the learner must be told that is not the shell's output (their machine was reset, and by whom). */
  notice(message: string): void;
  /** Who watches the learner now (an instructor of their class), and any take-over. */
  watch(notice: WatchNotice): void;
}

/** Backoff between reconnects: 250 ms doubling to 5 s (Educates' schedule). */
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5000;

/**
 * The browser end of one terminal: a WebSocket that reconnects with backoff and
 * resumes after the last output it saw, so a reload or a network drop loses nothing.
 */
export class TerminalConnection {
  private socket: WebSocket | undefined;
  private epoch: string | undefined;
  private lastSeq = 0;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    private readonly name: string,
    private readonly events: ConnectionEvents,
  ) {}

  connect(): void {
    if (this.disposed) return;
    clearTimeout(this.retryTimer);
    this.attempt += 1;
    this.events.state({ kind: 'connecting', attempt: this.attempt });
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${location.host}${TERMINAL_PATH}/${this.name}`);
    this.socket = socket;
    // Flow control counts per connection, from zero.
    const acks = new RenderAcks();
    socket.onopen = () => this.send({ t: 'hello', epoch: this.epoch, lastSeq: this.lastSeq, ...this.events.size() });
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      this.receive(String(event.data), acks, (chars) => {
        const total = acks.done(chars);
        // An ack of an older connection's output would count against the new one's window.
        if (total !== undefined && this.socket === socket) this.send({ t: 'ack', chars: total });
      });
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (event.code === CloseCode.takenOver) return this.events.state({ kind: 'taken-over' });
      // A fresh machine is on its way: attach at once (the server holds the attach until it runs).
      if (event.code === CloseCode.machineReset) {
        this.attempt = 0;
        return this.connect();
      }
      // The learner has to act first (close a terminal, sign in): retrying would only be refused again.
      if (event.code === CloseCode.exited || event.code === CloseCode.tooManyTerminals || event.code === CloseCode.signedOut || event.code === CloseCode.signInRequired) return;
      this.scheduleRetry();
    };
  }

  /** Sends if connected; returns whether the message left. */
  send(message: ClientMessage): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    this.socket?.close(1000, 'closed by the page');
  }

  /** `done` counts output characters rendered or skipped, for the server's window (`acks`). */
  private receive(text: string, acks: RenderAcks, done: (chars: number) => void): void {
    const parsed = ServerMessage.safeParse(JSON.parse(text));
    if (!parsed.success) return;
    const message = parsed.data;
    switch (message.t) {
      case 'status':
        this.events.state({ kind: 'starting', message: message.message });
        return;
      case 'ready':
        if (message.epoch !== this.epoch) this.lastSeq = 0;
        this.epoch = message.epoch;
        this.attempt = 0;
        this.events.state({ kind: 'connected' });
        return;
      case 'output': {
        const chars = message.data.length;
        acks.arrived(chars);
        // A replay may overlap what this page already wrote; keep each chunk once.
        if (message.seq <= this.lastSeq) return done(chars);
        this.lastSeq = message.seq;
        this.events.output(message.data, () => done(chars));
        return;
      }
      case 'gap':
        this.events.gap(message.droppedChunks);
        return;
      case 'taken-over':
        this.events.state({ kind: 'taken-over' });
        return;
      case 'exit':
        this.events.state({ kind: 'exited', code: message.code });
        return;
      case 'machine-reset':
        this.events.notice(message.message);
        return;
      case 'error':
        this.events.state({ kind: 'failed', message: message.message });
        return;
      case 'watch':
        this.events.watch({ watchers: message.watchers, takeover: message.takeover });
        return;
    }
  }

  private scheduleRetry(): void {
    if (this.disposed) return;
    const retryInMs = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, this.attempt - 1));
    this.events.state({ kind: 'waiting', retryInMs });
    this.retryTimer = setTimeout(() => this.connect(), retryInMs);
  }
}
