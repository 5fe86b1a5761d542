import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { UpgradeHandler } from '../server/upgrade.ts';
import type { AccountSessions } from './account-sessions.ts';
import type { Account, Accounts } from './accounts.ts';
import type { SessionSigner } from './session.ts';

/** Who a request comes from: always a learner id, and the account when signed in. */
export interface Identity {
  readonly learner: string;
  readonly account?: Account;
  /** The signed-in session, to end on sign-out. */
  readonly sessionId?: string;
  /** Set-Cookie headers the response must carry (a learner cookie put right). */
  readonly setCookies: readonly string[];
}

/**
 * Ties a connection to the signed-in session that let it in: `close` runs when that
 * session ends (sign-out, revocation). Returns the function that unties it.
 */
export type SessionTie = (close: () => void) => () => void;

/** A WebSocket door behind `guardUpgrade`: given a tie when an account's session let the request in. */
export type GuardedDoor = (req: IncomingMessage, socket: Duplex, head: Buffer, tie?: SessionTie) => void | Promise<void>;

/**
 * Two cookies make an identity. The signed learner cookie (lib/auth/session.ts) names
 * the learner whose machine, terminals and results the browser uses; the terminal door
 * reads only that one. The account cookie (a database session) proves a sign-in. The
 * rule joining them: a learner id that belongs to an account is usable only together
 * with a live session of that account, so signing out or a revoked session also closes
 * the account's machine and results to a browser that kept the learner cookie.
 */
export class Identities {
  constructor(
    private readonly signer: SessionSigner,
    private readonly sessions: AccountSessions,
    private readonly accounts: Accounts,
    private readonly secure: boolean,
  ) {}

  /** The identity of an HTTP request whose learner cookie reads `cookieLearner`. */
  async resolve(cookieHeader: string | undefined, cookieLearner: string): Promise<Identity> {
    const session = await this.sessions.read(cookieHeader);
    if (session) {
      const { account } = session;
      const setCookies = account.learner === cookieLearner ? [] : [this.learnerCookie(account.learner).setCookie];
      return { learner: account.learner, account, sessionId: session.id, setCookies };
    }
    if (await this.accounts.byLearner(cookieLearner)) {
      // The account's learner cookie without its session (signed out, revoked, expired).
      const fresh = this.learnerCookie();
      return { learner: fresh.id, setCookies: [fresh.setCookie] };
    }
    return { learner: cookieLearner, setCookies: [] };
  }

  /** A learner cookie for the given learner id, or for a fresh anonymous learner. */
  learnerCookie(learner?: string): { id: string; setCookie: string } {
    return this.signer.issue({ secure: this.secure }, learner);
  }

  /**
   * Wraps the terminal's WebSocket door with the same rule: an account's learner id
   * without a live session of that account is refused (401) before the door opens, and
   * the door gets the tie that closes the connection when that session ends.
   */
  guardUpgrade(door: GuardedDoor): UpgradeHandler {
    return async (req, socket, head) => {
      const learner = this.signer.read(req.headers.cookie);
      const owner = learner ? await this.accounts.byLearner(learner) : undefined;
      if (!owner) return door(req, socket, head);
      const session = await this.sessions.read(req.headers.cookie);
      if (session?.account.id !== owner.id) return refuse(socket);
      return door(req, socket, head, (close) => this.sessions.hold(session, close));
    };
  }
}

function refuse(socket: Duplex): void {
  socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
}
