import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCourse } from './load.ts';
import { LessonValidationError, type LessonProblem } from './problems.ts';

const root = path.resolve(import.meta.dirname, '../..');
const realContent = path.join(root, 'content');

const FIXTURE_LESSONS = ['01-client-and-daemon', '02-containers-are-files'];

let content: string;

beforeEach(async () => {
  // Each case starts from a copy of the first two real lessons (the commented reference
  // and one that depends on it) and breaks one thing; later lessons are not fixtures.
  content = await mkdtemp(path.join(tmpdir(), 'unboxed-content-'));
  for (const dir of FIXTURE_LESSONS) await cp(path.join(realContent, dir), path.join(content, dir), { recursive: true });
});

afterEach(async () => {
  await rm(content, { recursive: true, force: true });
});

const lesson1 = () => path.join(content, '01-client-and-daemon', 'lesson.mdx');

async function edit(file: string, change: (source: string) => string): Promise<void> {
  const source = await readFile(file, 'utf8');
  const changed = change(source);
  expect(changed, 'the edit must change the fixture').not.toBe(source);
  await writeFile(file, changed);
}

async function problemsOf(dir: string): Promise<readonly LessonProblem[]> {
  try {
    await loadCourse(dir);
  } catch (error) {
    if (error instanceof LessonValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected the course to be rejected');
}

/** Asserts there is exactly one problem and returns it. */
async function theProblem(): Promise<LessonProblem> {
  const problems = await problemsOf(content);
  expect(problems).toHaveLength(1);
  return problems[0]!;
}

describe('loadCourse', () => {
  it('loads the real course in order, with compiled bodies', async () => {
    const { lessons } = await loadCourse(realContent);
    expect(lessons.map((l) => l.slug).slice(0, 3)).toEqual(['client-and-daemon', 'containers-are-files', 'containers-are-processes']);
    expect(lessons.map((l) => l.order)).toEqual(lessons.map((_, i) => i + 1));
    expect(lessons[0]!.exercises.map((e) => e.id)).toEqual(['socket-activation', 'create-through-api', 'start-through-api', 'exec-through-api', 'proxy-the-socket']);
    expect(lessons[0]!.compiled).toContain('Exercise');
    expect(lessons[1]!.prerequisites).toEqual(['client-and-daemon']);
  });

  it('highlights a code block in any language shiki bundles, loaded when a lesson first uses it, and shows an unknown one as plain text', async () => {
    await edit(lesson1(), (s) => `${s}\n\n\`\`\`yaml\nservices:\n  web:\n    image: nginx\n\`\`\`\n\n\`\`\`nosuchlanguage\nplain words\n\`\`\`\n`);
    const { lessons } = await loadCourse(content);
    const compiled = lessons[0]!.compiled;
    // Highlighted: the key is a token of its own, with a colour of each theme.
    expect(compiled).toMatch(/color: "#[0-9A-Fa-f]{6}",\s*"--shiki-dark": "#[0-9A-Fa-f]{6}"\s*},\s*children: "services"/);
    expect(compiled).toContain('"plain words"');
  });

  // One broken thing each, and the one problem it makes: file, field, message and fix.
  const oneProblem: Array<{ name: string; breakIt: () => Promise<void>; expected: Partial<Record<keyof LessonProblem, unknown>> }> = [
    {
      name: 'rejects an unknown field, naming it and the known ones',
      breakIt: () => edit(lesson1(), (s) => s.replace('estimatedMinutes: 30', 'estimatedMinutes: 30\ndifficulty: hard')),
      expected: { file: expect.stringMatching(/01-client-and-daemon\/lesson\.mdx$/), field: 'difficulty', message: "unknown field 'difficulty'", fix: expect.stringContaining('estimatedMinutes') },
    },
    {
      name: 'rejects an unknown field inside an exercise',
      breakIt: () => edit(lesson1(), (s) => s.replace('    check: checks/started-through-api.sh', '    check: checks/started-through-api.sh\n    points: 3')),
      expected: { field: 'exercises[2].points', fix: expect.stringContaining('hints') },
    },
    {
      name: 'rejects a value of the wrong type, saying what it got',
      breakIt: () => edit(lesson1(), (s) => s.replace('estimatedMinutes: 30', 'estimatedMinutes: soon')),
      expected: { field: 'estimatedMinutes', message: 'Invalid input: expected number, received string', fix: 'set it to expected time to finish, in minutes' },
    },
    {
      name: 'rejects a missing required field and says what to add',
      breakIt: () => edit(lesson1(), (s) => s.replace(/^summary: .*\n/m, '')),
      expected: { field: 'summary', message: 'is missing', fix: expect.stringMatching(/^add 'summary' \(One or two sentences/) },
    },
    {
      name: 'rejects a check script that does not exist',
      breakIt: () => rm(path.join(content, '01-client-and-daemon', 'checks', 'started-through-api.sh')),
      expected: { field: 'exercises[2].check', message: "exercise 'start-through-api': check 'checks/started-through-api.sh' does not exist", fix: expect.stringContaining('01-client-and-daemon/checks/started-through-api.sh') },
    },
    {
      name: 'rejects a check path outside the lesson checks folder',
      breakIt: () => edit(lesson1(), (s) => s.replace('check: checks/started-through-api.sh', 'check: ../../etc/passwd')),
      expected: { field: 'exercises[2].check', message: expect.stringContaining('checks/ folder') },
    },
    {
      name: 'rejects a prerequisite that does not exist',
      breakIt: () => edit(path.join(content, '02-containers-are-files', 'lesson.mdx'), (s) => s.replace('prerequisites: [client-and-daemon]', 'prerequisites: [client-and-demon]')),
      expected: { file: expect.stringMatching(/02-containers-are-files\/lesson\.mdx$/), field: 'prerequisites[0]', message: "prerequisite 'client-and-demon' is not a lesson", fix: expect.stringContaining('client-and-daemon') },
    },
    {
      name: 'rejects a prerequisite that comes later in the course',
      breakIt: () => edit(lesson1(), (s) => s.replace('prerequisites: [] #', 'prerequisites: [containers-are-files] #')),
      expected: { field: 'prerequisites[0]', message: expect.stringContaining('not before this lesson') },
    },
  ];

  it.each(oneProblem)('$name', async ({ breakIt, expected }) => {
    await breakIt();
    expect(await theProblem()).toMatchObject(expected);
  });

  it('rejects a duplicate exercise id', async () => {
    await edit(lesson1(), (s) => s.replace('- id: start-through-api', '- id: create-through-api'));
    const problems = await problemsOf(content);
    const duplicate = problems.find((p) => p.field === 'exercises[2].id');
    expect(duplicate?.message).toBe("duplicate exercise id 'create-through-api'");
    expect(duplicate?.fix).toBe('give every exercise of the lesson its own id');
  });

  it('rejects an MDX syntax error with its line', async () => {
    await edit(lesson1(), (s) => s.replace('## Two versions, one command', '## Two versions, one command\n\n<Note>never closed'));
    const problems = await problemsOf(content);
    const syntax = problems.find((p) => p.message.startsWith('MDX syntax error'));
    expect(syntax?.field).toMatch(/^body line \d+/);
    const line = Number(/line (\d+)/.exec(syntax!.field)![1]);
    const source = (await readFile(lesson1(), 'utf8')).split('\n');
    expect(source.slice(line - 3, line + 2).join('\n')).toContain('<Note>never closed');
    expect(syntax?.fix).toContain('close every JSX tag');
  });

  it('rejects invalid YAML in the frontmatter', async () => {
    await edit(lesson1(), (s) => s.replace('topics: [docker-api, dockerd]', 'topics: [docker-api, dockerd'));
    const p = await theProblem();
    expect(p.field).toBe('frontmatter');
    expect(p.message).toMatch(/^invalid YAML/);
  });

  it('rejects an unknown component and an import', async () => {
    await edit(lesson1(), (s) => s.replace('## Two versions, one command', 'import X from "fs"\n\n## Two versions, one command\n\n<Quiz />'));
    const problems = await problemsOf(content);
    expect(problems.map((p) => p.message)).toEqual(['import/export statements are not allowed in lessons', 'unknown component <Quiz>']);
    expect(problems[1]!.fix).toContain('<Exercise>, <Run>, <Hint>, <Note>');
    expect(problems[1]!.field).toMatch(/^body line \d+:1$/);
  });

  it('rejects an <Exercise> id that is not declared, and a declared exercise never placed', async () => {
    await edit(lesson1(), (s) => s.replace('<Exercise id="start-through-api">', '<Exercise id="start-thru-api">'));
    const messages = (await problemsOf(content)).map((p) => p.message);
    expect(messages).toContain('<Exercise id="start-thru-api"> names no exercise of this lesson');
    expect(messages).toContain("exercise 'start-through-api' is declared in the frontmatter but never placed");
  });

  it('rejects a <Run> without a literal command', async () => {
    await edit(lesson1(), (s) => s.replace('<Run command="docker version" />', '<Run>docker version</Run>'));
    const p = await theProblem();
    expect(p.message).toBe('<Run> needs a command="…" attribute with a literal string');
  });

  it('rejects a slug that differs from the folder name', async () => {
    await edit(lesson1(), (s) => s.replace('slug: client-and-daemon', 'slug: client-daemon'));
    const problems = await problemsOf(content);
    expect(problems.find((p) => p.field === 'slug')?.fix).toBe('set slug: client-and-daemon, or rename the folder to 01-client-daemon');
  });

  it('rejects a wrong case aimed at no exercise, or whose script is missing', async () => {
    await edit(lesson1(), (s) => s.replace('    exercise: create-through-api\n', '    exercise: create-thru-api\n'));
    await rm(path.join(content, '01-client-and-daemon', 'wrong', 'created-not-started.sh'));
    const problems = await problemsOf(content);
    expect(problems.map((p) => [p.field, p.message])).toEqual([
      ['wrong[2].exercise', "'create-thru-api' is not an exercise of this lesson"],
      ['wrong[4].script', "'wrong/created-not-started.sh' does not exist"],
    ]);
  });

  it('rejects a lesson without a solution', async () => {
    await rm(path.join(content, '02-containers-are-files', 'solution.sh'));
    const p = await theProblem();
    expect(p.file).toMatch(/02-containers-are-files\/solution\.sh$/);
    expect(p.message).toBe('the lesson has no solution');
  });

  it('reports the problems of every lesson in one run', async () => {
    await edit(lesson1(), (s) => s.replace('estimatedMinutes: 30', 'estimatedMinutes: soon'));
    await rm(path.join(content, '02-containers-are-files', 'checks', 'created-folder.sh'));
    const problems = await problemsOf(content);
    expect(problems.map((p) => `${path.basename(path.dirname(p.file))} ${p.field}`)).toEqual([
      '01-client-and-daemon estimatedMinutes',
      '02-containers-are-files exercises[0].check',
    ]);
  });
});

describe('unboxed content check (the first step of npm run build)', () => {
  const run = promisify(execFile);

  it('exits 1 with one line per problem naming file, field and fix', async () => {
    await edit(lesson1(), (s) => s.replace('estimatedMinutes: 30', 'estimatedMinutes: 30\ndifficulty: hard'));
    const result = await run('node', ['--import', 'tsx', path.join(root, 'bin/unboxed.ts'), 'content', 'check'], {
      cwd: root,
      env: { ...process.env, UNBOXED_CONTENT_DIR: content },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('1 problem in the course content:');
    expect(result.stderr).toMatch(/01-client-and-daemon\/lesson\.mdx: difficulty: unknown field 'difficulty'\. Fix: remove it or use one of the known fields: title, slug/);
  });

  it('exits 0 on the real course', async () => {
    const { lessons } = await loadCourse(realContent);
    const exercises = lessons.reduce((sum, l) => sum + l.exercises.length, 0);
    const { stdout } = await run('node', ['--import', 'tsx', path.join(root, 'bin/unboxed.ts'), 'content', 'check'], { cwd: root });
    expect(stdout).toContain(`content ok: ${lessons.length} lessons, ${exercises} exercises`);
  });
});
