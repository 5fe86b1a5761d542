import { CloseCode, WATCH_PATH, WatchServerMessage, type WatchClientMessage } from './protocol.ts';

export type WatchConnectionState =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'connected' }
  | { readonly kind: 'waiting'; readonly retryInMs: number }
  | { readonly kind: 'failed'; readonly message: string };

export interface WatchConnectionEvents {
  /** Every message the server sends; `watching` starts a fresh replay (after a reconnect too). */
  message(message: WatchServerMessage): void;
  state(state: WatchConnectionState): void;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5000;
const REFUSED =
  'You cannot watch this learner: only the instructor of a class they are in (or an admin) can, while signed in. Sign in again, or open the watch from your gradebook.';

/**
 * The instructor's end of a watch: a WebSocket to `/ws/watch/<classId>/<userId>` that
 * reconnects with backoff. The door refuses with an HTTP status a browser cannot read,
 * so a socket that never opened is taken as refused and not retried.
 */
export class WatchConnection {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    private readonly classId: string,
    private readonly userId: string,
    private readonly events: WatchConnectionEvents,
  ) {}

  connect(): void {
    if (this.disposed) return;
    clearTimeout(this.retryTimer);
    this.attempt += 1;
    this.events.state({ kind: 'connecting' });
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${location.host}${WATCH_PATH}/${encodeURIComponent(this.classId)}/${encodeURIComponent(this.userId)}`);
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.attempt = 0;
      this.events.state({ kind: 'connected' });
    };
    socket.onmessage = (event) => {
      const parsed = WatchServerMessage.safeParse(JSON.parse(String(event.data)));
      if (parsed.success) this.events.message(parsed.data);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket || this.disposed) return;
      this.socket = undefined;
      if (!opened) return this.events.state({ kind: 'failed', message: REFUSED });
      if (event.code === CloseCode.signedOut) return this.events.state({ kind: 'failed', message: 'Your session ended. Sign in again to watch.' });
      if (event.code === CloseCode.watchNotAllowed) return this.events.state({ kind: 'failed', message: 'You may no longer watch this learner (they left the class, or your role changed).' });
      if (event.code === CloseCode.badMessage) return this.events.state({ kind: 'failed', message: 'The server refused a message from this page; reload it.' });
      const retryInMs = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, this.attempt - 1));
      this.events.state({ kind: 'waiting', retryInMs });
      this.retryTimer = setTimeout(() => this.connect(), retryInMs);
    };
  }

  /** Sends if connected; returns whether the message left. */
  send(message: WatchClientMessage): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    this.socket?.close(1000, 'closed by the page');
  }
}
