import { openEventStream } from './event-stream.ts';
import type { Route } from './routes.ts';

/** "What changed" on the learner's own machine: the panel's event stream. */
export const changesRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: /^\/api\/changes\/events$/,
    handle: ({ req, res, identity, deps }) => {
      const { learner } = identity;
      const stream = openEventStream(req, res, identity, deps);
      stream.onClose(deps.changes.watch(learner, stream.send));
      deps.changes.history(learner).forEach(stream.send);
      // On a machine that runs already (this never starts one); otherwise the terminal
      // that starts it does.
      deps.changes.startWatching(learner);
    },
  },
];
