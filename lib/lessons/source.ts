import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { loadCourse, type Course } from './load.ts';
import { LessonValidationError, type LessonProblem } from './problems.ts';
import type { Lesson } from './schema.ts';

/** The course as read last: valid, or the problems that keep it from loading. */
export type CourseState = { readonly ok: true; readonly course: Course } | { readonly ok: false; readonly problems: readonly LessonProblem[] };

export interface CourseSourceOptions {
  /**
   * Read the content again whenever a file under it changed since the last read (an
   * author editing lessons under `npm run dev`); otherwise it is read once. @default false
   */
  readonly rereadOnChange?: boolean;
}

/**
 * The one source of the course for a process: the pages and the live checks ask it, so
 * they always see the same lessons. A content problem is a state of the course, never a
 * crash: `state()` reports it, `course()` and `lesson()` throw it as a
 * `LessonValidationError` that lists every problem (file, field, fix).
 */
export class CourseSource {
  private last?: { readonly stamp: string; readonly state: Promise<CourseState> };

  constructor(
    readonly contentDir: string,
    private readonly options: CourseSourceOptions = {},
  ) {}

  /** The course or its problems; resolves for any content, valid or not. */
  async state(): Promise<CourseState> {
    // A stat of every file costs about a millisecond; compiling the lessons, seconds.
    const stamp = this.options.rereadOnChange ? await contentStamp(this.contentDir) : 'once';
    if (this.last?.stamp !== stamp) {
      const state = readCourse(this.contentDir);
      this.last = { stamp, state };
      // An unexpected failure (not a content problem) is not kept: the next call tries again.
      state.catch(() => {
        if (this.last?.state === state) this.last = undefined;
      });
    }
    return this.last.state;
  }

  /** The valid course; throws `LessonValidationError` naming every problem when it has any. */
  async course(): Promise<Course> {
    const state = await this.state();
    if (!state.ok) throw new LessonValidationError(state.problems);
    return state.course;
  }

  /** Lessons sorted by order; throws as `course()` does. */
  async lessons(): Promise<readonly Lesson[]> {
    return (await this.course()).lessons;
  }

  /** The lesson with this slug, undefined when there is none; throws as `course()` does. */
  async lesson(slug: string): Promise<Lesson | undefined> {
    return (await this.course()).lessons.find((l) => l.slug === slug);
  }
}

async function readCourse(contentDir: string): Promise<CourseState> {
  try {
    return { ok: true, course: await loadCourse(contentDir) };
  } catch (error) {
    if (error instanceof LessonValidationError) return { ok: false, problems: error.problems };
    throw error;
  }
}

/** Every path under the folder with its size and modification time: changes when any file does. */
async function contentStamp(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true }).catch(() => undefined);
  if (!names) return 'unreadable';
  const files = await Promise.all(
    names.sort().map(async (name) => {
      const s = await stat(path.join(dir, name)).catch(() => undefined);
      return `${name} ${s?.size} ${s?.mtimeMs}`;
    }),
  );
  return files.join('\n');
}
