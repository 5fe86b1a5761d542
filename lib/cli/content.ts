import path from 'node:path';
import { z } from 'zod';
import type { SandboxConfig } from '../../sandbox/index.ts';
import { loadCourse } from '../lessons/load.ts';
import { LessonValidationError } from '../lessons/problems.ts';
import { LessonFrontmatter } from '../lessons/schema.ts';
import { contentTestUsage, runContentTest } from './content-test.ts';

/**
 * `unboxed content check|schema|test`: validate the course, print the frontmatter JSON
 * Schema, or prove lessons on real machines (its machines' state goes under dataDir).
 */
export async function runContentCli(args: readonly string[], contentDir: string, sandbox: SandboxConfig, dataDir: string): Promise<number> {
  const [command, ...rest] = args;
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
  if (command === 'test') {
    try {
      return await runContentTest(rest, contentDir, sandbox, path.join(dataDir, 'content-test'));
    } catch (error) {
      if (error instanceof LessonValidationError) {
        console.error(error.message);
        return 1;
      }
      // parseArgs names the unknown option or missing value; the author gets it with the usage.
      if (!String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) throw error;
      console.error(`${(error as Error).message}\n\n${contentTestUsage}`);
      return 2;
    }
  }
  console.error(`usage: unboxed content check|schema|test\n\n${contentTestUsage}`);
  return 2;
}
