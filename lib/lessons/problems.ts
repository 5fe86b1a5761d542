import type { z } from 'zod';
import { Exercise, LessonFrontmatter, WrongCase } from './schema.ts';

/** One thing wrong with the course content, phrased for its author. */
export interface LessonProblem {
  /** Path relative to the project root, e.g. `content/02-files/lesson.mdx`. */
  readonly file: string;
  /** The field or place at fault, e.g. `exercises[1].check` or `body line 12:3`. */
  readonly field: string;
  readonly message: string;
  readonly fix: string;
}

export class LessonValidationError extends Error {
  override readonly name = 'LessonValidationError';

  constructor(readonly problems: readonly LessonProblem[]) {
    super(formatProblems(problems));
  }
}

export function formatProblem(p: LessonProblem): string {
  return `${p.file}: ${p.field}: ${p.message}. Fix: ${p.fix}`;
}

export function formatProblems(problems: readonly LessonProblem[]): string {
  const head = problems.length === 1 ? '1 problem in the course content' : `${problems.length} problems in the course content`;
  return [head + ':', ...problems.map((p) => '  ' + formatProblem(p))].join('\n');
}

/** `['exercises', 1, 'check']` → `exercises[1].check` */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}

/** Turns zod's issues about a frontmatter into author-facing problems. */
export function frontmatterProblems(file: string, error: z.ZodError): LessonProblem[] {
  return error.issues.flatMap((issue): LessonProblem[] => {
    const objectShape = shapeAt(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const allowed = objectShape ? Object.keys(objectShape).join(', ') : 'see the lesson schema';
      return issue.keys.map((key) => ({
        file,
        field: fieldPath([...issue.path, key]),
        message: `unknown field '${key}'`,
        fix: `remove it or use one of the known fields: ${allowed}`,
      }));
    }
    const field = fieldPath(issue.path) || 'frontmatter';
    const description = describe(issue.path);
    if (issue.code === 'invalid_type' && issue.input === undefined) {
      return [{ file, field, message: 'is missing', fix: `add '${String(issue.path.at(-1))}' (${description ?? 'required'})` }];
    }
    return [{ file, field, message: issue.message, fix: description ? `set it to ${lowerFirst(description)}` : 'correct the value' }];
  });
}

type Shape = Record<string, z.ZodType>;

/** The object shape that a path points into (root or an exercise), for listing known fields. */
function shapeAt(path: readonly PropertyKey[]): Shape | undefined {
  if (path.length === 0) return LessonFrontmatter.shape;
  if (path.length === 2 && path[0] === 'exercises' && typeof path[1] === 'number') return Exercise.shape;
  if (path.length === 2 && path[0] === 'wrong' && typeof path[1] === 'number') return WrongCase.shape;
  return undefined;
}

function describe(path: readonly PropertyKey[]): string | undefined {
  const key = path.at(-1);
  if (typeof key !== 'string') {
    // An element of a list: describe the list.
    return path.length > 1 ? describe(path.slice(0, -1)) : undefined;
  }
  return shapeAt(path.slice(0, -1))?.[key]?.description;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
