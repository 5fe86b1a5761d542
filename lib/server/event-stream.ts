import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Identity } from '../auth/identity.ts';
import type { ApiDeps } from './api.ts';

export interface EventStream {
  /** Writes one JSON event. */
  send(data: unknown): void;
  /** Runs `stop` when the stream ends: the page went away, or the account's session ended. */
  onClose(stop: () => void): void;
}

/**
 * Opens a server-sent event stream. An account's stream ends with the session that opened
 * it (sign-out, revocation).
 */
export function openEventStream(req: IncomingMessage, res: ServerResponse, identity: Identity, deps: Pick<ApiDeps, 'sessions'>): EventStream {
  const { account, sessionId } = identity;
  if (account && sessionId) res.once('close', deps.sessions.hold({ id: sessionId, account }, () => res.end()));
  // X-Accel-Buffering: nginx would otherwise hold the events back in its buffer.
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  // Node sends the headers with the first write: one now, so the browser's EventSource opens
  // before any event exists (and reconnects after 3 s if the stream drops).
  res.write('retry: 3000\n: open\n\n');
  // Proxies close quiet connections; a comment every 25 s keeps this one open.
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
  req.on('close', () => clearInterval(keepAlive));
  return {
    send: (data) => res.write(`data: ${JSON.stringify(data)}\n\n`),
    onClose: (stop) => req.on('close', stop),
  };
}
