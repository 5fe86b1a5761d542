import type { Duplex } from 'node:stream';
import type { MachineState } from '../../sandbox/index.ts';
import type { Accounts } from '../auth/accounts.ts';
import type { SessionSigner } from '../auth/session.ts';
import type { ClientAddress } from './client-address.ts';
import { WindowLimiter } from './ratelimit.ts';
import type { UpgradeHandler } from './upgrade.ts';

/** What the web edge asks the machine fleet. */
export interface MachinePort {
  /** The learner's machine state, without starting one. */
  stateOf(learner: string): Promise<MachineState | undefined>;
}

export interface AnonymousPolicy {
  /** Visitors who have not signed in get no machine (sandbox/config.ts `anonymousAccess`). */
  readonly signInRequired: boolean;
  /** Machines anonymous visitors from one address may start in 10 minutes. @default 10 */
  readonly perAddress: number;
  /** Machines all anonymous visitors together may start in a minute. @default 30 */
  readonly perMinute: number;
}

/** What a visitor who has not signed in is told when machines are for signed-in learners only. */
export const SIGN_IN_FOR_A_MACHINE =
  "Sign in to get your machine: on this server learner machines are containers that share the host's kernel, so only signed-in learners get one.";

/**
 * Bounds how fast anonymous visitors start machines: one cookieless request must not be
 * worth a machine, and a script making sessions must run out. Signed-in learners and
 * learners who already have a machine (started again after idling) are not counted:
 * the fleet's capacity and queue bound them.
 */
export class AnonymousStarts {
  private readonly byAddress: WindowLimiter;
  private readonly all: WindowLimiter;

  constructor(
    private readonly policy: AnonymousPolicy,
    private readonly machines: MachinePort,
    private readonly accounts: Pick<Accounts, 'byLearner'>,
    private readonly clientAddress: ClientAddress,
  ) {
    this.byAddress = new WindowLimiter(policy.perAddress, 10 * 60_000);
    this.all = new WindowLimiter(policy.perMinute, 60_000);
  }

  /** Why the learner may not have a machine at all (not signed in where that is required), or undefined. */
  async refusal(learner: string): Promise<string | undefined> {
    if (!this.policy.signInRequired || (await this.accounts.byLearner(learner))) return undefined;
    return SIGN_IN_FOR_A_MACHINE;
  }

  /**
   * Seconds the learner must wait before their machine may start; 0 (and counted) when it
   * may now. A learner `refusal` turns away is not counted (they get no machine anyway).
   */
  async admit(learner: string, address: string): Promise<number> {
    // A fleet that cannot say now (a node or manager down) lets the learner through
    // uncounted: their terminal waits for it, and a class reconnecting is not turned away.
    const state = await this.machines.stateOf(learner).catch(() => 'unknown' as const);
    if (state !== undefined) return 0;
    if (await this.accounts.byLearner(learner)) return 0;
    if (this.policy.signInRequired) return 0;
    const wait = Math.max(this.byAddress.retryAfter(address), this.all.retryAfter('all'));
    if (wait > 0) return wait;
    this.byAddress.record(address);
    this.all.record('all');
    return 0;
  }

  /** The terminal door, refusing (429, Retry-After) an anonymous visitor over the limits before it opens. */
  guardUpgrade(signer: SessionSigner, door: UpgradeHandler): UpgradeHandler {
    return async (req, socket, head) => {
      const learner = signer.read(req.headers.cookie);
      if (learner) {
        const wait = await this.admit(learner, this.clientAddress(req));
        if (wait > 0) return refuse(socket, wait);
      }
      return door(req, socket, head);
    };
  }
}

function refuse(socket: Duplex, wait: number): void {
  socket.end(`HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${wait}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
