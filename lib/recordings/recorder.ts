import type { ShellSize } from '../../sandbox/driver.ts';
import type { ShellObserver } from '../terminal/observed-shell.ts';
import { CastWriter, type CastBudget, type CastEvent } from './asciicast.ts';
import type { RecordingClass, RecordingStore } from './store.ts';
import { RECORDING_CAP_BYTES } from './views.ts';

export interface RecorderOptions {
  readonly store: RecordingStore;
  /** Most bytes one learner's recordings may take in one class. @default RECORDING_CAP_BYTES (20 MiB) */
  readonly capBytes?: number;
  /** How often a terminal's buffered events are written. @default 1000 ms */
  readonly flushMs?: number;
  /**
   * Buffered output past which it is written without waiting for `flushMs`: one write of
   * a second's flood (megabytes) would hold up every terminal of the server for 100 ms
   * and more, a write this size for about a millisecond. @default 64 KiB
   */
  readonly flushChars?: number;
  readonly log: { warn(fields: object, message: string): void };
}

/** One class's recording of one terminal. */
interface Track {
  readonly id: string;
  readonly at: RecordingClass;
  readonly writer: CastWriter;
  seq: number;
  done: boolean;
  /** Appends in order, one at a time. */
  writing: Promise<void>;
}

/**
 * Records the terminals of learners in classes that record (lib/recordings/store.ts): a
 * `ShellObserver` per terminal (lib/terminal/hub.ts) buffers what the shell prints and
 * writes it as asciicast events every `flushMs` (sooner in a flood, `flushChars` at a
 * time), so the terminal's hot path only pushes to an array. Each learner has
 * `capBytes` per class across their terminals; at the cap the recording ends with a
 * marker and the terminal goes on. A class that stops
 * recording, or a learner removed from it, stops their open recordings at the next write.
 */
export class Recorder {
  private readonly capBytes: number;
  private readonly flushMs: number;
  private readonly flushChars: number;
  /** Budgets of the learners with a recorded terminal open, shared by their terminals. */
  private readonly budgets = new Map<string, { budget: Promise<CastBudget>; open: number }>();

  constructor(private readonly options: RecorderOptions) {
    this.capBytes = options.capBytes ?? RECORDING_CAP_BYTES;
    this.flushMs = options.flushMs ?? 1000;
    this.flushChars = options.flushChars ?? 64 * 1024;
  }

  /** An observer for a terminal just opened; it records only if a class of the learner's records. */
  observe(learner: string, terminal: string, size: ShellSize): ShellObserver {
    const startedAt = Date.now();
    let events: CastEvent[] = [];
    let chars = 0;
    let soon: ReturnType<typeof setImmediate> | undefined;
    let tracks: Track[] | undefined;
    let ended = false;
    let timer: ReturnType<typeof setInterval> | undefined;

    const flush = () => {
      clearImmediate(soon);
      soon = undefined;
      if (!tracks || events.length === 0) return;
      const batch = events;
      events = [];
      chars = 0;
      for (const track of tracks) this.write(track, batch);
    };
    const finish = () => {
      clearInterval(timer);
      flush();
      for (const track of tracks ?? []) void track.writing.then(() => this.release(track.at));
      tracks = [];
    };

    void this.tracksFor(learner, terminal, size, startedAt).then(
      (found) => {
        tracks = found;
        if (found.length === 0) events = [];
        else if (ended) finish();
        else {
          timer = setInterval(flush, this.flushMs);
          if (chars >= this.flushChars) flush();
        }
      },
      (error: unknown) => {
        tracks = [];
        events = [];
        this.options.log.warn({ err: error, learner, terminal }, 'recording: could not start');
      },
    );

    return {
      output: (data) => {
        // Until the classes are known, keep the events; once known to be none, keep nothing.
        if (ended || tracks?.length === 0) return;
        events.push([Date.now(), 'o', data]);
        chars += data.length;
        // After this turn's output has gone to the terminal's client.
        if (tracks && chars >= this.flushChars) soon ??= setImmediate(flush);
      },
      resize: ({ cols, rows }) => {
        if (!ended && tracks?.length !== 0) events.push([Date.now(), 'r', `${cols}x${rows}`]);
      },
      closed: () => {
        if (ended) return;
        ended = true;
        if (tracks) finish();
      },
    };
  }

  private async tracksFor(learner: string, terminal: string, size: ShellSize, startedAt: number): Promise<Track[]> {
    const classes = await this.options.store.classesRecording(learner);
    const capMessage = `recording stopped: this learner's recordings reached the class's cap of ${Math.round(this.capBytes / 1024 / 1024)} MB (the terminal went on)`;
    return Promise.all(
      classes.map(async (at): Promise<Track> => {
        const budget = await this.acquire(at);
        const id = await this.options.store.start(at, terminal, size, new Date(startedAt));
        return { id, at, writer: new CastWriter(startedAt, budget, capMessage), seq: 0, done: false, writing: Promise.resolve() };
      }),
    );
  }

  private write(track: Track, batch: readonly CastEvent[]): void {
    if (track.done) return;
    const { lines, bytes } = track.writer.write(batch);
    if (track.writer.capped) track.done = true;
    if (!lines) return;
    const seq = track.seq++;
    track.writing = track.writing.then(async () => {
      try {
        const kept = await this.options.store.append(track.id, seq, lines, { bytes, duration: track.writer.duration, capped: track.writer.capped });
        if (!kept) track.done = true;
      } catch (error) {
        track.done = true;
        this.options.log.warn({ err: error, recording: track.id }, 'recording: could not write; this terminal is no longer recorded');
      }
    });
  }

  private acquire(at: RecordingClass): Promise<CastBudget> {
    const key = `${at.classId}/${at.userId}`;
    let entry = this.budgets.get(key);
    if (!entry) {
      entry = { budget: this.options.store.usedBytes(at.classId, at.userId).then((used) => ({ left: Math.max(0, this.capBytes - used) })), open: 0 };
      this.budgets.set(key, entry);
    }
    entry.open += 1;
    return entry.budget;
  }

  /** A learner's budget is read again from what is stored once none of their terminals records. */
  private release(at: RecordingClass): void {
    const key = `${at.classId}/${at.userId}`;
    const entry = this.budgets.get(key);
    if (entry && --entry.open <= 0) this.budgets.delete(key);
  }
}
