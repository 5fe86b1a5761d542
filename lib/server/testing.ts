import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MachineLimits, type MachineInfo } from '../../sandbox/driver.ts';
import { ptyShell } from '../../sandbox/pty-shell.ts';
import { SessionSigner } from '../auth/session.ts';
import { MachineChanges } from '../changes/live.ts';
import { LiveChecks } from '../checks/live.ts';
import { MachineResets } from '../machines/reset.ts';
import { ResultStore } from '../checks/store.ts';
import { openTestDatabase, type TestDatabase } from '../db/testing.ts';
import { TerminalHub } from '../terminal/hub.ts';
import { TERMINAL_PATH, WATCH_PATH } from '../terminal/protocol.ts';
import { terminalUpgrade } from '../terminal/upgrade.ts';
import { Watches } from '../terminal/watch.ts';
import { watchUpgrade } from '../terminal/watch-upgrade.ts';
import { accountServices, handleApi, type AccountServices, type ApiDeps } from './api.ts';
import { clientAddressOf } from './client-address.ts';
import { SiteHosts } from './hosts.ts';
import { routeUpgrades } from './upgrade.ts';

export interface ApiServerOptions {
  readonly signUpsPerAddress: number;
  /** Addresses whose X-Forwarded-For is believed (a test browser's own address comes in it). */
  readonly trustedProxies: readonly string[];
  /** The course's lessons. @default none */
  readonly lessons?: ApiDeps['lessons'];
  /** How often an open watch re-checks its watcher (lib/terminal/watch-upgrade.ts). @default 30_000 */
  readonly watchRecheckMs?: number;
}

export interface ApiServer {
  /** host:port it listens on, loopback. */
  readonly base: string;
  readonly test: TestDatabase;
  readonly services: AccountServices;
  readonly hub: TerminalHub;
  readonly results: ResultStore;
  close(): Promise<void>;
}

/**
 * A learner's "machine" in these tests: one id per learner, given when their first
 * terminal opens (their shells say it in $MACHINE); a reset gives a new id.
 */
class LocalMachines {
  private readonly machines = new Map<string, MachineInfo>();
  private made = 0;

  async machineOf(learner: string): Promise<MachineInfo | undefined> {
    return this.machines.get(learner);
  }

  async acquire(learner: string): Promise<MachineInfo> {
    return this.machines.get(learner) ?? this.fresh(learner);
  }

  async reset(learner: string): Promise<MachineInfo> {
    return this.fresh(learner);
  }

  private fresh(learner: string): MachineInfo {
    const now = new Date();
    const machine: MachineInfo = {
      id: `local-${++this.made}`,
      driver: 'local',
      state: 'running',
      learner,
      createdAt: now,
      expiresAt: new Date(now.getTime() + 3600_000),
      limits: MachineLimits.parse({}),
    };
    this.machines.set(learner, machine);
    return machine;
  }
}

/**
 * For tests: the API and the terminal door as server.ts wires them, over a throwaway
 * database (SQLite, or PostgreSQL under npm run test:postgres), with a local bash per
 * learner instead of a machine (each says whose it is in $OWNER, and which machine in $MACHINE).
 * Real machines are the e2e suite's.
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const test = await openTestDatabase();
  const signer = new SessionSigner(randomBytes(32));
  const services = accountServices(test.db, signer, { secureCookies: false, signUpsPerAddress: options.signUpsPerAddress });
  const results = new ResultStore(test.db);
  const machines = new LocalMachines();
  const hub = new TerminalHub({
    shellFor: async (learner, _terminal, size) => ptyShell('bash', ['--norc', '--noprofile', '-i'], size, { PS1: '$ ', OWNER: learner, MACHINE: (await machines.acquire(learner)).id }),
    touch: () => undefined,
  });
  const noMachines = () => Promise.reject(new Error('this test has no learner machines'));
  const live = new LiveChecks({ lesson: async () => undefined, contentDir: '/nonexistent', store: results, machine: noMachines, onError: () => undefined, log: { warn: () => undefined } });
  const changes = new MachineChanges({ machine: async () => undefined, log: { warn: () => undefined } });
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const hosts = new SiteHosts([`http://${base}`]);
  const deps: ApiDeps = {
    ...services,
    hub,
    live,
    changes,
    results,
    hosts,
    lessons: options.lessons ?? (async () => []),
    watchedPaths: async () => undefined,
    hasMachine: async () => false,
    machines: { machineOf: (learner) => machines.machineOf(learner), acquire: noMachines, retryAfter: async () => 0, idleAt: () => undefined },
    resets: new MachineResets({ machines, terminals: hub, changes, log: () => undefined }),
    anonymousStarts: { admit: async () => 0, refusal: async () => undefined },
    clientAddress: clientAddressOf(options.trustedProxies),
    onError: (error: unknown) => console.error(error),
  };
  server.on('request', (req, res) => {
    // As server.ts does: every visitor gets a signed learner cookie.
    let learner = signer.read(req.headers.cookie);
    if (!learner) {
      const fresh = signer.issue({ secure: false });
      res.setHeader('Set-Cookie', fresh.setCookie);
      learner = fresh.id;
    }
    if (!handleApi(req, res, learner, deps)) res.writeHead(404).end();
  });
  const watches = new Watches(hub);
  server.on(
    'upgrade',
    routeUpgrades([
      [TERMINAL_PATH, services.identities.guardUpgrade(terminalUpgrade({ hub, sessions: signer, hosts, onError: () => undefined }))],
      [WATCH_PATH, watchUpgrade({ watches, sessions: services.sessions, classes: services.classes, hosts, recheckMs: options.watchRecheckMs })],
    ]),
  );
  return {
    base,
    test,
    services,
    hub,
    results,
    close: async () => {
      hub.closeAll();
      watches.closeAll();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await test.remove();
    },
  };
}
