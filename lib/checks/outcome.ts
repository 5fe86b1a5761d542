import { z } from 'zod';

/**
 * What a check script reports: one JSON line per assertion, printed by the helper
 * library (lib/checks/check.sh). Anything else on stdout is an authoring error.
 */
export const Assertion = z.strictObject({
  name: z.string().min(1).max(200).describe('What is asserted, in the learner\'s words'),
  pass: z.boolean(),
  expected: z.string().max(2000).describe('The state that passes'),
  actual: z.string().max(2000).describe('The state found on the machine'),
  hint: z.string().max(500).optional().describe('Shown to the learner when the assertion fails'),
});
export type Assertion = z.infer<typeof Assertion>;

export type CheckOutcome =
  | { readonly status: 'passed'; readonly assertions: readonly Assertion[] }
  | { readonly status: 'failed'; readonly assertions: readonly Assertion[] }
  /** The check itself is broken (garbage, crash, hang): for the author, never a pass. */
  | { readonly status: 'error'; readonly reason: string; readonly output: string };

export interface CheckRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

const MAX_OUTPUT = 4000;

/**
 * Judges one run of a check script. Exit 0 or 1 are the library's (all passed / some
 * failed) and must agree with the assertions; any other exit, a timeout, a line that is
 * not an assertion, or no assertion at all is an error.
 */
export function judgeCheckRun(run: CheckRun): CheckOutcome {
  const output = (run.stdout + (run.stderr ? `\n[stderr]\n${run.stderr}` : '')).slice(-MAX_OUTPUT);
  const error = (reason: string): CheckOutcome => ({ status: 'error', reason, output });
  // 124 is coreutils `timeout` reporting that it stopped the check.
  if (run.timedOut || run.exitCode === 124) return error('the check did not finish in time');

  const assertions: Assertion[] = [];
  const lines = run.stdout.split('\n');
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      return error(`stdout line ${i + 1} is not JSON: ${line.slice(0, 120)}`);
    }
    const parsed = Assertion.safeParse(json);
    if (!parsed.success) return error(`stdout line ${i + 1} is not an assertion: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    assertions.push(parsed.data);
  }
  if (assertions.length === 0) return error(`the check printed no assertion (exit code ${run.exitCode})`);

  const failed = assertions.some((a) => !a.pass);
  if (run.exitCode === 0 && !failed) return { status: 'passed', assertions };
  if (run.exitCode === 1 && failed) return { status: 'failed', assertions };
  return error(`exit code ${run.exitCode} does not match the assertions (${failed ? 'some failed' : 'all passed'}): the check crashed`);
}
