import { openEventStream } from './event-stream.ts';
import { SLUG, type Route } from './routes.ts';

/** "What changed" on the learner's own machine: the panel's event stream. */
export const changesRoutes: readonly Route[] = [
  {
    method: 'GET',
    // ?lesson=SLUG: the open lesson, whose watched paths the panel follows.
    path: /^\/api\/changes\/events$/,
    handle: async ({ req, res, identity, deps }) => {
      const { learner } = identity;
      const slug = new URL(req.url ?? '/', 'http://x').searchParams.get('lesson');
      const paths = slug && new RegExp(`^${SLUG}$`).test(slug) ? await deps.watchedPaths(slug) : undefined;
      const stream = openEventStream(req, res, identity, deps);
      stream.onClose(deps.changes.watch(learner, stream.send));
      deps.changes.history(learner).forEach(stream.send);
      // On a machine that runs already (this never starts one); otherwise the terminal
      // that starts it does.
      void deps.changes.startWatching(learner, paths);
    },
  },
];
