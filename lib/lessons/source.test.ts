import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { getLesson, shareCourse } from './course.ts';
import { LessonValidationError } from './problems.ts';
import { CourseSource } from './source.ts';

const realContent = path.resolve(import.meta.dirname, '../../content');
const SLUG = 'client-and-daemon';

let content: string;

beforeEach(async () => {
  // The commented reference lesson alone: a course of one, edited by each case.
  content = await mkdtemp(path.join(tmpdir(), 'unboxed-source-'));
  await cp(path.join(realContent, '01-client-and-daemon'), path.join(content, '01-client-and-daemon'), { recursive: true });
});

afterEach(async () => {
  await rm(content, { recursive: true, force: true });
});

async function editLesson(change: (source: string) => string): Promise<void> {
  const file = path.join(content, '01-client-and-daemon', 'lesson.mdx');
  const source = await readFile(file, 'utf8');
  const changed = change(source);
  expect(changed, 'the edit must change the lesson').not.toBe(source);
  await writeFile(file, changed);
}

const retitle = (title: string) => editLesson((s) => s.replace(/^title: .*$/m, `title: ${title}`));
const breakIt = () => editLesson((s) => s.replace('estimatedMinutes: 30', 'estimatedMinutes: 30\ndifficulty: hard'));

it('in development, re-reads a lesson the author edited', async () => {
  const course = new CourseSource(content, { rereadOnChange: true });
  await retitle('Before the edit');
  expect((await course.lesson(SLUG))?.title).toBe('Before the edit');
  await retitle('After the edit');
  expect((await course.lesson(SLUG))?.title).toBe('After the edit');
});

it('in production, reads the course once', async () => {
  const course = new CourseSource(content);
  await retitle('Before the edit');
  expect((await course.lesson(SLUG))?.title).toBe('Before the edit');
  await retitle('After the edit');
  expect((await course.lesson(SLUG))?.title).toBe('Before the edit');
});

it('a broken lesson is a state with its problems, never a crash; fixing it brings the course back', async () => {
  const course = new CourseSource(content, { rereadOnChange: true });
  await breakIt();
  const state = await course.state();
  expect(state.ok).toBe(false);
  expect(!state.ok && state.problems.map((p) => `${p.field}: ${p.message}`)).toEqual(["difficulty: unknown field 'difficulty'"]);
  // What a page or a check sees: an error listing each problem with its file and fix.
  const error = await course.lesson(SLUG).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(LessonValidationError);
  expect((error as Error).message).toMatch(/01-client-and-daemon\/lesson\.mdx: difficulty: unknown field 'difficulty'\. Fix: remove it/);

  await editLesson((s) => s.replace('\ndifficulty: hard', ''));
  expect((await course.lesson(SLUG))?.slug).toBe(SLUG);
});

it('a content folder that is not there is a problem too', async () => {
  const state = await new CourseSource(path.join(content, 'missing')).state();
  expect(!state.ok && state.problems[0]?.message).toMatch(/cannot read the content folder/);
});

it('the pages read the course the server shared', async () => {
  shareCourse(new CourseSource(content, { rereadOnChange: true }));
  await retitle('Shared with the pages');
  expect((await getLesson(SLUG))?.title).toBe('Shared with the pages');
});
