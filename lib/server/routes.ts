import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Account, Role } from '../auth/accounts.ts';
import type { Identity } from '../auth/identity.ts';
import type { AccountView } from '../auth/views.ts';
import type { ApiDeps } from './api.ts';
import { HttpError } from './http.ts';

/** What a route handler gets: the request, its identity, the path's captures and the server's services. */
export interface RouteContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly params: readonly string[];
  readonly identity: Identity;
  readonly deps: ApiDeps;
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Matched against the whole path; its groups become `params`. */
  readonly path: RegExp;
  handle(ctx: RouteContext): Promise<void> | void;
}

/** Path segments the API takes as ids: lesson slugs, class and account ids. */
export const SLUG = '([a-z0-9-]{1,80})';
export const ID = '([A-Za-z0-9_-]{1,40})';

export function requireAccount(identity: Identity): Account {
  if (!identity.account) throw new HttpError(401, 'sign in first');
  return identity.account;
}

export function requireRole(identity: Identity, ...roles: Role[]): Account {
  const account = requireAccount(identity);
  if (!roles.includes(account.role)) throw new HttpError(403, `this needs the role ${roles.join(' or ')}; you are signed in as a ${account.role}`);
  return account;
}

/** An account as the browser sees it. */
export function publicAccount(account: Account): AccountView {
  return { id: account.id, email: account.email, name: account.name, role: account.role };
}
