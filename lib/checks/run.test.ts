import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckRun } from './outcome.ts';
import { CheckPathError, runCheck, type MachineExec } from './run.ts';

/**
 * The helper library and the runner, run by a real bash on this host (the checks'
 * machine-state helpers are proven against real machines by lessons-tests).
 */
const localExec: MachineExec = (argv, { timeoutMs }) =>
  new Promise<CheckRun>((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? -1, stdout, stderr, timedOut });
    });
  });

let lesson: string;

beforeEach(async () => {
  lesson = await mkdtemp(path.join(tmpdir(), 'unboxed-check-'));
  await mkdir(path.join(lesson, 'checks'));
});

afterEach(() => rm(lesson, { recursive: true, force: true }));

async function check(script: string, timeoutMs?: number) {
  await writeFile(path.join(lesson, 'checks', 'c.sh'), `#!/bin/bash\n${script}\n`);
  return runCheck(localExec, lesson, 'checks/c.sh', timeoutMs);
}

describe('check library', () => {
  it('passes when every assertion passes, with the evidence', async () => {
    const outcome = await check(`assert_equal "answer" 42 "$((6 * 7))"\nassert_match "greeting" '^hel+o$' hello`);
    expect(outcome).toEqual({
      status: 'passed',
      assertions: [
        { name: 'answer', pass: true, expected: '42', actual: '42' },
        { name: 'greeting', pass: true, expected: 'matches /^hel+o$/', actual: 'hello' },
      ],
    });
  });

  it('fails when one assertion fails and carries its hint', async () => {
    const outcome = await check(`assert_equal "answer" 42 41 "multiply, do not add"\nassert_file "tmp exists" /tmp`);
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.assertions[0]).toEqual({ name: 'answer', pass: false, expected: '42', actual: '41', hint: 'multiply, do not add' });
  });

  it('reports files that are and are not there', async () => {
    const outcome = await check(`assert_file "a missing file" /no/such/file\nassert_no_file "no such file" /no/such/file`);
    expect(outcome.status === 'failed' && outcome.assertions.map((a) => [a.pass, a.actual])).toEqual([
      [false, 'no such file'],
      [true, 'no /no/such/file'],
    ]);
  });

  it('sees its own namespaces as PID 1\'s on this host, and keeps JSON safe for any text', async () => {
    const outcome = await check(`assert_namespace_shared "same mnt" $$ $$ mnt\nassert_equal 'quotes "and" \\\\ backslashes' "a\\"b" 'a"b'`);
    expect(outcome.status).toBe('passed');
  });
});

describe('namespace comparison', () => {
  it('fails for two processes in different namespaces of one type', async () => {
    const outcome = await check(`unshare --uts sleep 5 &\nsleep 0.3\nassert_namespace_shared "one uts" $$ $(pgrep -n -f "^sleep 5$") uts\nkill %1`);
    expect(outcome.status).toBe('failed');
  });
});

describe('check errors are for the author, never a pass', () => {
  it('garbage on stdout', async () => {
    const outcome = await check(`echo "all good!"\nassert_equal x 1 1`);
    expect(outcome).toMatchObject({ status: 'error', reason: 'stdout line 1 is not JSON: all good!' });
  });

  it('JSON that is not an assertion', async () => {
    const outcome = await check(`echo '{"pass": true}'`);
    expect(outcome).toMatchObject({ status: 'error' });
    expect(outcome.status === 'error' && outcome.reason).toMatch(/^stdout line 1 is not an assertion/);
  });

  it('a crash after passing assertions', async () => {
    const outcome = await check(`assert_equal x 1 1\nexit 3`);
    expect(outcome).toMatchObject({ status: 'error', reason: 'exit code 3 does not match the assertions (all passed): the check crashed' });
  });

  it('no assertion at all', async () => {
    expect(await check('true')).toMatchObject({ status: 'error', reason: 'the check printed no assertion (exit code 0)' });
  });

  it('a hang', async () => {
    expect(await check(`assert_equal x 1 1\nsleep 30`, 500)).toMatchObject({ status: 'error', reason: 'the check did not finish in time' });
  });

  it('a script that reads stdin gets nothing, not its own source', async () => {
    const outcome = await check(`rest=$(cat)\nassert_equal "stdin is empty" "" "$rest"`);
    expect(outcome.status).toBe('passed');
  });

  it('a check path that leaves checks/ through a link', async () => {
    await writeFile(path.join(lesson, 'outside.sh'), 'assert_equal x 1 1\n');
    await symlink(path.join(lesson, 'outside.sh'), path.join(lesson, 'checks', 'link.sh'));
    await expect(runCheck(localExec, lesson, 'checks/link.sh')).rejects.toThrow(CheckPathError);
  });
});
