import { createServer } from 'node:http';
import next from 'next';
import { loadSessionSecret } from './lib/auth/secret.ts';
import { SessionSigner } from './lib/auth/session.ts';
import { MachineChanges } from './lib/changes/live.ts';
import { afterCommand, afterShellOpened, machineChecks, machineRunning, runningMachineExec } from './lib/checks/machine-checks.ts';
import { ResultStore } from './lib/checks/store.ts';
import { configOrExit } from './lib/config.ts';
import { databaseTarget, openDatabase } from './lib/db/index.ts';
import { shareCourse } from './lib/lessons/course.ts';
import { formatProblem } from './lib/lessons/problems.ts';
import { FleetStore } from './lib/machines/fleet-store.ts';
import { MachineResets } from './lib/machines/reset.ts';
import { Recorder } from './lib/recordings/recorder.ts';
import { CourseSource } from './lib/lessons/source.ts';
import { createLog } from './lib/log.ts';
import { accountServices, handleApi, type ApiDeps } from './lib/server/api.ts';
import { clientAddressOf } from './lib/server/client-address.ts';
import { listenWarning, SiteHosts } from './lib/server/hosts.ts';
import { AnonymousStarts } from './lib/server/machine-admission.ts';
import { securityHeaders } from './lib/server/security-headers.ts';
import { routeUpgrades } from './lib/server/upgrade.ts';
import { TerminalHub } from './lib/terminal/hub.ts';
import { machineShells } from './lib/terminal/machine-shells.ts';
import { TERMINAL_PATH, WATCH_PATH } from './lib/terminal/protocol.ts';
import { terminalUpgrade } from './lib/terminal/upgrade.ts';
import { Watches } from './lib/terminal/watch.ts';
import { watchUpgrade } from './lib/terminal/watch-upgrade.ts';
import { anonymousAccess, createMachineManager, DriverUnavailableError } from './sandbox/index.ts';

/**
 * One process, one port: Next.js serves the pages, and WebSocket upgrades are routed
 * here so the terminal shares the port (and the session cookie) with the app.
 */
const dev = process.argv.includes('--dev');
// The environment, validated once: everything below gets its part of it.
const config = configOrExit(process.env);
const { env, dataDir } = config;
const log = createLog(env.LOG_LEVEL);

// The one course, for the pages and the checks: read once in production, again after an author's edit in development.
const course = shareCourse(new CourseSource(config.contentDir, { rereadOnChange: dev }));
// Read before the port opens: compiling the lessons holds the event loop for seconds, long
// enough for requests that arrive meanwhile to meet closed keep-alive connections.
const courseState = await course.state().catch((error: unknown) => {
  log.error({ err: error }, 'the course could not be read');
  return undefined;
});
if (courseState && !courseState.ok) {
  log.error({ problems: courseState.problems.map(formatProblem) }, 'the course content has problems: the pages show them, and checks answer with them until they are fixed');
}

const app = next({ dev, hostname: env.HOST, port: env.PORT, dir: import.meta.dirname });
await app.prepare();
const handle = app.getRequestHandler();

const sessions = new SessionSigner(await loadSessionSecret(env.UNBOXED_SECRET, dataDir));
const secureCookies = env.UNBOXED_PUBLIC_ORIGIN?.startsWith('https:') ?? false;
const db = await openDatabase(databaseTarget(env.DATABASE_URL, dataDir));
const accounts = accountServices(db, sessions, { secureCookies, signUpsPerAddress: env.UNBOXED_SIGNUPS_PER_ADDRESS });
const machines = await createMachineManager(config.sandbox, dataDir, {
  log: (event, fields) => log.info(fields, event),
  // Announced class sessions warm the pool up before the class arrives.
  expectedLearners: () => accounts.classSessions.expectedLearners(new Date()),
  // Other app servers on this database see this one's learners, and one of them keeps the pool.
  fleet: new FleetStore(db),
}).catch((error: unknown) => {
  // No machine, no product: say why in one line and stop (e.g. public trust on the docker driver).
  if (!(error instanceof DriverUnavailableError)) throw error;
  log.fatal(error.message);
  process.exit(1);
});
await machines.start();
const anonymous = anonymousAccess(config.sandbox.anonymousMachines, env.HOST, machines.boundary);
log.info({ driver: machines.driverName, boundary: machines.boundary, trust: config.sandbox.trust, capacity: machines.capacity, anonymous: anonymous.why }, 'learner machines ready');

