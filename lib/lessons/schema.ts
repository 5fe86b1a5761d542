import { z } from 'zod';

/**
 * The lesson format, as data. Every field is described once here; the descriptions
 * feed the validation messages and the JSON Schema that editors can use
 * (`unboxed content schema`).
 */

const kebab = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const Slug = z
  .string()
  .regex(kebab, 'must be lowercase words joined by hyphens, e.g. "containers-are-files"')
  .describe('URL-safe lesson identifier, lowercase words joined by hyphens');

export const ExerciseId = z
  .string()
  .regex(kebab, 'must be lowercase words joined by hyphens, e.g. "find-bundle"')
  .describe('Identifier of the exercise, unique within its lesson; the MDX places it with <Exercise id="…">');

export const CheckPath = z
  .string()
  .regex(/^checks\/[A-Za-z0-9._-]+\.sh$/, 'must be a shell script inside the lesson\'s checks/ folder, e.g. "checks/bundle.sh"')
  .describe('Check script, relative to the lesson folder; it runs inside the learner machine as root');

export const Exercise = z
  .strictObject({
    id: ExerciseId,
    title: z.string().trim().min(1).describe('Short imperative title shown on the exercise card'),
    check: CheckPath,
    hints: z
      .array(z.string().trim().min(1))
      .default([])
      .describe('Hints revealed one at a time when the learner asks'),
  })
  .describe('One task the learner does in the terminal, verified by its check script');

export const WrongCase = z
  .strictObject({
    script: z
      .string()
      .regex(/^wrong\/[A-Za-z0-9._-]+\.sh$/, 'must be a shell script inside the lesson\'s wrong/ folder, e.g. "wrong/limit-on-other-container.sh"')
      .describe('A plausible mistake, run on a fresh machine instead of the solution'),
    exercise: ExerciseId.describe('The exercise whose check must still fail after the mistake'),
    why: z.string().trim().min(1).describe('What the learner got wrong, in one sentence'),
  })
  .describe('A wrong solution that the targeted check must not accept');

const AbsolutePath = z.string().regex(/^\/[^\0\n\t]*$/, 'must be an absolute path inside the machine, e.g. "/etc/docker"');

export const WatchedPaths = z
  .strictObject({
    watch: z.array(AbsolutePath).max(10).default([]).describe("Folders whose files the What changed panel also shows, besides Docker's own"),
    ignore: z
      .array(AbsolutePath)
      .max(20)
      .default([])
      .describe('Paths whose changes the panel leaves out (find -path patterns: * matches across /), e.g. "/var/lib/docker/buildkit/*"'),
  })
  .describe('What the What changed panel watches while this lesson is open');
export type WatchedPaths = z.infer<typeof WatchedPaths>;

export const LessonFrontmatter = z
  .strictObject({
    title: z.string().trim().min(1).describe('Lesson title'),
    slug: Slug,
    summary: z.string().trim().min(1).max(280).describe('One or two sentences shown in the catalog'),
    order: z.int().positive().describe('Position in the course; the folder name starts with it, zero-padded'),
    estimatedMinutes: z.int().positive().max(240).describe('Expected time to finish, in minutes'),
    topics: z
      .array(Slug)
      .min(1)
      .describe('Topic tags shown in the catalog, e.g. [namespaces, cgroups]'),
    prerequisites: z
      .array(Slug)
      .default([])
      .describe('Slugs of lessons to take first; each must exist and come earlier in the course'),
    exercises: z
      .array(Exercise)
      .min(1)
      .describe('The exercises of the lesson, in the order they appear'),
    wrong: z
      .array(WrongCase)
      .default([])
      .describe('Mistakes lessons-tests proves the checks refuse'),
    changes: WatchedPaths.default({ watch: [], ignore: [] }),
  })
  .describe('YAML frontmatter of content/<NN-slug>/lesson.mdx');

export type LessonFrontmatter = z.infer<typeof LessonFrontmatter>;
export type Exercise = z.infer<typeof Exercise>;
export type WrongCase = z.infer<typeof WrongCase>;

/** A lesson after loading: frontmatter plus where it lives and its compiled body. */
export interface Lesson extends LessonFrontmatter {
  /** Folder name under content/, e.g. `02-containers-are-files`. */
  readonly dir: string;
  /** Path of lesson.mdx relative to the project root, for messages. */
  readonly file: string;
  /** MDX compiled to a function body, ready for `run()`. */
  readonly compiled: string;
}

/** The components lesson MDX may use; anything else is an authoring error. */
export const LESSON_COMPONENTS = ['Exercise', 'Run', 'Hint', 'Note', 'Changes'] as const;
export type LessonComponentName = (typeof LESSON_COMPONENTS)[number];
