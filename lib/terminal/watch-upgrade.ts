import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import type { AccountSessions } from '../auth/account-sessions.ts';
import type { Account } from '../auth/accounts.ts';
import { canManage, type ClassMember, type ClassStore } from '../classes/store.ts';
import type { SiteHosts } from '../server/hosts.ts';
import { CloseCode, MAX_FRAME_BYTES, WATCH_PATH, type WatchServerMessage } from './protocol.ts';
import type { Watches } from './watch.ts';

const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const WatchTarget = z.tuple([Id, Id]);

const SESSION_ENDED = 'Your session ended (you signed out, or an admin signed you out). Sign in again to watch.';
const NOT_ALLOWED = 'You may no longer watch this learner (they left the class, or your role changed).';

export interface WatchUpgradeOptions {
  readonly watches: Watches;
  readonly sessions: Pick<AccountSessions, 'read' | 'hold'>;
  readonly classes: Pick<ClassStore, 'get' | 'members'>;
  /** This site's origins: a watch opens only for a page of one of them. */
  readonly hosts: Pick<SiteHosts, 'allowsOrigin'>;
  /** How often an open watch asks again whether its watcher may still watch. @default 30_000 */
  readonly recheckMs?: number;
}

/**
 * The member `userId` of class `classId` if `account` may watch them, or undefined: the
 * class's instructor (or an admin) may watch the class's members, nobody else anyone.
 */
export async function watchableMember(classes: WatchUpgradeOptions['classes'], account: Account, classId: string, userId: string): Promise<ClassMember | undefined> {
  const info = await classes.get(classId);
  if (!info || !canManage(account, info)) return undefined;
  return (await classes.members(classId)).find((m) => m.userId === userId);
}

/**
 * The watch's WebSocket door, `/ws/watch/<classId>/<userId>`. Before upgrading it checks,
 * in order: the path names a class and a user (400), the Origin is this site's (403),
 * a signed-in session is there (401), and its account may watch that learner (403, the
 * same answer for a class or learner that does not exist). The socket closes when that
 * session ends, and when a later look finds the watcher may no longer watch.
 */
export function watchUpgrade({ watches, sessions, classes, hosts, recheckMs = 30_000 }: WatchUpgradeOptions) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  return async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://unboxed.invalid');
    const target = WatchTarget.safeParse(url.pathname.slice(WATCH_PATH.length + 1).split('/'));
    if (!target.success) return refuse(socket, 400, 'Bad Request');
    if (!hosts.allowsOrigin(req.headers.origin)) return refuse(socket, 403, 'Forbidden');
    const session = await sessions.read(req.headers.cookie);
    if (!session) return refuse(socket, 401, 'Unauthorized');
    const [classId, userId] = target.data;
    const member = await watchableMember(classes, session.account, classId, userId);
    if (!member) return refuse(socket, 403, 'Forbidden');

    wss.handleUpgrade(req, socket, head, (ws) => {
      const release = sessions.hold(session, () => endWatch(ws, SESSION_ENDED, CloseCode.signedOut));
      // The account is read again: its role may have changed since the door let it in.
      const recheck = setInterval(() => {
        void sessions
          .read(req.headers.cookie)
          .then((now) => (now?.id === session.id ? watchableMember(classes, now.account, classId, userId) : undefined))
          .then(
            (still) => still || endWatch(ws, NOT_ALLOWED, CloseCode.watchNotAllowed),
            () => undefined,
          );
      }, recheckMs);
      ws.once('close', () => {
        release();
        clearInterval(recheck);
      });
      watches.watch(member.learner, { learner: member.name, watcher: session.account.name }, ws);
    });
  };
}

function endWatch(ws: WebSocket, message: string, code: number): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'error', message } satisfies WatchServerMessage));
  ws.close(code, 'watch ended');
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
