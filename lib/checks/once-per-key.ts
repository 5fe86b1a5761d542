export interface OncePerKeyOptions {
  /** How long a key's run is remembered after it started. @default 10 minutes */
  readonly ttlMs?: number;
  /** Keys remembered at most; beyond it the oldest are forgotten first. @default 1000 */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

/**
 * Runs a task once per key for a while: a call with a key seen recently gets the first
 * call's promise, still running or settled, instead of a second run. A run that fails
 * is forgotten, so its retry runs again. The memory is bounded in time and size; a
 * forgotten key just runs again, so what must never happen twice (recording a run)
 * needs its own guard (the ResultStore's run log).
 */
export class OncePerKey<T> {
  private readonly runs = new Map<string, { readonly promise: Promise<T>; readonly until: number }>();
  private readonly ttlMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor({ ttlMs = 10 * 60_000, maxKeys = 1000, now = Date.now }: OncePerKeyOptions = {}) {
    this.ttlMs = ttlMs;
    this.maxKeys = maxKeys;
    this.now = now;
  }

  run(key: string, task: () => Promise<T>): Promise<T> {
    const now = this.now();
    const known = this.runs.get(key);
    if (known && known.until > now) return known.promise;
    this.runs.delete(key);
    // A Map iterates in insertion order, and every entry lives ttlMs: the expired come first.
    for (const [oldKey, old] of this.runs) {
      if (old.until > now && this.runs.size < this.maxKeys) break;
      this.runs.delete(oldKey);
    }
    const promise = task();
    this.runs.set(key, { promise, until: now + this.ttlMs });
    promise.catch(() => {
      if (this.runs.get(key)?.promise === promise) this.runs.delete(key);
    });
    return promise;
  }
}
