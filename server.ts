import { createServer } from 'node:http';
import next from 'next';
import { loadSessionSecret } from './lib/auth/secret.ts';
import { SessionSigner } from './lib/auth/session.ts';
import { LiveChecks } from './lib/checks/live.ts';
import { ResultStore } from './lib/checks/store.ts';
import { databaseTarget, openDatabase } from './lib/db/index.ts';
import { contentDir, dataDir, env } from './lib/env.ts';
import { loadCourse } from './lib/lessons/load.ts';
import { log } from './lib/log.ts';
import { accountServices, handleApi, type ApiDeps } from './lib/server/api.ts';
import { routeUpgrades } from './lib/server/upgrade.ts';
import { TerminalHub } from './lib/terminal/hub.ts';
import { machineShells } from './lib/terminal/machine-shells.ts';
import { TERMINAL_PATH } from './lib/terminal/protocol.ts';
import { terminalUpgrade } from './lib/terminal/upgrade.ts';
import { sandboxConfig } from './sandbox/config.ts';
import { createMachineManager, DriverUnavailableError } from './sandbox/index.ts';

/**
 * One process, one port: Next.js serves the pages, and WebSocket upgrades are routed
 * here so the terminal shares the port (and the session cookie) with the app.
 */
const dev = process.argv.includes('--dev');
const app = next({ dev, hostname: env.HOST, port: env.PORT, dir: import.meta.dirname });
await app.prepare();
const handle = app.getRequestHandler();

const sessions = new SessionSigner(await loadSessionSecret(env.UNBOXED_SECRET, dataDir));
const secureCookies = env.UNBOXED_PUBLIC_ORIGIN?.startsWith('https:') ?? false;
const machines = await createMachineManager(process.env, dataDir, (event, fields) => log.info(fields, event)).catch((error: unknown) => {
  // No machine, no product: say why in one line and stop (e.g. public trust on the docker driver).
  if (!(error instanceof DriverUnavailableError)) throw error;
  log.fatal(error.message);
  process.exit(1);
});
await machines.start();
log.info({ driver: machines.driver.name, boundary: machines.driver.boundary, trust: sandboxConfig(process.env).trust }, 'learner machines ready');
const db = await openDatabase(databaseTarget(env.DATABASE_URL, dataDir));
const results = new ResultStore(db);
const accounts = accountServices(db, sessions, secureCookies);
const course = loadCourse(contentDir);
const live = new LiveChecks({
  lesson: async (slug) => (await course).lessons.find((l) => l.slug === slug),
  contentDir,
  store: results,
  machine: async (learner) => {
    const machine = await machines.forLearner(learner);
    return (argv, { timeoutMs }) => machines.driver.exec(machine.id, argv, { timeoutMs });
  },
  onError: (error, learner) => log.error({ err: error, learner }, 'live checks failed'),
});
const hub = new TerminalHub(machineShells(machines), (learner) => live.commandFinished(learner));
const extraOrigins = env.UNBOXED_PUBLIC_ORIGIN ? [new URL(env.UNBOXED_PUBLIC_ORIGIN).origin] : [];
const api: ApiDeps = {
  hub,
  live,
  results,
  extraOrigins,
  ...accounts,
  lessons: async () => (await course).lessons,
  // Re-check looks for a running machine and never starts one.
  hasMachine: async (learner) => (await machines.list()).some((m) => m.learner === learner && m.state === 'running'),
  onError: (error, route) => log.error({ err: error, route }, 'api request failed'),
};

const server = createServer((req, res) => {
  let learner = sessions.read(req.headers.cookie);
  if (!learner) {
    // Every visitor gets a signed anonymous session: it owns their machine and terminals.
    const session = sessions.issue({ secure: secureCookies });
    res.setHeader('Set-Cookie', session.setCookie);
    learner = session.id;
  }
  if (!handleApi(req, res, learner, api)) void handle(req, res);
});

server.on(
  'upgrade',
  routeUpgrades([
    [
      TERMINAL_PATH,
      // An account's learner id opens its terminals only with a live session of that account.
      accounts.identities.guardUpgrade(
        terminalUpgrade({
          hub,
          sessions,
          extraOrigins,
          onError: (error, learner, terminal) => log.error({ err: error, learner, terminal }, 'terminal failed to start'),
        }),
      ),
    ],
    ['/_next/', app.getUpgradeHandler()],
  ]),
);

server.listen(env.PORT, env.HOST, () => {
  log.info({ url: `http://${env.HOST}:${env.PORT}`, dev }, 'unboxed is listening');
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'shutting down');
    // Shells live on in the machines (under dtach); only the server's attachments end.
    hub.closeAll();
    machines.stop();
    void db.destroy();
    server.close(() => void app.close().finally(() => process.exit(0)));
    // Open keep-alive and WebSocket connections would hold close() forever.
    server.closeAllConnections();
  });
}
