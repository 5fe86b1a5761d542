import type { IncomingMessage, ServerResponse } from 'node:http';
import { AccountSessions } from '../auth/account-sessions.ts';
import { Accounts, EmailTakenError } from '../auth/accounts.ts';
import { Identities } from '../auth/identity.ts';
import type { SessionSigner } from '../auth/session.ts';
import type { MachineChanges } from '../changes/live.ts';
import type { LiveChecks } from '../checks/live.ts';
import type { ResultStore } from '../checks/store.ts';
import type { GradebookLesson } from '../classes/gradebook.ts';
import type { MachineResets } from '../machines/reset.ts';
import { ClassSessions } from '../classes/sessions.ts';
import { ClassStore } from '../classes/store.ts';
import type { Db } from '../db/index.ts';
import { LessonValidationError } from '../lessons/problems.ts';
import { RecordingStore } from '../recordings/store.ts';
import type { WatchedPaths } from '../lessons/schema.ts';
import type { TerminalHub } from '../terminal/hub.ts';
import type { MachineManager } from '../../sandbox/index.ts';
import { adminRoutes } from './admin-routes.ts';
import { authRoutes } from './auth-routes.ts';
import { changesRoutes } from './changes-routes.ts';
import { classRoutes } from './class-routes.ts';
import type { ClientAddress } from './client-address.ts';
import { HttpError, sendJson, setCookies } from './http.ts';
import type { SiteHosts } from './hosts.ts';
import { lessonRoutes } from './lesson-routes.ts';
import { recordingRoutes } from './recording-routes.ts';
import type { AnonymousStarts } from './machine-admission.ts';
import { machineRoutes } from './machine-routes.ts';
import { ProgressiveDelay, WindowLimiter } from './ratelimit.ts';
import type { Route } from './routes.ts';

/** Accounts, sessions and classes over one database. */
export interface AccountServices {
  readonly db: Db;
  readonly accounts: Accounts;
  readonly sessions: AccountSessions;
  readonly identities: Identities;
  readonly classes: ClassStore;
  /** Announced class sessions; the machine pool reads their demand. */
  readonly classSessions: ClassSessions;
  /** Classes' terminal recordings (lib/recordings). */
  readonly recordings: RecordingStore;
  /**
   * Wrong passwords per email: after 5, each attempt waits 1 s, doubling up to a minute
   * (forgotten after 15 quiet minutes). Failed sign-ins per client address: 50 in 15
   * minutes, then a wait.
   */
  readonly signInFailures: { readonly email: ProgressiveDelay; readonly address: WindowLimiter };
  /** Accounts created per client address in an hour (`UNBOXED_SIGNUPS_PER_ADDRESS`). */
  readonly signUps: WindowLimiter;
  /** 20 wrong join codes per account in 15 minutes, then a wait. */
  readonly joinFailures: WindowLimiter;
}

export interface AccountOptions {
  /** Cookies only over https (behind an https `UNBOXED_PUBLIC_ORIGIN`). */
  readonly secureCookies: boolean;
  /** Accounts one client address may create in an hour. */
  readonly signUpsPerAddress: number;
}

export function accountServices(db: Db, signer: SessionSigner, { secureCookies, signUpsPerAddress }: AccountOptions): AccountServices {
  const accounts = new Accounts(db);
  const sessions = new AccountSessions(db, { secure: secureCookies });
  return {
    db,
    accounts,
    sessions,
    identities: new Identities(signer, sessions, accounts, secureCookies),
    classes: new ClassStore(db),
    classSessions: new ClassSessions(db),
    recordings: new RecordingStore(db),
    signInFailures: {
      email: new ProgressiveDelay({ afterFailures: 5, firstMs: 1000, maxMs: 60_000, forgetMs: 15 * 60_000 }),
      address: new WindowLimiter(50, 15 * 60_000),
    },
    signUps: new WindowLimiter(signUpsPerAddress, 60 * 60_000),
    joinFailures: new WindowLimiter(20, 15 * 60_000),
  };
}

