'use client';

import Link from 'next/link';
import { useCallback, useEffect, useState } from 'react';
import { z } from 'zod';
import type { GradebookView } from '@/lib/classes/gradebook.ts';
import { CodeResponse, GradebookResponse, type ClassView } from '@/lib/classes/views.ts';
import { callApi, messageOf } from '../api-client.ts';
import { Deadline } from '../classes/Deadline.tsx';
import { RecordingToggle } from '../recordings/RecordingToggle.tsx';
import { GradeCell } from './GradeCell.tsx';
import styles from './gradebook.module.css';

/** @default 10 s: new check results show up while the class works. */
const REFRESH_MS = 10_000;

/** A class's gradebook: who passed what, where learners get stuck, exports, join link. */
export function Gradebook({ classId }: { classId: string }) {
  const [data, setData] = useState<{ info: ClassView; gradebook: GradebookView; at: Date }>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();

  const load = useCallback(
    () =>
      callApi(`/api/classes/${classId}/gradebook`, GradebookResponse)
        .then((r) => {
          setData({ info: r.class, gradebook: r.gradebook, at: new Date() });
          setError(undefined);
        })
        .catch((e: unknown) => setError(messageOf(e))),
    [classId],
  );
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  if (!data) {
    return (
      <main className={styles.page}>
        {error ? (
          <p role="alert" className={styles.error}>
            {error}
          </p>
        ) : (
          <p className={styles.muted}>Loading the gradebook…</p>
        )}
      </main>
    );
  }
  const { info, gradebook } = data;

  async function act(action: () => Promise<string>) {
    try {
      setNotice(await action());
      await load();
    } catch (e) {
      setError(messageOf(e));
    }
  }

  const joinUrl = `${window.location.origin}${info.joinPath}`;
  const lessonSpans = gradebook.columns.reduce<Array<{ lesson: string; title: string; span: number }>>((spans, c) => {
    const last = spans.at(-1);
    if (last?.lesson === c.lesson) last.span += 1;
    else spans.push({ lesson: c.lesson, title: c.lessonTitle, span: 1 });
    return spans;
  }, []);

  return (
    <main className={styles.page}>
      <p className={styles.kicker}>
        <Link href="/classes">Classes</Link> · Gradebook
      </p>
      <h1>{info.name}</h1>
      <p className={styles.muted}>
        {info.instructor.name} · due <Deadline at={info.deadline} /> · {gradebook.learners.length} learner{gradebook.learners.length === 1 ? '' : 's'}
      </p>
      <div className={styles.toolbar}>
        <span>
          Join link <code data-testid="join-link">{joinUrl}</code>{' '}
          <button type="button" onClick={() => void navigator.clipboard?.writeText(joinUrl).then(() => setNotice('Join link copied'))}>
            Copy
          </button>{' '}
          code <code data-testid="join-code">{info.joinCode}</code>{' '}
          <button
            type="button"
            onClick={() =>
              void act(async () => {
                if (!window.confirm('Make a new code? The old code and link stop working.')) return '';
                const r = await callApi(`/api/classes/${info.id}/code`, CodeResponse, { method: 'POST', body: {} });
                return `New code: ${r.joinCode}`;
              })
            }
          >
            New code
          </button>
        </span>
        <RecordingToggle classId={info.id} recording={info.recording} onChange={setNotice} />
        <span>
          Download{' '}
          <a href={`/api/classes/${info.id}/gradebook.csv`} download>
            CSV
          </a>{' '}
          ·{' '}
          <a href={`/api/classes/${info.id}/gradebook.json`} download>
            JSON
          </a>{' '}
          (
          <a href={`/api/classes/${info.id}/gradebook.json?recordings=1`} download>
            with recordings
          </a>
          )
        </span>
        <span className={styles.muted}>
          Updated <time dateTime={data.at.toISOString()}>{data.at.toLocaleTimeString()}</time>{' '}
          <button type="button" onClick={() => void load()}>
            Refresh
          </button>
        </span>
      </div>
      {notice && <p role="status">{notice}</p>}
      {error && (
        <p role="alert" className={styles.error}>
          {error}
        </p>
      )}
      {gradebook.missingLessons.length > 0 && (
        <p className={styles.error}>The course no longer has these lessons of the class: {gradebook.missingLessons.join(', ')}.</p>
      )}

      <section aria-labelledby="grid-title">
        <h2 id="grid-title">Learners</h2>
        {gradebook.learners.length === 0 ? (
          <p className={styles.muted}>Nobody has joined yet. Share the join link above.</p>
        ) : (
          <div className={styles.scroll}>
            <table className={styles.grid} aria-label="Gradebook">
              <thead>
                <tr>
                  <th rowSpan={2} className={styles.learner}>
                    Learner
                  </th>
                  {lessonSpans.map((s) => (
                    <th key={s.lesson} colSpan={s.span} scope="colgroup">
                      {s.title}
                    </th>
                  ))}
                  <th rowSpan={2} className={styles.total}>
                    Passed
                  </th>
                  <th rowSpan={2}>
                    <span className={styles.hidden}>Actions</span>
                  </th>
                </tr>
                <tr>
                  {gradebook.columns.map((c) => (
                    <th key={`${c.lesson}/${c.exercise}`} scope="col" className={styles.exercise}>
                      {c.exerciseTitle}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {gradebook.learners.map((l) => (
                  <tr key={l.userId} data-learner={l.email}>
                    <th scope="row" className={styles.learner}>
                      <Link href={`/classes/${info.id}/learners/${l.userId}`}>{l.name}</Link>
                      <span className={styles.email}>{l.email}</span>
                      <Link className={styles.email} href={`/classes/${info.id}/learners/${l.userId}/watch`} aria-label={`Watch ${l.name}'s terminals`}>
                        Watch
                      </Link>
                    </th>
                    {l.cells.map((cell, i) => (
                      <GradeCell key={i} cell={cell} column={gradebook.columns[i]!} />
                    ))}
                    <td className={styles.total}>
                      {l.passed} / {gradebook.columns.length}
                    </td>
                    <td>
                      <button
                        type="button"
                        className={styles.quiet}
                        onClick={() =>
                          void act(async () => {
                            if (!window.confirm(`Remove ${l.name} from ${info.name}? Their results stay theirs; they leave this gradebook.`)) return '';
                            await callApi(`/api/classes/${info.id}/members/${l.userId}`, z.object({ removed: z.object({ name: z.string() }) }), { method: 'DELETE' });
                            return `${l.name} was removed from the class`;
                          })
                        }
                      >
                        Remove
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="summary-title">
        <h2 id="summary-title">Completion by exercise</h2>
        <table className={styles.summary}>
          <thead>
            <tr>
              <th>Exercise</th>
              <th>Passed</th>
              <th>Stuck</th>
              <th>Not started</th>
              <th>Attempts</th>
              <th>Completion</th>
            </tr>
          </thead>
          <tbody>
            {gradebook.summary.map((s) => (
              <tr key={`${s.lesson}/${s.exercise}`} data-summary={`${s.lesson}/${s.exercise}`}>
                <td>
                  {s.exerciseTitle} <span className={styles.muted}>· {s.lessonTitle}</span>
                </td>
                <td>{s.passed}</td>
                <td>{s.stuck}</td>
                <td>{s.notStarted}</td>
                <td>{s.attempts}</td>
                <td>
                  <progress max={1} value={s.completion} aria-label={`${Math.round(s.completion * 100)}% passed`} /> {Math.round(s.completion * 100)}%
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="stuck-title">
        <h2 id="stuck-title">Where learners get stuck</h2>
        {gradebook.stuck.length === 0 ? (
          <p className={styles.muted}>Nobody is stuck: every exercise someone tried, they passed.</p>
        ) : (
          <ol className={styles.stuck}>
            {gradebook.stuck.map((s) => (
              <li key={`${s.lesson}/${s.exercise}`}>
                <strong>{s.exerciseTitle}</strong> <span className={styles.muted}>({s.lessonTitle})</span>: {s.stuck} learner{s.stuck === 1 ? '' : 's'} tried without passing,{' '}
                {s.stuckAttempts} attempt{s.stuckAttempts === 1 ? '' : 's'} between them; {s.passed} passed.
              </li>
            ))}
          </ol>
        )}
      </section>
    </main>
  );
}
