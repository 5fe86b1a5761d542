/**
 * Events per key in a sliding window (failed sign-ins and sign-ups per client address,
 * wrong join codes per account, machines started by anonymous visitors per address): past
 * the limit, the key waits until its oldest event leaves the window. In memory: a restart
 * forgets, which only ever helps a user.
 */
export class WindowLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Seconds to wait before trying again; 0 when the key may try now. */
  retryAfter(key: string, now = Date.now()): number {
    const recent = this.recent(key, now);
    return recent.length < this.limit ? 0 : Math.ceil((recent[0]! + this.windowMs - now) / 1000);
  }

  record(key: string, now = Date.now()): void {
    if (this.failures.size > 10_000) this.sweep(now);
    this.failures.set(key, [...this.recent(key, now), now]);
  }

  clear(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
  }

  private sweep(now: number): void {
    for (const key of this.failures.keys()) if (this.recent(key, now).length === 0) this.failures.delete(key);
  }
}

export interface DelayOptions {
  /** Failures that cost nothing; the wait starts after this many. */
  readonly afterFailures: number;
  /** The first wait; each further failure doubles it. */
  readonly firstMs: number;
  /** The longest wait, however many failures. */
  readonly maxMs: number;
  /** A key with no failure for this long starts afresh. */
  readonly forgetMs: number;
}

interface Failures {
  readonly count: number;
  /** When the latest happened (ms). */
  readonly last: number;
}

/**
 * A wait per key that doubles with each failure (wrong passwords per email). Unlike a
 * window limit it never locks the key out for long: someone else's guesses cost the
 * owner at most `maxMs`, after which the right password works. Only failures count, so
 * an attempt refused during the wait does not lengthen it. In memory.
 */
export class ProgressiveDelay {
  private readonly failures = new Map<string, Failures>();

  constructor(private readonly options: DelayOptions) {}

  /** Seconds to wait before trying again; 0 when the key may try now. */
  retryAfter(key: string, now = Date.now()): number {
    const { afterFailures, firstMs, maxMs } = this.options;
    const entry = this.current(key, now);
    if (!entry || entry.count < afterFailures) return 0;
    const delay = Math.min(maxMs, firstMs * 2 ** (entry.count - afterFailures));
    return Math.max(0, Math.ceil((entry.last + delay - now) / 1000));
  }

  record(key: string, now = Date.now()): void {
    if (this.failures.size > 10_000) this.sweep(now);
    this.failures.set(key, { count: (this.current(key, now)?.count ?? 0) + 1, last: now });
  }

  clear(key: string): void {
    this.failures.delete(key);
  }

  private current(key: string, now: number): Failures | undefined {
    const entry = this.failures.get(key);
    return entry && now - entry.last < this.options.forgetMs ? entry : undefined;
  }

  private sweep(now: number): void {
    for (const key of this.failures.keys()) if (!this.current(key, now)) this.failures.delete(key);
  }
}

/** A wait as people say it: "1 second", "32 seconds", "15 minutes". */
export function waitInWords(seconds: number): string {
  const [count, unit] = seconds < 60 ? [seconds, 'second'] : [Math.ceil(seconds / 60), 'minute'];
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}
