import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BrowserContext } from '@playwright/test';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

/** The operator's command line, with `input` on its stdin when given. */
export function unboxed(...args: string[]): Promise<{ stdout: string }>;
export function unboxed(options: { input: string }, ...args: string[]): Promise<{ stdout: string }>;
export function unboxed(first: string | { input: string }, ...rest: string[]): Promise<{ stdout: string }> {
  const [args, input] = typeof first === 'string' ? [[first, ...rest], undefined] : [rest, first.input];
  const child = run(process.execPath, ['--import', 'tsx', 'bin/unboxed.ts', ...args], { cwd: root });
  child.child.stdin?.end(input ?? '');
  return child;
}

/** Closes a spec's browser contexts and removes the learner machines they started: found by the learner ids in their cookies. */
export async function closeAndRemoveMachines(contexts: readonly BrowserContext[]): Promise<void> {
  const learners = new Set<string>();
  for (const context of contexts) {
    for (const cookie of await context.cookies()) if (cookie.name === 'unboxed_session') learners.add(cookie.value.slice(0, cookie.value.lastIndexOf('.')));
    await context.close();
  }
  const { stdout } = await unboxed('sandbox', 'ls');
  const mine = stdout
    .split('\n')
    .map((line) => line.split(/\s+/))
    .filter((cols) => cols[2] && learners.has(cols[2]))
    .map((cols) => cols[0]!);
  if (mine.length > 0) await unboxed('sandbox', 'rm', ...mine);
}
