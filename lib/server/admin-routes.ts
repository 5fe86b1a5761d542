import { z } from 'zod';
import { Role } from '../auth/accounts.ts';
import { UsersResponse } from '../auth/views.ts';
import type { ApiDeps } from './api.ts';
import { HttpError, readBody, sendJson } from './http.ts';
import { ID, publicAccount, requireRole, type Route } from './routes.ts';

const RoleChange = z.strictObject({ role: Role });

async function accountById(deps: ApiDeps, id: string) {
  const account = await deps.accounts.byId(id);
  if (!account) throw new HttpError(404, `there is no account with the id ${id}`);
  return account;
}

/** Accounts, for admins: list them, change a role, sign an account out everywhere. */
export const adminRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: /^\/api\/admin\/users$/,
    handle: async ({ res, identity, deps }) => {
      requireRole(identity, 'admin');
      const accounts = await deps.accounts.list();
      sendJson(res, 200, { users: accounts.map((a) => ({ ...publicAccount(a), createdAt: a.createdAt })) } satisfies z.input<typeof UsersResponse>);
    },
  },
  {
    method: 'POST',
    path: new RegExp(`^/api/admin/users/${ID}/role$`),
    handle: async ({ req, res, params, identity, deps }) => {
      const admin = requireRole(identity, 'admin');
      const { role } = await readBody(req, RoleChange);
      const account = await accountById(deps, params[0]!);
      if (account.id === admin.id && role !== 'admin') throw new HttpError(409, 'you cannot take the admin role from yourself; ask another admin');
      await deps.accounts.setRole(account.id, role);
      sendJson(res, 200, { user: publicAccount({ ...account, role }) });
    },
  },
  {
    method: 'POST',
    path: new RegExp(`^/api/admin/users/${ID}/revoke$`),
    handle: async ({ res, params, identity, deps }) => {
      requireRole(identity, 'admin');
      const account = await accountById(deps, params[0]!);
      sendJson(res, 200, { revoked: await deps.sessions.revokeAll(account.id) });
    },
  },
];
