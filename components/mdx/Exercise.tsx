import type { ReactNode } from 'react';
import type { Exercise as ExerciseData } from '@/lib/lessons/schema.ts';
import { ExerciseStatus } from './ExerciseStatus.tsx';
import { Hint } from './Hint.tsx';

/** The card for one exercise: its task, its hints, and its live check status. */
export function Exercise({ exercise, number, children }: { exercise: ExerciseData; number: number; children?: ReactNode }) {
  return (
    <section className="exercise" id={`exercise-${exercise.id}`} data-exercise={exercise.id} aria-labelledby={`exercise-${exercise.id}-title`}>
      <header className="exercise-header">
        <span className="exercise-number">Exercise {number}</span>
        <h3 id={`exercise-${exercise.id}-title`}>{exercise.title}</h3>
      </header>
      <div className="exercise-body">{children}</div>
      <ExerciseStatus exercise={exercise.id} />
      {exercise.hints.map((hint, i) => (
        <Hint key={hint} title={exercise.hints.length > 1 ? `Hint ${i + 1}` : 'Hint'}>
          <p>{hint}</p>
        </Hint>
      ))}
    </section>
  );
}
