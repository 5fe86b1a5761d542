import type { Cell, Column } from '@/lib/classes/gradebook.ts';
import styles from './gradebook.module.css';

const mark = { passed: '✓', failed: '✗', error: '!', 'not-started': '–' } as const;
const word = { passed: 'passed', failed: 'not yet', error: 'check error', 'not-started': 'not started' } as const;

/** One learner on one exercise: status, attempts, first pass (late when after the deadline). */
export function GradeCell({ cell, column }: { cell: Cell; column: Column }) {
  const passedAt = cell.firstPassedAt ? new Date(cell.firstPassedAt) : undefined;
  const details = [
    `${column.exerciseTitle}: ${word[cell.status]}`,
    cell.attempts > 0 && `${cell.attempts} attempt${cell.attempts === 1 ? '' : 's'}`,
    passedAt && `first passed ${passedAt.toLocaleString()}${cell.onTime === false ? ', after the deadline' : ''}`,
  ]
    .filter(Boolean)
    .join('; ');
  return (
    <td className={styles.cell} data-exercise={`${column.lesson}/${column.exercise}`} data-status={cell.status} title={details}>
      <span className={styles.mark} aria-hidden>
        {mark[cell.status]}
      </span>
      <span className={styles.hidden}>{details}</span>
      {cell.attempts > 0 && (
        <span className={styles.attempts} aria-hidden>
          {cell.attempts}×
        </span>
      )}
      {passedAt && (
        <time className={styles.passedAt} dateTime={cell.firstPassedAt!} aria-hidden suppressHydrationWarning>
          {passedAt.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })}
        </time>
      )}
      {cell.onTime === false && (
        <span className={styles.late} aria-hidden>
          late
        </span>
      )}
    </td>
  );
}
