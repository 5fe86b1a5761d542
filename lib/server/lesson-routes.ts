import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Identity } from '../auth/identity.ts';
import type { ApiDeps } from './api.ts';
import { openEventStream } from './event-stream.ts';
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
    handle: ({ req, res, params, identity, deps }) => streamResults(req, res, identity, params[0]!, deps),
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
function streamResults(req: IncomingMessage, res: ServerResponse, identity: Identity, slug: string, deps: ApiDeps): void {
  const { learner } = identity;
  const stream = openEventStream(req, res, identity, deps);
  stream.onClose(deps.live.watch(learner, slug, stream.send));
  void deps.live.snapshot(learner, slug).then((results) => results.forEach(stream.send), () => res.end());
  // Opening the lesson is a good moment to see where the learner stands (on a machine
  // that runs already: an event stream never starts one).
  deps.live.commandFinished(learner);
}
