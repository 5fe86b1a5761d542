import { mkdir, mkdtemp, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckPathError, runCheck, runChecks } from './run.ts';
import { localExec } from './testing.ts';

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

  it('keeps newlines, tabs and any UTF-8 text, turns other control characters into spaces, and refuses a PASS that is not a boolean', async () => {
    const outcome = await check(`assert_equal "lines" "$(printf 'a\\nb\\tc\\001d é')" "$(printf 'a\\nb\\tc\\001d é')"`);
    expect(outcome).toEqual({ status: 'passed', assertions: [{ name: 'lines', pass: true, expected: 'a\nb\tc d é', actual: 'a\nb\tc d é' }] });
    expect(await check(`assert "typo" yes 1 1`)).toMatchObject({ status: 'error', cause: 'broken' });
  });

  it('keeps JSON safe for any text', async () => {
    const outcome = await check(`assert_equal 'quotes "and" \\\\ backslashes' "a\\"b" 'a"b'`);
    expect(outcome).toEqual({ status: 'passed', assertions: [{ name: 'quotes "and" \\\\ backslashes', pass: true, expected: 'a"b', actual: 'a"b' }] });
  });
});

/**
 * The namespaces a check should report are read by this test from the kernel
 * (/proc/self/ns), not by the library under test: the check's bash must run in the
 * namespaces of whoever runs it (on a machine: root's, PID 1's), none of its own.
 */
describe('namespace comparison', () => {
  it('passes for two processes in one namespace, and names the namespace they share', async () => {
    const mnt = await readlink('/proc/self/ns/mnt');
    // The check's shell and its child: two processes, both in this test's mount namespace.
    const outcome = await check(`sleep 5 &\nassert_namespace_shared "one mnt" $$ $! mnt\nkill $!`);
    const assertion = outcome.status === 'passed' ? outcome.assertions[0] : undefined;
    const [, a, b] = /^PIDs (\d+) and (\d+) in one mnt namespace$/.exec(assertion?.expected ?? '') ?? [];
    expect(a).not.toBe(b);
    expect(outcome).toEqual({ status: 'passed', assertions: [{ name: 'one mnt', pass: true, expected: `PIDs ${a} and ${b} in one mnt namespace`, actual: `${mnt} vs ${mnt}` }] });
  });

  it('fails for two processes in different namespaces of one type, and shows both', async () => {
    const uts = await readlink('/proc/self/ns/uts');
    // unshare(1) enters a new UTS namespace, then execs the sleep: one PID, $!.
    const outcome = await check(`unshare --uts sleep 5 &\nsleep 0.3\nassert_namespace_shared "one uts" $$ $! uts\nkill $!`);
    expect(outcome.status).toBe('failed');
    const actual = outcome.status === 'failed' ? outcome.assertions[0]?.actual : undefined;
    const [, mine, other] = /^(uts:\[\d+\]) vs (uts:\[\d+\])$/.exec(actual ?? '') ?? [];
    expect(mine).toBe(uts);
    expect(other).toMatch(/^uts:/);
    expect(other).not.toBe(uts);
  });

  it('fails for a process that does not exist', async () => {
    const mnt = await readlink('/proc/self/ns/mnt');
    const outcome = await check(`assert_namespace_shared "gone" $$ 2147483647 mnt`);
    expect(outcome.status === 'failed' && outcome.assertions[0]?.actual).toBe(`${mnt} vs none`);
  });
});

