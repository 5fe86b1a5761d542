import { access, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { VFile } from 'vfile';
import { matter } from 'vfile-matter';
import { compileLessonBody } from './mdx.ts';
import { LessonValidationError, fieldPath, frontmatterProblems, type LessonProblem } from './problems.ts';
import { LessonFrontmatter, type Lesson } from './schema.ts';

/** `content/<NN-slug>/`: the number is the lesson's order, the rest its slug. */
const LESSON_DIR = /^(\d{2,})-([a-z0-9]+(?:-[a-z0-9]+)*)$/;

export interface Course {
  /** Lessons sorted by `order`. */
  readonly lessons: readonly Lesson[];
}

/**
 * Loads and validates every lesson under `contentDir`. Either the whole course is
 * valid or a `LessonValidationError` lists every problem found, each naming the file,
 * the field and the fix, so an author sees all of them in one run.
 */
export async function loadCourse(contentDir: string): Promise<Course> {
  const entries = await readdir(contentDir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    throw new LessonValidationError([
      { file: rel(contentDir), field: 'folder', message: `cannot read the content folder (${error.code ?? error.message})`, fix: 'create it, or point UNBOXED_CONTENT_DIR at the folder holding the lessons' },
    ]);
  });
  const dirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  const results = await Promise.all(dirs.map((dir) => loadLesson(contentDir, dir)));
  const problems = results.flatMap((r) => r.problems);
  const lessons = results.flatMap((r) => (r.lesson ? [r.lesson] : []));
  // Cross-lesson checks see every lesson whose frontmatter is valid, so one broken
  // check script does not also make its dependents' prerequisites "unknown".
  const folderSlugs = new Set(dirs.flatMap((dir) => LESSON_DIR.exec(dir)?.[2] ?? []));
  problems.push(...courseProblems(results.flatMap((r) => (r.declared ? [r.declared] : [])), folderSlugs));
  if (lessons.length === 0 && problems.length === 0) {
    problems.push({ file: rel(contentDir), field: 'folder', message: 'holds no lessons', fix: 'add a lesson folder such as content/01-first-lesson/lesson.mdx' });
  }
  if (problems.length > 0) throw new LessonValidationError(problems);
  return { lessons: [...lessons].sort((a, b) => a.order - b.order) };
}

/** A lesson folder whose frontmatter is valid, whatever else is wrong with it. */
interface Declared extends LessonFrontmatter {
  readonly file: string;
}

interface LessonResult {
  readonly declared?: Declared;
  readonly lesson?: Lesson;
  readonly problems: LessonProblem[];
}

