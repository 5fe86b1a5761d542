import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SessionTie } from '../auth/identity.ts';
import type { SessionSigner } from '../auth/session.ts';
import type { SiteHosts } from '../server/hosts.ts';
import { TerminalLimitError, type TerminalHub } from './hub.ts';
import { ClientMessage, CloseCode, MAX_FRAME_BYTES, TERMINAL_PATH, TerminalName, type ServerMessage } from './protocol.ts';

/** How long a new connection may take to say hello. */
const HELLO_TIMEOUT_MS = 10_000;
const SESSION_ENDED = 'Your session ended (you signed out, or an admin signed you out). Sign in again to reach your machine.';

export interface TerminalUpgradeOptions {
  readonly hub: TerminalHub;
  readonly sessions: SessionSigner;
  /** This site's origins: a terminal opens only for a page of one of them. */
  readonly hosts: Pick<SiteHosts, 'allowsOrigin'>;
  readonly onError: (error: unknown, learner: string, terminal: string) => void;
  /** Why this learner gets no machine at all (told on the socket, never retried), or undefined. */
  readonly refusal?: (learner: string) => Promise<string | undefined>;
}

/**
 * The terminal's WebSocket door. Before upgrading it checks, in order: the path names a
 * terminal (400), the Origin is this site's (403: cross-site WebSocket hijacking), the
 * signed session cookie is there (401). Messages are size-bounded and schema-checked.
 * Opened under an account's session (`tie`, from Identities.guardUpgrade), the socket is
 * closed when that session ends.
 */
export function terminalUpgrade({ hub, sessions, hosts, onError, refusal }: TerminalUpgradeOptions) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  return (req: IncomingMessage, socket: Duplex, head: Buffer, tie?: SessionTie): void => {
    const url = new URL(req.url ?? '/', 'http://unboxed.invalid');
    const name = TerminalName.safeParse(url.pathname.slice(TERMINAL_PATH.length + 1));
    if (!name.success) return refuse(socket, 400, 'Bad Request');
    if (!hosts.allowsOrigin(req.headers.origin)) return refuse(socket, 403, 'Forbidden');
    const learner = sessions.read(req.headers.cookie);
    if (!learner) return refuse(socket, 401, 'Unauthorized');

    wss.handleUpgrade(req, socket, head, (ws) => {
      if (tie) ws.once('close', tie(() => endWithSession(ws)));
      awaitHello(ws, learner, name.data);
    });
  };

  function endWithSession(ws: WebSocket): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'error', message: SESSION_ENDED } satisfies ServerMessage));
    ws.close(CloseCode.signedOut, 'session ended');
  }

  function awaitHello(ws: WebSocket, learner: string, terminal: string): void {
    const send = (message: ServerMessage) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(message));
    // Protocol errors (an oversized frame: 1009) close the socket; without a listener
    // they would be thrown as unhandled 'error' events and take the server down.
    ws.on('error', () => ws.terminate());
    const timer = setTimeout(() => ws.close(CloseCode.badMessage, 'no hello'), HELLO_TIMEOUT_MS);
    ws.once('message', async (raw, isBinary) => {
      clearTimeout(timer);
      const hello = isBinary ? undefined : parseHello(String(raw));
      if (!hello) {
        send({ t: 'error', message: 'the first message must be a valid hello' });
        ws.close(CloseCode.badMessage, 'bad hello');
        return;
      }
      const refused = await refusal?.(learner).catch((error: unknown) => {
        onError(error, learner, terminal);
        return 'the server could not tell whether you may have a machine; reload the page to try again';
      });
      if (refused) {
        send({ t: 'error', message: refused });
        ws.close(CloseCode.signInRequired, 'sign in required');
        return;
      }
      hub.attach(learner, terminal, ws, hello, (message) => send({ t: 'status', message })).catch((error: unknown) => {
        // A refusal, not a failure: the learner is told, nothing is logged.
        if (error instanceof TerminalLimitError) {
          send({ t: 'error', message: error.message });
          ws.close(CloseCode.tooManyTerminals, 'too many terminals');
          return;
        }
        onError(error, learner, terminal);
        send({ t: 'error', message: error instanceof Error ? error.message : 'the terminal could not start' });
        ws.close(1011, 'terminal could not start');
      });
    });
  }
}

function parseHello(text: string) {
  try {
    const message = ClientMessage.safeParse(JSON.parse(text));
    return message.success && message.data.t === 'hello' ? message.data : undefined;
  } catch {
    return undefined;
  }
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
