'use client';

import { useLessonChecks } from '../lesson/LessonChecks.tsx';

const label = { passed: 'Passed ✓', failed: 'Not yet', error: 'Check error' } as const;

/** An exercise's live status: ticks as soon as the machine shows the work, with the evidence. */
export function ExerciseStatus({ exercise }: { exercise: string }) {
  const { results, checking, check } = useLessonChecks();
  const result = results.get(exercise);
  const failing = result?.assertions.filter((a) => !a.pass) ?? [];
  return (
    <div className="exercise-check" data-check-status={result?.status ?? 'not-checked'}>
      <div className="exercise-check-bar">
        <span className="exercise-status" role="status">
          {result ? label[result.status] : 'Not checked yet'}
          {result?.passedAt && <time dateTime={result.passedAt}> {new Date(result.passedAt).toLocaleTimeString()}</time>}
        </span>
        {result?.status !== 'passed' && (
          <button type="button" className="check-button" onClick={() => void check()} disabled={checking}>
            {checking ? 'Checking…' : 'Check'}
          </button>
        )}
      </div>
      {result?.status === 'error' && <p className="check-error">The check gave no verdict: {result.reason}</p>}
      {failing.length > 0 && (
        <ul className="assertions" aria-label="What the check found">
          {failing.map((a) => (
            <li key={a.name}>
              <strong>{a.name}</strong>: expected {a.expected}, found {a.actual}
              {a.hint && <span className="assertion-hint"> Hint: {a.hint}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
