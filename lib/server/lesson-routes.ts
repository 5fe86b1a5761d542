import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LiveChecks } from '../checks/live.ts';
import { HttpError, sendJson } from './http.ts';
import { SLUG, type Route } from './routes.ts';

/** A client's Idempotency-Key: retrying a Check with it records the run once. */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,100}$/;

/** The learner's own terminals, progress and live check results. */
export const lessonRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: /^\/api\/terminals$/,
    handle: ({ res, identity, deps }) => sendJson(res, 200, { terminals: deps.hub.list(identity.learner) }),
  },
  {
    method: 'GET',
    path: /^\/api\/progress$/,
    handle: async ({ res, identity, deps }) => sendJson(res, 200, { passed: await deps.results.passedPerLesson(identity.learner) }),
  },
  {
    method: 'GET',
    path: new RegExp(`^/api/lessons/${SLUG}/events$`),
    handle: ({ req, res, params, identity, deps }) => {
      // An account's stream ends with the session that opened it (sign-out, revocation).
      const { account, sessionId } = identity;
      if (account && sessionId) res.once('close', deps.sessions.hold({ id: sessionId, account }, () => res.end()));
      streamResults(req, res, identity.learner, params[0]!, deps.live);
    },
  },
  {
    method: 'POST',
    path: new RegExp(`^/api/lessons/${SLUG}/check$`),
    handle: async ({ req, res, params, identity, deps }) => {
      const slug = params[0]!;
      const header = req.headers['idempotency-key'];
      if (header !== undefined && (typeof header !== 'string' || !IDEMPOTENCY_KEY.test(header))) {
        throw new HttpError(400, 'Idempotency-Key must be 8 to 100 letters, digits or _ . : -');
      }
      // Content with problems answers them (503), not the results of a course that is no longer there.
      await deps.lessons();
      if (!(await deps.hasMachine(identity.learner))) throw new HttpError(409, 'your machine is not running: open the terminal to start it, then check again');
      // Scoped to the learner, so nobody can use up another learner's keys.
      await deps.live.check(identity.learner, [slug], header && `${identity.learner}/${header}`);
      sendJson(res, 200, { results: await deps.live.snapshot(identity.learner, slug) });
    },
  },
];

/** Server-sent events: the current results, then every new one, until the page closes. */
function streamResults(req: IncomingMessage, res: ServerResponse, learner: string, slug: string, live: LiveChecks): void {
  // X-Accel-Buffering: nginx would otherwise hold the events back in its buffer.
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  // Node sends the headers with the first write: one now, so the browser's EventSource opens
  // before any result exists (and reconnects after 3 s if the stream drops).
  res.write('retry: 3000\n: open\n\n');
  const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
  const stop = live.watch(learner, slug, send);
  void live.snapshot(learner, slug).then((results) => results.forEach(send), () => res.end());
  // Proxies close quiet connections; a comment every 25 s keeps this one open.
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
  req.on('close', () => {
    clearInterval(keepAlive);
    stop();
  });
  // Opening the lesson is a good moment to see where the learner stands (on a machine
  // that runs already: an event stream never starts one).
  live.commandFinished(learner);
}
