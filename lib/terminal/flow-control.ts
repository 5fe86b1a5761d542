/**
 * Watermark flow control for a terminal view (xterm.js's guide): count characters
 * handed to `term.write` whose callback has not run; ask the server to pause the
 * shell above `high`, to resume below `low`.
 */
export class WriteWatermark {
  private pending = 0;
  private paused = false;

  /**
   * @param high pause above this many pending characters @default 100_000
   * @param low resume below this many @default 10_000
   */
  constructor(
    private readonly high = 100_000,
    private readonly low = 10_000,
  ) {}

  /** Call before `term.write(data)`; returns 'pause' when the server should stop. */
  written(chars: number): 'pause' | undefined {
    this.pending += chars;
    if (!this.paused && this.pending > this.high) {
      this.paused = true;
      return 'pause';
    }
    return undefined;
  }

  /** Call from the write callback; returns 'resume' when the server may go on. */
  rendered(chars: number): 'resume' | undefined {
    this.pending = Math.max(0, this.pending - chars);
    if (this.paused && this.pending < this.low) {
      this.paused = false;
      return 'resume';
    }
    return undefined;
  }
}
