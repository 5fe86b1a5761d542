'use client';

import { useCallback, useEffect, useState } from 'react';
import { z } from 'zod';
import { AccountView, UsersResponse } from '@/lib/auth/views.ts';
import { callApi, messageOf } from '../api-client.ts';
import styles from './account.module.css';

type User = z.infer<typeof UsersResponse>['users'][number];
const roles = ['learner', 'instructor', 'admin'] as const;

/** Admins: every account, its role, and signing it out everywhere. */
export function AdminUsers() {
  const [users, setUsers] = useState<readonly User[]>();
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();

  const load = useCallback(() => {
    callApi('/api/admin/users', UsersResponse)
      .then((r) => setUsers(r.users))
      .catch((e: unknown) => setError(messageOf(e)));
  }, []);
  useEffect(load, [load]);

  async function act(action: () => Promise<string>) {
    setError(undefined);
    try {
      setMessage(await action());
      load();
    } catch (e) {
      setError(messageOf(e));
    }
  }

  return (
    <main className={styles.wide}>
      <h1>Accounts</h1>
      <p className={styles.intro}>Instructors create classes and see their gradebooks; admins see every class and manage accounts.</p>
      {error && (
        <p role="alert" className={styles.error}>
          {error}
        </p>
      )}
      {message && <p role="status">{message}</p>}
      {users && (
        <table className={styles.table}>
          <thead>
            <tr>
              <th>Name</th>
              <th>Email</th>
              <th>Role</th>
              <th>Created</th>
              <th>Sessions</th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <tr key={user.id} data-user={user.email}>
                <td>{user.name}</td>
                <td>{user.email}</td>
                <td>
                  <select
                    aria-label={`Role of ${user.email}`}
                    value={user.role}
                    onChange={(e) =>
                      void act(async () => {
                        const role = e.target.value as (typeof roles)[number];
                        await callApi(`/api/admin/users/${user.id}/role`, z.object({ user: AccountView }), { method: 'POST', body: { role } });
                        return `${user.email} is now ${role === 'learner' ? 'a learner' : `an ${role}`}`;
                      })
                    }
                  >
                    {roles.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td>
                  <time dateTime={user.createdAt}>{new Date(user.createdAt).toLocaleDateString()}</time>
                </td>
                <td>
                  <button
                    type="button"
                    className={styles.linkButton}
                    onClick={() =>
                      void act(async () => {
                        const { revoked } = await callApi(`/api/admin/users/${user.id}/revoke`, z.object({ revoked: z.int() }), { method: 'POST', body: {} });
                        return `${user.email} was signed out of ${revoked} session(s)`;
                      })
                    }
                  >
                    Sign out everywhere
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
