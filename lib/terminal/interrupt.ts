/**
 * Ctrl-C in a flood of output. A terminal drops the output it has queued when the learner
 * interrupts (the tty's flush on SIGINT), but here the queue is far longer than a tty's:
 * the engine buffers up to a megabyte of an exec's output (Docker's attach pipe), all of
 * it printed before the interrupt, and all of it would have to reach the screen before the
 * prompt does. While the shell's output is interrupted, it is dropped instead, until the
 * shell marks the command's end (OSC 133;D, lib/terminal/shell-marks.ts): from that mark on
 * (the prompt), output is shown again, after a line saying how much was skipped. A program
 * that does not end on Ctrl-C (a REPL) has no mark: once its output pauses, or after a
 * bound, the last lines dropped are shown with the rest, so its own prompt is not lost.
 */

const END_MARK = /\x1b\]133;D[^\x07\x1b]*(?:\x07|\x1b\\)/;
/** Kept of the dropped output, shown if no mark ends the drop: a REPL's traceback and prompt. */
const TAIL_CHARS = 2048;
/** Less than this skipped is not worth a line. */
const NOTICE_FROM_CHARS = 256;

export interface InterruptBounds {
  /** Output stops arriving for this long: the queue is drained. @default 150 */
  readonly quietMs?: number;
  /** Dropping ends after this long, whatever comes. @default 3000 */
  readonly maxMs?: number;
  /** …or this many characters dropped. @default 8 MiB */
  readonly maxChars?: number;
}

export class InterruptedOutput {
  private dropped = 0;
  private tail = '';
  private readonly until: number;
  private readonly maxChars: number;
  readonly quietMs: number;

  constructor(now: number, { quietMs = 150, maxMs = 3000, maxChars = 8 * 2 ** 20 }: InterruptBounds = {}) {
    this.until = now + maxMs;
    this.maxChars = maxChars;
    this.quietMs = quietMs;
  }

  /**
   * Takes the next output; returns what to show of it, and `over` once the drop ended
   * (then the rest of the output goes to the screen as it comes).
   */
  read(data: string, now: number): { shown: string; over: boolean } {
    const text = this.tail + data;
    const mark = END_MARK.exec(text);
    if (mark) {
      this.dropped += mark.index - this.tail.length;
      return { shown: this.notice() + text.slice(mark.index), over: true };
    }
    this.dropped += data.length;
    this.tail = text.slice(-TAIL_CHARS);
    if (now >= this.until || this.dropped >= this.maxChars) return this.end();
    return { shown: '', over: false };
  }

  /** Output paused (or the bound passed) with no mark: the last of what was dropped is shown after all. */
  end(): { shown: string; over: true } {
    // From a line's start: half a line of the flood would look like output of its own.
    const kept = this.tail.slice(this.tail.indexOf('\n') + 1);
    this.dropped -= kept.length;
    return { shown: this.notice() + kept, over: true };
  }

  private notice(): string {
    if (this.dropped < NOTICE_FROM_CHARS) return '';
    const size = this.dropped >= 2 ** 20 ? `${(this.dropped / 2 ** 20).toFixed(1)} MiB` : `${Math.ceil(this.dropped / 1024)} KiB`;
    return `\r\n\x1b[0;2m[${size} of output printed before Ctrl-C skipped]\x1b[0m\r\n`;
  }
}
