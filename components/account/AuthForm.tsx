'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import type { NextPath } from '@/lib/auth/next-path.ts';
import { MeResponse } from '@/lib/auth/views.ts';
import { callApi, loadFresh, messageOf } from '../api-client.ts';
import styles from './account.module.css';
import { SubmitRow } from '../forms/SubmitRow.tsx';

/** Sign-in and sign-up: on success the browser goes to `next` (checked by safeNextPath: a path on this site). */
export function AuthForm({ mode, next }: { mode: 'signin' | 'signup'; next: NextPath | undefined }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const target = next ?? '/classes';
  const query = next ? `?next=${encodeURIComponent(next)}` : '';

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = Object.fromEntries(['email', 'password', ...(mode === 'signup' ? ['name'] : [])].map((k) => [k, String(form.get(k) ?? '')]));
    setBusy(true);
    setError(undefined);
    try {
      await callApi(`/api/auth/${mode}`, MeResponse, { method: 'POST', body });
      loadFresh(target);
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  }

  return (
    <main className={styles.page}>
      <h1>{mode === 'signin' ? 'Sign in' : 'Create an account'}</h1>
      <p className={styles.intro}>
        {mode === 'signin'
          ? 'Sign in to join classes and keep your results. Lessons work without an account too.'
          : 'An account keeps your results, and lets you join your instructor’s class. What you did before signing up stays yours.'}
      </p>
      <form className={styles.form} onSubmit={(e) => void submit(e)}>
        {mode === 'signup' && (
          <label>
            Name
            <input name="name" autoComplete="name" required maxLength={80} />
          </label>
        )}
        <label>
          Email
          <input name="email" type="email" autoComplete="email" required maxLength={254} />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete={mode === 'signin' ? 'current-password' : 'new-password'} required minLength={mode === 'signup' ? 10 : 1} maxLength={200} />
          {mode === 'signup' && <span className={styles.help}>At least 10 characters.</span>}
        </label>
        <SubmitRow error={error} busy={busy}>
          {mode === 'signin' ? 'Sign in' : 'Create account'}
        </SubmitRow>
      </form>
      <p className={styles.switch}>
        {mode === 'signin' ? (
          <>
            No account yet? <Link href={`/signup${query}`}>Create one</Link>
          </>
        ) : (
          <>
            Have an account? <Link href={`/signin${query}`}>Sign in</Link>
          </>
        )}
      </p>
    </main>
  );
}
