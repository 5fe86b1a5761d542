import { z } from 'zod';

/**
 * What a check script reports: one JSON line per assertion, printed by the helper
 * library (lib/checks/check.sh) after the run's nonce. Anything else on stdout is an
 * authoring error.
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
  /**
   * No verdict, never a pass: the check is broken (garbage, crash, hang: for its author),
   * or its run was tampered with (an assertion that the check library did not print).
   */
  | { readonly status: 'error'; readonly cause: 'broken' | 'tampered'; readonly reason: string; readonly output: string };

export interface CheckRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

const MAX_OUTPUT = 4000;

/** Stands for the nonce in the output kept for the log: it is worthless after the run. */
const NONCE_MARK = '<nonce>';

/**
 * Judges one run of a check script whose library was given `nonce`: an assertion
 * counts only on a line `<nonce> <json>`, which only the library's own bash prints (the
 * nonce came on its stdin, never in an argument or the environment). An assertion
 * without it was printed by something else in the machine, such as a tool the learner
 * replaced: the run is tampered with. Exit 0 or 1 are the library's (all passed / some
 * failed) and must agree with the assertions; any other exit, a timeout, a line that
 * is not an assertion, or no assertion at all is an error.
 */
export function judgeCheckRun(run: CheckRun, nonce: string): CheckOutcome {
  const raw = run.stdout + (run.stderr ? `\n[stderr]\n${run.stderr}` : '');
  const output = raw.replaceAll(nonce, NONCE_MARK).slice(-MAX_OUTPUT);
  const error = (reason: string, cause: 'broken' | 'tampered' = 'broken'): CheckOutcome => ({ status: 'error', cause, reason, output });
  // 124 is coreutils `timeout` reporting that it stopped the check.
  if (run.timedOut || run.exitCode === 124) return error('the check did not finish in time');

  const assertions: Assertion[] = [];
  const lines = run.stdout.split('\n');
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const marked = line.startsWith(`${nonce} `);
    // Whatever precedes it (nothing, a guessed nonce), an assertion on an unmarked line
    // was printed by something other than this run's library.
    const brace = line.indexOf('{');
    if (!marked && brace >= 0 && isAssertion(line.slice(brace))) {
      return error(
        `stdout line ${i + 1} is an assertion without this run's nonce: something in the machine other than the check printed it (a replaced or shadowing tool?), so this run proves nothing`,
        'tampered',
      );
    }
    const text = marked ? line.slice(nonce.length + 1) : line;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return error(`stdout line ${i + 1} is not JSON: ${text.slice(0, 120)}`);
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

function isAssertion(text: string): boolean {
  try {
    return Assertion.safeParse(JSON.parse(text)).success;
  } catch {
    return false;
  }
}
