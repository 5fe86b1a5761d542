/** @default 1 s: long enough for a restarted server to listen again. */
const RETRY_DELAY_MS = 1000;

export interface CheckRequestOptions {
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default a fresh random key: one per click. */
  readonly key?: string;
  /** @default 1000 */
  readonly retryDelayMs?: number;
}

/**
 * The Check button's request: POST with a fresh Idempotency-Key, sent again once with
 * the same key when no answer came (a network error) or the server failed (5xx). The
 * server runs a key's checks once and records each of its runs once, so a retry of a
 * request that did run gets that run's results instead of a second attempt. A 4xx is
 * an answer (no machine running, a bad request), and is not retried.
 */
export async function postCheck(slug: string, options: CheckRequestOptions = {}): Promise<Response> {
  const send = options.fetch ?? globalThis.fetch;
  const key = options.key ?? randomKey();
  const request = () => send(`/api/lessons/${slug}/check`, { method: 'POST', headers: { 'Idempotency-Key': key } });
  try {
    const response = await request();
    if (response.status < 500) return response;
  } catch {
    // No answer: retried below.
  }
  await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs ?? RETRY_DELAY_MS));
  return request();
}

/**
 * 128 random bits in hex. Not crypto.randomUUID(): browsers offer it only in secure
 * contexts, and a classroom may reach the app over plain http by its address.
 */
function randomKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
