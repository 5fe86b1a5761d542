import { describe, expect, it } from 'vitest';
import { ShellMarks } from './shell-marks.ts';

describe('ShellMarks', () => {
  it('reads a finished command with its line and exit status, and ignores other output', () => {
    const marks = new ShellMarks();
    expect(marks.read('hello\r\n\x1b]633;E;docker run -d --name web nginx\x07\x1b]133;D;0\x07root@m # ')).toEqual([{ command: 'docker run -d --name web nginx', exitCode: 0 }]);
    expect(marks.read('plain output\x1b[1;32mcolour\x1b[0m')).toEqual([]);
  });

  it('finds marks split across chunks, and a mark ended by ST', () => {
    const marks = new ShellMarks();
    expect(marks.read('x\x1b]633;E;ls -')).toEqual([]);
    expect(marks.read('la\x07\x1b')).toEqual([]);
    expect(marks.read(']13')).toEqual([]);
    expect(marks.read('3;D;2\x1b\\')).toEqual([{ command: 'ls -la', exitCode: 2 }]);
  });

  it('unescapes the command line, and reports an empty line without a command', () => {
    const marks = new ShellMarks();
    expect(marks.read('\x1b]633;E;echo a\\x3bb \\\\n\x07\x1b]133;D;0\x07\x1b]133;D\x07')).toEqual([
      { command: 'echo a;b \\n', exitCode: 0 },
      { command: '' },
    ]);
  });

  it('never keeps an unterminated mark without bound', () => {
    const marks = new ShellMarks();
    marks.read(`\x1b]633;E;${'x'.repeat(10_000)}`);
    expect(marks.read('\x07\x1b]133;D;0\x07')).toEqual([{ command: '', exitCode: 0 }]);
  });
});
