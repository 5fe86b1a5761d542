import { describe, expect, it } from 'vitest';
import { judgeCheckRun, type CheckRun } from './outcome.ts';

const NONCE = '0123456789abcdef0123456789abcdef';
const passing = '{"name":"answer","pass":true,"expected":"42","actual":"42"}';
const failing = '{"name":"answer","pass":false,"expected":"42","actual":"41"}';

function run(stdout: string, exitCode = 0, rest: Partial<CheckRun> = {}): CheckRun {
  return { exitCode, stdout, stderr: '', timedOut: false, ...rest };
}

describe('assertion lines carry the nonce', () => {
  it('counts the lines that start with the nonce and a space', () => {
    expect(judgeCheckRun(run(`${NONCE} ${passing}\n\n${NONCE} ${passing}\n`), NONCE)).toEqual({
      status: 'passed',
      assertions: [
        { name: 'answer', pass: true, expected: '42', actual: '42' },
        { name: 'answer', pass: true, expected: '42', actual: '42' },
      ],
    });
    expect(judgeCheckRun(run(`${NONCE} ${failing}\n`, 1), NONCE)).toMatchObject({ status: 'failed' });
  });

  it('reports an assertion without the nonce as a tampered run, whatever the lines around it', () => {
    const tampered = { status: 'error', cause: 'tampered', reason: expect.stringMatching(/^stdout line 2 is an assertion without this run's nonce/) };
    expect(judgeCheckRun(run(`${NONCE} ${failing}\n${passing}\n`, 1), NONCE)).toMatchObject(tampered);
    expect(judgeCheckRun(run(`\n${passing}\n${NONCE} ${passing}\n`), NONCE)).toMatchObject(tampered);
  });

  it("does not take another run's nonce, the nonce without its space, or the nonce elsewhere in the line", () => {
    for (const line of [`fedcba9876543210fedcba9876543210 ${passing}`, `${NONCE}${passing}`, ` ${NONCE} ${passing}`, `forged: ${passing}`]) {
      expect(judgeCheckRun(run(`${line}\n`), NONCE), line).toMatchObject({ status: 'error', cause: 'tampered', reason: expect.stringMatching(/^stdout line 1 is an assertion without/) });
    }
    expect(judgeCheckRun(run(`${passing} ${NONCE}\n`), NONCE)).toMatchObject({ status: 'error', reason: `stdout line 1 is not JSON: ${passing} ${NONCE}` });
  });

  it('keeps an author\'s mistakes apart from tampering: stray text, marked or not, is a broken check', () => {
    expect(judgeCheckRun(run('all good!\n'), NONCE)).toMatchObject({ status: 'error', cause: 'broken', reason: 'stdout line 1 is not JSON: all good!' });
    expect(judgeCheckRun(run(`${NONCE} \n`), NONCE)).toMatchObject({ status: 'error', cause: 'broken', reason: 'stdout line 1 is not JSON: ' });
    expect(judgeCheckRun(run(`${NONCE} {"pass": true}\n`), NONCE)).toMatchObject({ status: 'error', cause: 'broken', reason: expect.stringMatching(/^stdout line 1 is not an assertion/) });
  });

  it('never passes on marked assertions that disagree with the exit status', () => {
    // A forged jq can print "pass": true, but the library's own bash sets the exit status.
    expect(judgeCheckRun(run(`${NONCE} ${passing}\n`, 1), NONCE)).toMatchObject({ status: 'error', cause: 'broken' });
    expect(judgeCheckRun(run(`${NONCE} ${failing}\n`, 0), NONCE)).toMatchObject({ status: 'error', cause: 'broken' });
  });

  it('keeps the output for the log with the nonce masked', () => {
    const outcome = judgeCheckRun(run(`${NONCE} ${passing}\n${passing}\n`, 0, { stderr: 'oops' }), NONCE);
    expect(outcome).toMatchObject({ status: 'error', output: `<nonce> ${passing}\n${passing}\n\n[stderr]\noops` });
  });

  it('reports a run stopped by `timeout` as not finished, whatever it printed', () => {
    expect(judgeCheckRun(run(`${NONCE} ${passing}\n`, 124), NONCE)).toMatchObject({ status: 'error', cause: 'broken', reason: 'the check did not finish in time' });
  });
});
