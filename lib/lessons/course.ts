import { cache } from 'react';
import { contentDir, env } from '../env.ts';
import { loadCourse, type Course } from './load.ts';
import type { Lesson } from './schema.ts';

let loaded: Promise<Course> | undefined;

/**
 * The course as the app sees it. In production it is loaded once; in development it is
 * re-read per request so an author sees an edit (or its validation error) on reload.
 */
export const getCourse = cache((): Promise<Course> => {
  if (env.NODE_ENV !== 'production') return loadCourse(contentDir);
  loaded ??= loadCourse(contentDir);
  return loaded;
});

export async function getLesson(slug: string): Promise<Lesson | undefined> {
  const { lessons } = await getCourse();
  return lessons.find((l) => l.slug === slug);
}
