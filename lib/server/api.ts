import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LiveChecks } from '../checks/live.ts';
import type { ResultStore } from '../checks/store.ts';
import type { TerminalHub } from '../terminal/hub.ts';
import { sameOrigin } from './origin.ts';

const LESSON_EVENTS = /^\/api\/lessons\/([a-z0-9-]{1,80})\/events$/;
const LESSON_CHECK = /^\/api\/lessons\/([a-z0-9-]{1,80})\/check$/;

export interface ApiDeps {
  readonly hub: TerminalHub;
  readonly live: LiveChecks;
  readonly results: ResultStore;
  readonly extraOrigins: readonly string[];
}

/**
 * The server's own endpoints, beside Next's pages: they need the terminal hub and the
 * live checks, which live in this process. Returns false for any other URL.
 */
export function handleApi(req: IncomingMessage, res: ServerResponse, learner: string, deps: ApiDeps): boolean {
  const pathname = new URL(req.url ?? '/', 'http://unboxed.invalid').pathname;
  if (req.method === 'GET' && pathname === '/api/terminals') {
    json(res, 200, { terminals: deps.hub.list(learner) });
    return true;
  }
  if (req.method === 'GET' && pathname === '/api/progress') {
    deps.results
      .passedPerLesson(learner)
      .then((passed) => json(res, 200, { passed }))
      .catch((error: unknown) => json(res, 500, { error: error instanceof Error ? error.message : 'progress unavailable' }));
    return true;
  }
  const events = LESSON_EVENTS.exec(pathname);
  if (req.method === 'GET' && events) {
    streamResults(req, res, learner, events[1]!, deps.live);
    return true;
  }
  const check = LESSON_CHECK.exec(pathname);
  if (check) {
    if (req.method !== 'POST') return json(res, 405, { error: 'use POST' }), true;
    // A state-changing request: only from this site's own pages.
    if (!sameOrigin(req, deps.extraOrigins)) return json(res, 403, { error: 'cross-site request refused' }), true;
    const slug = check[1]!;
    deps.live
      .check(learner, [slug])
      .then(() => deps.live.snapshot(learner, slug))
      .then((results) => json(res, 200, { results }))
      .catch((error: unknown) => json(res, 500, { error: error instanceof Error ? error.message : 'check failed' }));
    return true;
  }
  return false;
}

/** Server-sent events: the current results, then every new one, until the page closes. */
function streamResults(req: IncomingMessage, res: ServerResponse, learner: string, slug: string, live: LiveChecks): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
  const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
  const stop = live.watch(learner, slug, send);
  void live.snapshot(learner, slug).then((results) => results.forEach(send));
  // Proxies close quiet connections; a comment every 25 s keeps this one open.
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
  req.on('close', () => {
    clearInterval(keepAlive);
    stop();
  });
  // Opening the lesson is a good moment to see where the learner stands.
  live.commandFinished(learner);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}
