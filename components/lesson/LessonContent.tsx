import { run } from '@mdx-js/mdx';
import type { MDXComponents } from 'mdx/types';
import type { ReactNode } from 'react';
import * as runtime from 'react/jsx-runtime';
import type { Lesson } from '@/lib/lessons/schema.ts';
import { Changes } from '../mdx/Changes.tsx';
import { Exercise } from '../mdx/Exercise.tsx';
import { Hint } from '../mdx/Hint.tsx';
import { Note } from '../mdx/Note.tsx';
import { Run } from '../mdx/Run.tsx';

/** Renders a lesson's compiled MDX with the lesson components bound to its exercises. */
export async function LessonContent({ lesson }: { lesson: Lesson }) {
  const { default: Body } = await run(lesson.compiled, { ...runtime, baseUrl: import.meta.url });
  const components: MDXComponents = {
    Exercise: ({ id, children }: { id: string; children?: ReactNode }) => {
      // The loader guarantees every <Exercise id> names a declared exercise.
      const index = lesson.exercises.findIndex((e) => e.id === id);
      const exercise = lesson.exercises[index];
      return exercise ? <Exercise exercise={exercise} number={index + 1}>{children}</Exercise> : null;
    },
    Run,
    Hint,
    Note,
    Changes,
  };
  return <Body components={components} />;
}