export interface ApiDeps extends AccountServices {
  readonly hub: TerminalHub;
  readonly live: LiveChecks;
  /** What each finished command changed on the learner's machine. */
  readonly changes: Pick<MachineChanges, 'watch' | 'history' | 'startWatching'>;
  /** What a lesson's panel watches besides Docker's folders; undefined for no such lesson. */
  readonly watchedPaths: (slug: string) => Promise<WatchedPaths | undefined>;
  readonly results: ResultStore;
  /** This site's origins: a state-changing request must come from one of them. */
  readonly hosts: Pick<SiteHosts, 'allowsOrigin'>;
  /** The course's lessons, as the gradebook lists them; rejects with `LessonValidationError` while the content has problems. */
  readonly lessons: () => Promise<readonly GradebookLesson[]>;
  /** Whether the learner has a running machine now (re-check needs one; it never starts one). */
  readonly hasMachine: (learner: string) => Promise<boolean>;
  /** Learners' machines, by learner. */
  readonly machines: Pick<MachineManager, 'machineOf' | 'acquire' | 'retryAfter' | 'idleAt'>;
  /** Resets of learners' machines, by themselves or their instructors. */
  readonly resets: Pick<MachineResets, 'reset' | 'lastReset'>;
  readonly anonymousStarts: Pick<AnonymousStarts, 'admit' | 'refusal'>;
  /** The client's address, for the per-address limits (believes only trusted proxies). */
  readonly clientAddress: ClientAddress;
  readonly onError: (error: unknown, route: string) => void;
}

const routes: readonly Route[] = [...lessonRoutes, ...changesRoutes, ...machineRoutes, ...authRoutes, ...classRoutes, ...recordingRoutes, ...adminRoutes];

/**
 * The server's own JSON endpoints under /api/, beside Next's pages: they need the
 * terminal hub, the live checks and the database, which live in this process. Every
 * state-changing request must come from this site's own pages (Origin), and each
 * handler checks the session it needs. Returns false for any URL outside /api/.
 * `learner` is the id in the request's learner cookie (or a fresh one).
 */
export function handleApi(req: IncomingMessage, res: ServerResponse, learner: string, deps: ApiDeps): boolean {
  const pathname = new URL(req.url ?? '/', 'http://unboxed.invalid').pathname;
  if (!pathname.startsWith('/api/')) return false;
  const matching = routes.flatMap((route) => {
    const match = route.path.exec(pathname);
    return match ? [{ route, params: match.slice(1) }] : [];
  });
  const found = matching.find((m) => m.route.method === req.method);
  if (!found) {
    if (matching.length === 0) sendJson(res, 404, { error: `no API endpoint ${pathname}` });
    else sendJson(res, 405, { error: `use ${matching.map((m) => m.route.method).join(' or ')}` });
    return true;
  }
  if (found.route.method !== 'GET' && !deps.hosts.allowsOrigin(req.headers.origin)) {
    sendJson(res, 403, { error: 'cross-site request refused' });
    return true;
  }
  void (async () => {
    try {
      const identity = await deps.identities.resolve(req.headers.cookie, learner);
      setCookies(res, identity.setCookies);
      await found.route.handle({ req, res, params: found.params, identity, deps });
    } catch (error) {
      respondWithError(res, error, `${req.method} ${pathname}`, deps);
    }
  })();
  return true;
}

function respondWithError(res: ServerResponse, error: unknown, route: string, deps: ApiDeps): void {
  if (res.headersSent) {
    res.end();
    if (!(error instanceof HttpError)) deps.onError(error, route);
    return;
  }
  if (error instanceof HttpError) return sendJson(res, error.status, { error: error.message });
  if (error instanceof EmailTakenError) return sendJson(res, 409, { error: error.message });
  // The course's content has problems (an author's edit under npm run dev): each one, with its fix.
  if (error instanceof LessonValidationError) return sendJson(res, 503, { error: error.message });
  deps.onError(error, route);
  sendJson(res, 500, { error: 'the server failed to answer; the error is in its log' });
}