describe('a batch of checks', () => {
  it('runs them in one round trip, in parallel, each judged on its own, in order', async () => {
    const scripts: Record<string, string> = {
      'pass.sh': 'sleep 1; assert_equal ok 1 1',
      'fail.sh': 'sleep 1; assert_equal no 1 2',
      'broken.sh': 'echo "not an assertion"; assert_equal x 1 1',
      // Prints what looks like a batch boundary: it cannot know the batch's nonce.
      'fake-boundary.sh': 'printf "\\nabc 0 out 0\\n"; assert_equal y 1 1',
      'hang.sh': 'assert_equal z 1 1; sleep 30',
    };
    for (const [name, body] of Object.entries(scripts)) await writeFile(path.join(lesson, 'checks', name), `#!/bin/bash\n${body}\n`);
    let execs = 0;
    const counting: typeof localExec = (argv, options) => {
      execs += 1;
      return localExec(argv, options);
    };
    const started = performance.now();
    const outcomes = await runChecks(counting, lesson, Object.keys(scripts).map((name) => `checks/${name}`), 2000);
    expect(performance.now() - started).toBeLessThan(4500);
    expect(execs).toBe(1);
    expect(outcomes.map((o) => o.status)).toEqual(['passed', 'failed', 'error', 'error', 'error']);
    expect(outcomes[2]).toMatchObject({ reason: 'stdout line 1 is not JSON: not an assertion' });
    expect(outcomes[3]).toMatchObject({ reason: 'stdout line 2 is not JSON: abc 0 out 0' });
    expect(outcomes[4]).toMatchObject({ reason: 'the check did not finish in time' });
  });
});

/** The library's readers of /proc, each against this host's own kernel or a fixture file. */
describe('process and mount readers', () => {
  async function values(script: string): Promise<string[]> {
    const outcome = await check(`${script}\nassert_equal done 1 1`);
    expect(outcome.status, JSON.stringify(outcome)).toBe('failed');
    return outcome.status === 'failed' ? outcome.assertions.filter((a) => !a.pass).map((a) => a.actual) : [];
  }
  /** Each VALUE expression of the script becomes one failing assertion's actual text. */
  const show = (...expressions: string[]) => values(expressions.map((e, i) => `assert_equal v${i} "\x01" "${e}"`).join('\n'));

  it('proc_status reads one field, the innermost PID for NSpid, nothing for a missing process', async () => {
    const [ppid, nspid, none] = await show('$(proc_status $$ PPid)', '$(proc_status $$ NSpid)', '$(proc_status 2147483647 PPid)');
    expect(Number(ppid)).toBeGreaterThan(0);
    expect(Number(nspid)).toBeGreaterThan(1);
    expect(none).toBe('');
  });

  it('process_start orders processes, even one whose name holds ") " and spaces', async () => {
    const odd = path.join(lesson, 'odd) name (x');
    await writeFile(odd, '#!/bin/sh\nsleep 5\n', { mode: 0o755 });
    const [first, later, seconds] = await show(
      '$(process_start 1)',
      `$("${odd}" & sleep 0.2; process_start $!; kill $!)`,
      '$(ticks_as_seconds 250)',
    );
    expect(Number(first)).toBeLessThan(Number(later));
    expect(seconds).toMatch(/^\d+\.\d\d s$/);
  });

  it('started_by_runtime is false for a process with no containerd shim above it', async () => {
    const [verdict] = await show('$(started_by_runtime $$ && echo runtime || echo by-hand)');
    expect(verdict).toBe('by-hand');
  });

  it('caps_decode names the capabilities of a mask', async () => {
    const [some, none] = await show('$(caps_decode 0000000000000021)', '$(caps_decode 0000000000000000)');
    expect(some).toBe('cap_chown,cap_kill');
    expect(none).toBe('');
  });

  it('mount_at reads the visible mount at a point; mount_option one of its super-options', async () => {
    const mountinfo = path.join(lesson, 'mountinfo');
    await writeFile(
      mountinfo,
      [
        '22 1 0:21 / /mnt rw,relatime shared:1 - tmpfs first rw',
        '23 22 0:22 / /mnt rw,nosuid master:2 - overlay overlay rw,lowerdir=/l/b:/l/a,upperdir=/u,workdir=/w',
        '24 1 0:23 / /mnt/sub ro - ext4 /dev/vda ro',
      ].join('\n') + '\n',
    );
    expect(await show(`$(mount_at ${mountinfo} /mnt)`, `$(mount_option ${mountinfo} /mnt lowerdir)`, `$(mount_at ${mountinfo} /mnt/sub)`, `$(mount_at ${mountinfo} /none)`)).toEqual([
      'overlay overlay rw,nosuid rw,lowerdir=/l/b:/l/a,upperdir=/u,workdir=/w',
      '/l/b:/l/a',
      'ext4 /dev/vda ro ro',
      '',
    ]);
  });
});

