import { z } from 'zod';
import { loadCourse } from '../lessons/load.ts';
import { LessonValidationError } from '../lessons/problems.ts';
import { LessonFrontmatter } from '../lessons/schema.ts';

/** `unboxed content check|schema`: validate the course, or print the frontmatter JSON Schema. */
export async function runContentCli(args: readonly string[], contentDir: string): Promise<number> {
  const [command] = args;
  if (command === 'check') {
    try {
      const { lessons } = await loadCourse(contentDir);
      const exercises = lessons.reduce((n, l) => n + l.exercises.length, 0);
      console.log(`content ok: ${lessons.length} lessons, ${exercises} exercises`);
      return 0;
    } catch (error) {
      if (!(error instanceof LessonValidationError)) throw error;
      console.error(error.message);
      return 1;
    }
  }
  if (command === 'schema') {
    console.log(JSON.stringify(z.toJSONSchema(LessonFrontmatter, { io: 'input' }), null, 2));
    return 0;
  }
  console.error('usage: unboxed content check|schema');
  return 2;
}