async function loadLesson(contentDir: string, dir: string): Promise<LessonResult> {
  const lessonDir = path.join(contentDir, dir);
  const file = rel(path.join(lessonDir, 'lesson.mdx'));
  const problems: LessonProblem[] = [];
  const folder = LESSON_DIR.exec(dir);
  if (!folder) {
    problems.push({ file: rel(lessonDir), field: 'folder', message: `folder name '${dir}' is not <NN>-<slug>`, fix: 'rename it like 03-containers-are-processes (two-digit order, then the slug)' });
  }

  let source: string;
  try {
    source = await readFile(path.join(lessonDir, 'lesson.mdx'), 'utf8');
  } catch {
    return { problems: [...problems, { file, field: 'file', message: 'lesson.mdx does not exist', fix: `create ${file} with YAML frontmatter and the lesson text` }] };
  }

  const vfile = new VFile({ path: file, value: source });
  try {
    matter(vfile);
  } catch (error) {
    return { problems: [...problems, { file, field: 'frontmatter', message: `invalid YAML (${firstLine(error)})`, fix: 'correct the YAML between the --- lines at the top of the file' }] };
  }
  // reportInput: zod 4 leaves issue.input out otherwise, and problems.ts tells "missing" from "wrong type" by it.
  const parsed = LessonFrontmatter.safeParse(vfile.data.matter ?? {}, { reportInput: true });
  const exerciseIds = parsed.success ? parsed.data.exercises.map((e) => e.id) : undefined;
  const body = await compileLessonBody(vfile, { exerciseIds, lessonDir });
  if (!body.ok) {
    problems.push(
      ...body.problems.map((p) => ({
        file,
        field: p.line === undefined ? 'body' : `body line ${p.line}${p.column === undefined ? '' : `:${p.column}`}`,
        message: p.message,
        fix: p.fix,
      })),
    );
  }
  if (!parsed.success) return { problems: [...problems, ...frontmatterProblems(file, parsed.error)] };

  const fm = parsed.data;
  if (folder) {
    const [, number, slug] = folder;
    if (slug !== fm.slug) problems.push({ file, field: 'slug', message: `'${fm.slug}' differs from the folder name '${dir}'`, fix: `set slug: ${slug}, or rename the folder to ${number}-${fm.slug}` });
    if (Number(number) !== fm.order) problems.push({ file, field: 'order', message: `${fm.order} differs from the folder number ${number}`, fix: `set order: ${Number(number)}, or rename the folder` });
  }
  const seen = new Set<string>();
  for (const [i, exercise] of fm.exercises.entries()) {
    if (seen.has(exercise.id)) {
      problems.push({ file, field: fieldPath(['exercises', i, 'id']), message: `duplicate exercise id '${exercise.id}'`, fix: 'give every exercise of the lesson its own id' });
    }
    seen.add(exercise.id);
    if (!(await exists(path.join(lessonDir, exercise.check)))) {
      problems.push({ file, field: fieldPath(['exercises', i, 'check']), message: `exercise '${exercise.id}': check '${exercise.check}' does not exist`, fix: `create ${rel(path.join(lessonDir, exercise.check))} or correct the path` });
    }
  }
  for (const [i, wrong] of fm.wrong.entries()) {
    if (!seen.has(wrong.exercise)) {
      problems.push({ file, field: fieldPath(['wrong', i, 'exercise']), message: `'${wrong.exercise}' is not an exercise of this lesson`, fix: `use one of: ${[...seen].join(', ')}` });
    }
    if (!(await exists(path.join(lessonDir, wrong.script)))) {
      problems.push({ file, field: fieldPath(['wrong', i, 'script']), message: `'${wrong.script}' does not exist`, fix: `create ${rel(path.join(lessonDir, wrong.script))} or correct the path` });
    }
  }
  if (!(await exists(path.join(lessonDir, 'solution.sh')))) {
    problems.push({ file: rel(path.join(lessonDir, 'solution.sh')), field: 'file', message: 'the lesson has no solution', fix: 'add solution.sh: the commands that make every check pass on a fresh machine' });
  }
  const declared = { ...fm, file };
  if (problems.length > 0 || !body.ok) return { declared, problems };
  return { declared, lesson: { ...declared, dir, compiled: body.code }, problems };
}

/** `folderSlugs` name lessons that exist even if their own frontmatter is broken. */
function courseProblems(lessons: readonly Declared[], folderSlugs: ReadonlySet<string>): LessonProblem[] {
  const problems: LessonProblem[] = [];
  const bySlug = new Map<string, Declared>();
  const byOrder = new Map<number, Declared>();
  for (const lesson of lessons) {
    const namesake = bySlug.get(lesson.slug);
    if (namesake) problems.push({ file: lesson.file, field: 'slug', message: `'${lesson.slug}' is also the slug of ${namesake.file}`, fix: 'give every lesson its own slug' });
    bySlug.set(lesson.slug, lesson);
  }
  for (const lesson of lessons) {
    const twin = byOrder.get(lesson.order);
    if (twin) problems.push({ file: lesson.file, field: 'order', message: `${lesson.order} is also the order of ${twin.file}`, fix: 'give every lesson its own order number' });
    byOrder.set(lesson.order, lesson);
    for (const [i, slug] of lesson.prerequisites.entries()) {
      const field = fieldPath(['prerequisites', i]);
      const prerequisite = bySlug.get(slug);
      if (!prerequisite && folderSlugs.has(slug)) continue;
      if (!prerequisite) {
        problems.push({ file: lesson.file, field, message: `prerequisite '${slug}' is not a lesson`, fix: `use one of the lesson slugs: ${[...folderSlugs].join(', ')}` });
      } else if (prerequisite.order >= lesson.order) {
        problems.push({ file: lesson.file, field, message: `prerequisite '${slug}' comes at order ${prerequisite.order}, not before this lesson (${lesson.order})`, fix: 'only list lessons that come earlier in the course' });
      }
    }
  }
  return problems;
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

function rel(p: string): string {
  return path.relative(process.cwd(), p) || '.';
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
