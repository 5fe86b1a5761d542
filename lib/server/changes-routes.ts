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
      const known = deps.changes.history(learner);
      known.forEach(stream.send);
      // A panel with nothing to show yet takes the machine's state as its starting point
      // (on a machine that runs already: this never starts one).
      if (known.length === 0) void deps.changes.commandFinished(learner, { terminal: '', command: '' });
    },
  },
];
