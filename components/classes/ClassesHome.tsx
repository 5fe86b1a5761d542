'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { z } from 'zod';
import { ClassCreated, ClassesResponse } from '@/lib/classes/views.ts';
import { ApiError, callApi, messageOf } from '../api-client.ts';
import { useAccount } from '../account/useAccount.ts';
import { Deadline } from './Deadline.tsx';
import styles from './classes.module.css';
import { SubmitRow } from '../forms/SubmitRow.tsx';

type Classes = z.infer<typeof ClassesResponse>;
export interface LessonChoice {
  readonly slug: string;
  readonly title: string;
  readonly exercises: number;
}

/** A learner's classes, and for instructors the classes they teach and a form for a new one. */
export function ClassesHome({ lessons }: { lessons: readonly LessonChoice[] }) {
  const account = useAccount();
  const [classes, setClasses] = useState<Classes>();
  const [error, setError] = useState<string>();

  const load = useCallback(() => {
    callApi('/api/classes', ClassesResponse)
      .then(setClasses)
      .catch((e: unknown) => setError(e instanceof ApiError && e.status === 401 ? undefined : messageOf(e)));
  }, []);
  useEffect(load, [load]);

  if (account === null) {
    return (
      <main className={styles.page}>
        <h1>Classes</h1>
        <p>
          <Link href="/signin?next=/classes">Sign in</Link> to see your classes, or <Link href="/signup?next=/classes">create an account</Link>. Lessons work without one.
        </p>
      </main>
    );
  }
  const teaches = account?.role === 'instructor' || account?.role === 'admin';
  return (
    <main className={styles.page}>
      <h1>Classes</h1>
      {error && (
        <p role="alert" className={styles.error}>
          {error}
        </p>
      )}
      {teaches && classes && (
        <section aria-labelledby="teaching">
          <h2 id="teaching">{account.role === 'admin' ? 'Every class' : 'Classes you teach'}</h2>
          {classes.teaching.length === 0 ? (
            <p className={styles.muted}>None yet: create one below, then give learners its join link.</p>
          ) : (
            <table className={styles.table}>
              <thead>
                <tr>
                  <th>Class</th>
                  <th>Learners</th>
                  <th>Lessons</th>
                  <th>Deadline</th>
                  <th>Join code</th>
                </tr>
              </thead>
              <tbody>
                {classes.teaching.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <Link href={`/classes/${c.id}`}>{c.name}</Link>
                      {account.role === 'admin' && <span className={styles.muted}> · {c.instructor.name}</span>}
                    </td>
                    <td>{c.members}</td>
                    <td>{c.lessons.length}</td>
                    <td>
                      <Deadline at={c.deadline} />
                    </td>
                    <td>
                      <code>{c.joinCode}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <NewClassForm lessons={lessons} />
        </section>
      )}
      {classes && (
        <section aria-labelledby="joined">
          <h2 id="joined">Classes you are in</h2>
          {classes.joined.length === 0 && <p className={styles.muted}>None. Your instructor gives you a join link or a code.</p>}
          {classes.joined.map((c) => (
            <article key={c.id} className={styles.card} data-class={c.name}>
              <h3>{c.name}</h3>
              <p className={styles.muted}>
                {c.instructor} · due <Deadline at={c.deadline} />
              </p>
              <ol>
                {c.lessons.map((l) => (
                  <li key={l.slug}>
                    <Link href={`/lessons/${l.slug}`}>{l.title}</Link> <span className={styles.muted}>({l.exercises} exercises)</span>
                  </li>
                ))}
              </ol>
            </article>
          ))}
          <p>
            <Link href="/join">Join a class with a code</Link>
          </p>
        </section>
      )}
    </main>
  );
}

function NewClassForm({ lessons }: { lessons: readonly LessonChoice[] }) {
  const router = useRouter();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const deadline = String(form.get('deadline') ?? '');
    setBusy(true);
    setError(undefined);
    try {
      const created = await callApi('/api/classes', ClassCreated, {
        method: 'POST',
        body: {
          name: String(form.get('name') ?? ''),
          lessons: form.getAll('lessons').map(String),
          // datetime-local is the instructor's local time; the server keeps UTC.
          deadline: deadline ? new Date(deadline).toISOString() : '',
        },
      });
      router.push(`/classes/${created.class.id}`);
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  }

  return (
    <form className={styles.form} onSubmit={(e) => void submit(e)} aria-labelledby="new-class">
      <h3 id="new-class">New class</h3>
      <label>
        Name
        <input name="name" required maxLength={120} placeholder="Containers, spring term" />
      </label>
      <fieldset>
        <legend>Lessons</legend>
        {lessons.map((l) => (
          <label key={l.slug} className={styles.check}>
            <input type="checkbox" name="lessons" value={l.slug} /> {l.title} <span className={styles.muted}>({l.exercises} exercises)</span>
          </label>
        ))}
      </fieldset>
      <label>
        Deadline
        <input name="deadline" type="datetime-local" required />
      </label>
      <SubmitRow error={error} busy={busy}>
        Create class
      </SubmitRow>
    </form>
  );
}
