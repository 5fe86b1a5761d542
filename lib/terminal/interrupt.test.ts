import { describe, expect, it } from 'vitest';
import { InterruptedOutput } from './interrupt.ts';

const MARK = '\x1b]633;E;yes\x07\x1b]133;D;130\x07';
const flood = (chars: number) => 'y\r\n'.repeat(Math.ceil(chars / 3)).slice(0, chars);

describe('output printed before a Ctrl-C in a flood', () => {
  it('is dropped until the shell marks the command ended, and shown from the mark on after a line saying how much', () => {
    const cut = new InterruptedOutput(0);
    expect(cut.read(flood(300_000), 1)).toEqual({ shown: '', over: false });
    const { shown, over } = cut.read(`${flood(50_000)}^C\r\n${MARK}root@machine:~# `, 2);
    expect(over).toBe(true);
    expect(shown).toBe(`\r\n\x1b[0;2m[342 KiB of output printed before Ctrl-C skipped]\x1b[0m\r\n\x1b]133;D;130\x07root@machine:~# `);
  });

  it('finds a mark split across two reads', () => {
    const cut = new InterruptedOutput(0);
    expect(cut.read(`${flood(4096)}\x1b]13`, 1).over).toBe(false);
    const { shown, over } = cut.read('3;D;0\x07$ ', 2);
    expect(over).toBe(true);
    expect(shown).toBe('\r\n\x1b[0;2m[4 KiB of output printed before Ctrl-C skipped]\x1b[0m\r\n\x1b]133;D;0\x07$ ');
  });

  it('shows the last lines dropped when the output pauses with no mark (a REPL keeps its prompt)', () => {
    const cut = new InterruptedOutput(0);
    cut.read(flood(100_000), 1);
    cut.read('Traceback (most recent call last):\r\nKeyboardInterrupt\r\n>>> ', 2);
    const { shown, over } = cut.end();
    expect(over).toBe(true);
    expect(shown).toMatch(/^\r\n\x1b\[0;2m\[96 KiB of output printed before Ctrl-C skipped\]\x1b\[0m\r\n(y\r\n)+.*Traceback \(most recent call last\):\r\nKeyboardInterrupt\r\n>>> $/s);
    expect(shown.length).toBeLessThan(2200);
  });

  it('ends after its bounds, whatever comes', () => {
    const byTime = new InterruptedOutput(0, { maxMs: 1000 });
    expect(byTime.read(flood(1000), 999).over).toBe(false);
    expect(byTime.read(flood(1000), 1000).over).toBe(true);
    const bySize = new InterruptedOutput(0, { maxChars: 10_000 });
    expect(bySize.read(flood(9999), 1).over).toBe(false);
    expect(bySize.read(flood(1), 1).over).toBe(true);
  });

  it('says nothing when hardly anything was dropped', () => {
    const cut = new InterruptedOutput(0);
    expect(cut.read(`^C\r\n${MARK}$ `, 1)).toEqual({ shown: '\x1b]133;D;130\x07$ ', over: true });
  });
});
