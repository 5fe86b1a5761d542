'use client';

import Link from 'next/link';
import { useCallback, useEffect, useState } from 'react';
import type { EvidenceView } from '@/lib/classes/report.ts';
import { LearnerReportResponse } from '@/lib/classes/views.ts';
import { callApi, messageOf } from '../api-client.ts';
import { ChangeSetView } from '../changes/ChangeSetView.tsx';
import { Deadline } from '../classes/Deadline.tsx';
import { RecordingPlayer } from '../recordings/RecordingPlayer.tsx';
import { ResetLearnerMachine } from './ResetLearnerMachine.tsx';
import styles from './gradebook.module.css';

const label = { passed: 'Passed', failed: 'Not yet', error: 'Check error', 'not-started': 'Not started' } as const;

/** One learner of a class: every exercise with the evidence its check recorded, and re-check. */
export function LearnerEvidence({ classId, userId }: { classId: string; userId: string }) {
  const [data, setData] = useState<LearnerReportResponse>();
  const [error, setError] = useState<string>();
  const [checking, setChecking] = useState(false);
  const [notice, setNotice] = useState<string>();

  const load = useCallback(() => {
    callApi(`/api/classes/${classId}/learners/${userId}`, LearnerReportResponse)
      .then(setData)
      .catch((e: unknown) => setError(messageOf(e)));
  }, [classId, userId]);
  useEffect(load, [load]);

  async function recheck() {
    setChecking(true);
    setError(undefined);
    setNotice(undefined);
    try {
      setData(await callApi(`/api/classes/${classId}/learners/${userId}/recheck`, LearnerReportResponse, { method: 'POST', body: {} }));
      setNotice(`Checked on the learner's machine at ${new Date().toLocaleTimeString()}`);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setChecking(false);
    }
  }

  if (!data) {
    return <main className={styles.page}>{error ? <p role="alert" className={styles.error}>{error}</p> : <p className={styles.muted}>Loading…</p>}</main>;
  }
  const { report, machine } = data;
  return (
    <main className={styles.page}>
      <p className={styles.kicker}>
        <Link href="/classes">Classes</Link> · <Link href={`/classes/${classId}`}>{report.class.name}</Link>
      </p>
      <h1>{report.learner.name}</h1>
      <p className={styles.muted}>
        {report.learner.email} · joined <Deadline at={report.learner.joinedAt} /> · class due <Deadline at={report.class.deadline} />
      </p>
      <div className={styles.toolbar}>
        <span data-machine={machine}>{machine === 'running' ? 'Their machine is running.' : 'They have no machine running now; these are the results of their last session.'}</span>
        <button type="button" onClick={() => void recheck()} disabled={checking}>
          {checking ? 'Checking…' : 'Re-check now'}
        </button>
        {machine === 'running' && <ResetLearnerMachine classId={classId} userId={userId} name={report.learner.name} onReset={setData} />}
        <Link href={`/classes/${classId}/learners/${userId}/watch`}>Watch their terminals live</Link>
      </div>
      {notice && <p role="status">{notice}</p>}
      {error && (
        <p role="alert" className={styles.error}>
          {error}
        </p>
      )}
      <RecordingPlayer classId={classId} userId={userId} />
      {report.lessons.map((lesson) => (
        <section key={lesson.slug} aria-labelledby={`lesson-${lesson.slug}`}>
          <h2 id={`lesson-${lesson.slug}`}>{lesson.title}</h2>
          {lesson.exercises.map((exercise) => (
            <Evidence key={exercise.id} lesson={lesson.slug} exercise={exercise} />
          ))}
        </section>
      ))}
    </main>
  );
}

function Evidence({ lesson, exercise }: { lesson: string; exercise: EvidenceView }) {
  return (
    <article className={styles.evidence} data-exercise={`${lesson}/${exercise.id}`} data-status={exercise.status}>
      <header>
        <h3>{exercise.title}</h3>
        <span className={styles.badge}>{label[exercise.status]}</span>
      </header>
      <dl className={styles.facts}>
        <dt>Attempts</dt>
        <dd>{exercise.attempts}</dd>
        <dt>First passed</dt>
        <dd>
          {exercise.firstPassedAt ? (
            <>
              <Deadline at={exercise.firstPassedAt} />
              {exercise.onTime === false && <span className={styles.late}> after the deadline</span>}
            </>
          ) : (
            '—'
          )}
        </dd>
        <dt>Last checked</dt>
        <dd>{exercise.lastCheckedAt ? <Deadline at={exercise.lastCheckedAt} /> : '—'}</dd>
      </dl>
      {exercise.reason && <p className={styles.error}>The check gave no verdict: {exercise.reason}</p>}
      {exercise.assertions.length > 0 && (
        <table className={styles.assertions} aria-label={`What the check found for ${exercise.title}`}>
          <thead>
            <tr>
              <th>Assertion</th>
              <th>Expected</th>
              <th>Found</th>
            </tr>
          </thead>
          <tbody>
            {exercise.assertions.map((a) => (
              <tr key={a.name} data-pass={a.pass}>
                <td>
                  <span aria-label={a.pass ? 'holds' : 'fails'}>{a.pass ? '✓' : '✗'}</span> {a.name}
                  {!a.pass && a.hint && <div className={styles.muted}>Hint: {a.hint}</div>}
                </td>
                <td>
                  <code>{a.expected}</code>
                </td>
                <td>
                  <code>{a.actual}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {exercise.status === 'passed' && exercise.command && (
        <section className={styles.command} aria-label={`What the learner's command did for ${exercise.title}`}>
          <h4>
            It passed after <code>{exercise.command.line || 'a command'}</code>, which changed this on the machine:
          </h4>
          <ChangeSetView changes={exercise.command.changes} />
        </section>
      )}
    </article>
  );
}
