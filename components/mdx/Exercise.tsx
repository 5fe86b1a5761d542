import type { ReactNode } from 'react';
import type { Exercise as ExerciseData } from '@/lib/lessons/schema.ts';
import { Hint } from './Hint.tsx';

/**
 * The card for one exercise. Its status is "not checked yet" until the checks engine
 * reports a result for this learner.
 */
export function Exercise({ exercise, number, children }: { exercise: ExerciseData; number: number; children?: ReactNode }) {
  return (
    <section className="exercise" id={`exercise-${exercise.id}`} data-exercise={exercise.id} data-status="not-checked" aria-labelledby={`exercise-${exercise.id}-title`}>
      <header className="exercise-header">
        <span className="exercise-number">Exercise {number}</span>
        <h3 id={`exercise-${exercise.id}-title`}>{exercise.title}</h3>
        <span className="exercise-status" role="status">Not checked yet</span>
      </header>
      <div className="exercise-body">{children}</div>
      {exercise.hints.map((hint, i) => (
        <Hint key={hint} title={exercise.hints.length > 1 ? `Hint ${i + 1}` : 'Hint'}>
          <p>{hint}</p>
        </Hint>
      ))}
    </section>
  );
}