// A command finished in a terminal → checks run on the learner's machine → results stored (the gradebook) and sent (the page's ticks).
const results = new ResultStore(db);
const live = machineChecks({ course, machines, results, log, onError: (error, learner) => log.error({ err: error, learner }, 'live checks failed') });
// …and beside them, what the command changed on the machine (the "What changed" panel).
const changes = new MachineChanges({ machine: (learner) => runningMachineExec(machines, learner), log });
// Learners in a class that records have their terminals recorded (lib/recordings).
const recorder = new Recorder({ store: accounts.recordings, log });
const hub = new TerminalHub(
  machineShells(machines, afterShellOpened(changes, live)),
  afterCommand(changes, live),
  { shellTap: (learner, terminal, size) => recorder.observe(learner, terminal, size) },
);

// "Reset my machine", and an instructor's reset: a fresh machine, attached to the learner's open terminals.
const resets = new MachineResets({ machines, terminals: hub, changes, log: (event, fields) => log.info(fields, event) });
// Instructors watching their class's learners' terminals (read-only unless the learner lets them type).
const watches = new Watches(hub);

// The names this server answers to; a request naming any other host (a DNS-rebinding page) gets nothing.
const hosts = SiteHosts.of(env);
const hostsWarning = listenWarning(env);
if (hostsWarning) log.warn(hostsWarning);
const headers = securityHeaders({ dev });
// Behind a reverse proxy, its X-Forwarded-For names the client the per-address limits count.
const clientAddress = clientAddressOf(env.UNBOXED_TRUSTED_PROXIES);
const anonymousStarts = new AnonymousStarts(
  { signInRequired: !anonymous.allowed, perAddress: config.sandbox.anonymousStartsPerAddress, perMinute: config.sandbox.anonymousStartsPerMinute },
  { stateOf: async (learner) => (await machines.machineOf(learner))?.state },
  accounts.accounts,
  clientAddress,
);
const api: ApiDeps = {
  hub,
  live,
  changes,
  results,
  hosts,
  ...accounts,
  lessons: () => course.lessons(),
  watchedPaths: async (slug) => (await course.lesson(slug).catch(() => undefined))?.changes,
  hasMachine: (learner) => machineRunning(machines, learner),
  machines,
  resets,
  anonymousStarts,
  clientAddress,
  onError: (error, route) => log.error({ err: error, route }, 'api request failed'),
};

const server = createServer((req, res) => {
  for (const [name, value] of headers) res.setHeader(name, value);
  // Before the cookie below: another host's request is refused with nothing issued.
  if (!hosts.admit(req.headers.host, res)) return;
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
  hosts.guardUpgrade(
    routeUpgrades([
      [
        TERMINAL_PATH,
        // Anonymous visitors start machines only so fast. An account's learner id opens its
        // terminals only with a live session of that account, and they close when it ends.
        anonymousStarts.guardUpgrade(
          sessions,
          accounts.identities.guardUpgrade(
            terminalUpgrade({
              hub,
              sessions,
              hosts,
              onError: (error, learner, terminal) => log.error({ err: error, learner, terminal }, 'terminal failed to start'),
              refusal: (learner) => anonymousStarts.refusal(learner),
            }),
          ),
        ),
      ],
      [WATCH_PATH, watchUpgrade({ watches, sessions: accounts.sessions, classes: accounts.classes, hosts })],
      ['/_next/', app.getUpgradeHandler()],
    ]),
  ),
);

server.listen(env.PORT, env.HOST, () => {
  log.info({ url: `http://${env.HOST}:${env.PORT}`, dev }, 'unboxed is listening');
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'shutting down');
    // Shells live on in the machines (under dtach); only the server's attachments end.
    hub.closeAll();
    watches.closeAll();
    // The keeper lease is given up before the database closes, so another server takes over at once.
    const stopped = machines.stop().finally(() => db.destroy());
    server.close(() => void Promise.allSettled([stopped, app.close()]).finally(() => process.exit(0)));
    // Open keep-alive and WebSocket connections would hold close() forever.
    server.closeAllConnections();
  });
}
