'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { JoinResponse } from '@/lib/classes/views.ts';
import { callApi, messageOf } from '../api-client.ts';
import { useAccount } from '../account/useAccount.ts';
import styles from './classes.module.css';
import { SubmitRow } from '../forms/SubmitRow.tsx';

/** Joining a class with its code (from a join link, or typed): signed-in accounts only. */
export function JoinClass({ code }: { code?: string }) {
  const account = useAccount();
  const [joined, setJoined] = useState<{ name: string; alreadyMember: boolean; recording: boolean }>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const here = code ? `/join/${encodeURIComponent(code)}` : '/join';

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const result = await callApi('/api/classes/join', JoinResponse, { method: 'POST', body: { code: String(new FormData(event.currentTarget).get('code') ?? '') } });
      setJoined({ name: result.class.name, alreadyMember: result.alreadyMember, recording: result.class.recording });
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className={styles.narrow}>
      <h1>Join a class</h1>
      {account === null && (
        <p>
          Joining a class needs an account, so your instructor sees your results.{' '}
          <Link href={`/signin?next=${encodeURIComponent(here)}`}>Sign in</Link> or <Link href={`/signup?next=${encodeURIComponent(here)}`}>create an account</Link>; what you
          did before stays yours.
        </p>
      )}
      {account && !joined && (
        <form className={styles.form} onSubmit={(e) => void submit(e)}>
          <label>
            Class code
            <input name="code" defaultValue={code} placeholder="ABCD-EF23" autoComplete="off" required maxLength={40} />
          </label>
          <SubmitRow error={error} busy={busy}>
            Join
          </SubmitRow>
        </form>
      )}
      {joined && (
        <p role="status">
          {joined.alreadyMember ? `You are already in ${joined.name}.` : `You joined ${joined.name}.`} <Link href="/classes">See your classes and their lessons</Link>
        </p>
      )}
      {joined?.recording && (
        <p role="note" data-testid="recording-notice">
          ● {joined.name} records your lesson terminals: your instructor can replay what they showed, with your check results. The terminal says so while it records.
        </p>
      )}
    </main>
  );
}