/**
 * The learner is root on their machine: whatever their shell has on PATH or in its
 * environment, the check runs the system's programs and prints what the library found.
 * Here the test process's own environment plays the learner's.
 */
describe('the runner ignores what the learner put in its way', () => {
  const FORGED = `echo '{"name":"forged","pass":true,"expected":"x","actual":"x"}'`;
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of ['PATH', 'BASH_ENV', 'ENV']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('runs no tool that shadows the system on PATH (the attack of issue 16: a forging `timeout`)', async () => {
    const bin = path.join(lesson, 'bin');
    await mkdir(bin);
    for (const tool of ['env', 'timeout', 'bash', 'jq']) await writeFile(path.join(bin, tool), `#!/bin/sh\n${FORGED}\n`, { mode: 0o755 });
    process.env.PATH = `${bin}:${process.env.PATH ?? ''}`;
    expect(await check(`assert_equal "answer" 42 41`)).toMatchObject({ status: 'failed', assertions: [{ name: 'answer', pass: false }] });
  });

  it('reads no startup file named by BASH_ENV or ENV, and runs under a fixed PATH', async () => {
    const startup = path.join(lesson, 'startup.sh');
    await writeFile(startup, `${FORGED}\nexport PATH=/tmp/learner:$PATH\n`);
    process.env.BASH_ENV = startup;
    process.env.ENV = startup;
    expect(await check(`assert_equal "PATH" /usr/sbin:/usr/bin:/sbin:/bin "$PATH"\nassert_equal "BASH_ENV" unset "\${BASH_ENV-unset}"`)).toMatchObject({ status: 'passed' });
  });

  it("never shows the nonce in a command line or a child's environment, where any process could read it", async () => {
    const outcome = await check(
      [
        'assert_equal "nonce is set" 32 "${#UNBOXED_NONCE}"',
        'assert_equal "not in the shell\'s command line" 0 "$(tr "\\0" "\\n" </proc/$$/cmdline | grep -c "$UNBOXED_NONCE")"',
        'assert_equal "not in a child\'s environment" 0 "$(env | grep -c "$UNBOXED_NONCE")"',
      ].join('\n'),
    );
    expect(outcome).toMatchObject({ status: 'passed' });
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

  it('a hang, stopped inside the machine at the time limit (not by the exec backstop 5 s later)', async () => {
    const started = performance.now();
    // 500 ms rounds up to `timeout 1`; without it, the sleep would end the run at 8 s.
    const outcome = await check(`assert_equal x 1 1\nsleep 8`, 500);
    expect(outcome).toMatchObject({ status: 'error', reason: 'the check did not finish in time' });
    expect(performance.now() - started).toBeLessThan(4000);
  });

  it('a script that reads stdin gets nothing, not its own source', async () => {
    const outcome = await check(`rest=$(cat)\nassert_equal "stdin is empty" "" "$rest"`);
    expect(outcome.status).toBe('passed');
  });

  it('an assertion printed by anything but the library: a tampered run', async () => {
    const outcome = await check(`echo '{"name":"x","pass":true,"expected":"1","actual":"1"}'`);
    expect(outcome).toMatchObject({ status: 'error', cause: 'tampered', reason: expect.stringMatching(/^stdout line 1 is an assertion without this run's nonce/) });
  });

  it('a check path that leaves checks/ through a link', async () => {
    await writeFile(path.join(lesson, 'outside.sh'), 'assert_equal x 1 1\n');
    await symlink(path.join(lesson, 'outside.sh'), path.join(lesson, 'checks', 'link.sh'));
    await expect(runCheck(localExec, lesson, 'checks/link.sh')).rejects.toThrow(CheckPathError);
  });
});
