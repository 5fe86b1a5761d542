/**
 * Events per key in a sliding window (failed sign-ins per email and per address, wrong
 * join codes per account, machines started by anonymous visitors per address): past the
 * limit, the key waits until its oldest event leaves the window. In memory: a restart
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
