import path from 'node:path';
import { parseEnv } from '../env.ts';
import type { Course } from './load.ts';
import type { Lesson } from './schema.ts';
import { CourseSource } from './source.ts';

/**
 * Next.js renders the pages from its own bundle of these modules, in the server's
 * process: a module variable would give the pages a second course beside the server's.
 * The one source is kept on globalThis instead, under a registered symbol.
 */
const SHARED = Symbol.for('unboxed.course');
type WithCourse = typeof globalThis & { [SHARED]?: CourseSource };

/** Makes `source` the process's course, for the pages as for the server (server.ts, at start). */
export function shareCourse(source: CourseSource): CourseSource {
  (globalThis as WithCourse)[SHARED] = source;
  return source;
}

/**
 * The process's course: the one server.ts shared, or, where no server runs (`next build`
 * prerendering the pages), one read from UNBOXED_CONTENT_DIR: once in production, again
 * on every change in development.
 */
export function sharedCourse(): CourseSource {
  const holder = globalThis as WithCourse;
  if (!holder[SHARED]) {
    const env = parseEnv(process.env);
    holder[SHARED] = new CourseSource(path.resolve(env.UNBOXED_CONTENT_DIR), { rereadOnChange: env.NODE_ENV !== 'production' });
  }
  return holder[SHARED];
}

/** The course for a page; a content problem throws, and the page shows its list of problems. */
export function getCourse(): Promise<Course> {
  return sharedCourse().course();
}

export function getLesson(slug: string): Promise<Lesson | undefined> {
  return sharedCourse().lesson(slug);
}
