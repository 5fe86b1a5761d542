'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { MeResponse } from '@/lib/auth/views.ts';
import { callApi, loadFresh } from '../api-client.ts';
import styles from './account.module.css';
import { useAccount } from './useAccount.ts';

/** The header's account corner: sign in, or who you are, your classes and sign out. */
export function AccountNav() {
  const account = useAccount();
  const pathname = usePathname();
  if (account === undefined) return <span className={styles.nav} />;
  if (account === null) {
    return (
      <span className={styles.nav}>
        <Link href={`/signin?next=${encodeURIComponent(pathname)}`}>Sign in</Link>
      </span>
    );
  }
  const signOut = async () => {
    await callApi('/api/auth/signout', MeResponse, { method: 'POST', body: {} }).catch(() => undefined);
    loadFresh('/');
  };
  return (
    <span className={styles.nav}>
      <Link href="/classes">Classes</Link>
      {account.role === 'admin' && <Link href="/admin">Admin</Link>}
      <span className={styles.who} title={account.email}>
        {account.name} <span className={styles.role}>{account.role}</span>
      </span>
      <button type="button" className={styles.linkButton} onClick={() => void signOut()}>
        Sign out
      </button>
    </span>
  );
}
