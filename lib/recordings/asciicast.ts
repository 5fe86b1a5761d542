/**
 * asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/): a JSON header line,
 * then one JSON array per event, `[seconds since start, code, data]`: "o" output, "r" a
 * resize to "COLSxROWS", "m" a marker (a label on the player's timeline).
 */

export interface CastHeader {
  readonly cols: number;
  readonly rows: number;
  /** When the terminal opened, in ms since the epoch. */
  readonly startedAt: number;
  readonly title: string;
}

export function castHeader({ cols, rows, startedAt, title }: CastHeader): string {
  return `${JSON.stringify({ version: 2, width: cols, height: rows, timestamp: Math.floor(startedAt / 1000), title })}\n`;
}

export type CastEvent = readonly [atMs: number, code: 'o' | 'r' | 'm', data: string];

/** Bytes a learner's recordings may still take in one class, shared by their terminals. */
export interface CastBudget {
  left: number;
}

/**
 * Room kept for the marker that says the recording stopped. Terminals that stop at
 * once each write theirs, so a learner may pass the cap by a marker per extra terminal.
 */
const STOP_MARKER_ROOM = 200;

/**
 * Turns a terminal's events into asciicast lines within a byte budget. When the next
 * event would not fit, it writes a marker saying so and stops: the terminal goes on,
 * unrecorded. The budget is shared, so one learner's terminals stop together.
 */
export class CastWriter {
  private stopped = false;
  /** Seconds from the start to the last event written. */
  duration = 0;

  constructor(
    private readonly startedAt: number,
    private readonly budget: CastBudget,
    private readonly capMessage: string,
  ) {}

  get capped(): boolean {
    return this.stopped;
  }

  /** The lines for `events`, in order; empty once stopped. */
  write(events: readonly CastEvent[]): { lines: string; bytes: number } {
    let lines = '';
    let bytes = 0;
    for (const [at, code, data] of events) {
      if (this.stopped) break;
      const line = this.line(at, code, data);
      const size = Buffer.byteLength(line);
      if (size > this.budget.left - STOP_MARKER_ROOM) {
        const marker = this.line(at, 'm', this.capMessage);
        const markerSize = Buffer.byteLength(marker);
        lines += marker;
        bytes += markerSize;
        this.budget.left -= markerSize;
        this.stopped = true;
        break;
      }
      lines += line;
      bytes += size;
      this.budget.left -= size;
    }
    return { lines, bytes };
  }

  private line(at: number, code: CastEvent[1], data: string): string {
    const seconds = Math.max(0, at - this.startedAt) / 1000;
    this.duration = Math.max(this.duration, seconds);
    return `${JSON.stringify([Number(seconds.toFixed(3)), code, data])}\n`;
  }
}
