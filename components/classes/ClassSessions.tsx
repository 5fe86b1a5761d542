'use client';

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { z } from 'zod';
import { ClassSessionCreated, ClassSessionsResponse, type ClassSessionView } from '@/lib/classes/views.ts';
import { ApiError, callApi, messageOf } from '../api-client.ts';
import { Deadline } from './Deadline.tsx';
import styles from './classes.module.css';
import { SubmitRow } from '../forms/SubmitRow.tsx';

/** A class's announced sessions, for its instructor: announce one, see them, remove one. */
export function ClassSessions({ classId }: { classId: string }) {
  const [sessions, setSessions] = useState<readonly ClassSessionView[]>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const path = `/api/classes/${classId}/sessions`;

  const load = useCallback(
    () =>
      callApi(path, ClassSessionsResponse)
        .then((r) => setSessions(r.sessions))
        // Not signed in, not theirs, no such class: the gradebook above already says so.
        .catch((e: unknown) => {
          if (!(e instanceof ApiError && [401, 403, 404].includes(e.status))) setError(messageOf(e));
        }),
    [path],
  );
  useEffect(() => void load(), [load]);

  async function act(action: () => Promise<unknown>) {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      await load();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  function announce(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const startsAt = String(form.get('startsAt') ?? '');
    void act(async () => {
      await callApi(path, ClassSessionCreated, {
        method: 'POST',
        // datetime-local is the instructor's local time; the server keeps UTC.
        body: { startsAt: startsAt ? new Date(startsAt).toISOString() : '', expectedLearners: Number(form.get('expectedLearners')) },
      });
      formElement.reset();
    });
  }

  if (!sessions) return error ? <p role="alert" className={`${styles.sessions} ${styles.error}`}>{error}</p> : null;
  return (
    <section aria-labelledby="sessions-title" className={styles.sessions}>
      <h2 id="sessions-title">Class sessions</h2>
      <p className={styles.muted}>Announce when the class meets and how many learners come: their machines are started ahead of the start time, so nobody waits for one.</p>
      {sessions.length === 0 ? (
        <p className={styles.muted}>No session announced.</p>
      ) : (
        <ul className={styles.sessionList} aria-label="Announced sessions">
          {sessions.map((s) => (
            <li key={s.id} data-session={s.id}>
              <Deadline at={s.startsAt} /> · {s.expectedLearners} learner{s.expectedLearners === 1 ? '' : 's'}{' '}
              <button
                type="button"
                className={styles.quiet}
                disabled={busy}
                onClick={() => void act(() => callApi(`${path}/${s.id}`, z.undefined(), { method: 'DELETE' }))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className={styles.form} onSubmit={announce} aria-labelledby="new-session">
        <h3 id="new-session">Announce a session</h3>
        <label>
          Starts
          <input name="startsAt" type="datetime-local" required />
        </label>
        <label>
          Expected learners
          <input name="expectedLearners" type="number" min={1} max={500} step={1} required />
        </label>
        <SubmitRow error={error} busy={busy}>
          Announce
        </SubmitRow>
      </form>
    </section>
  );
}
