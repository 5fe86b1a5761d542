import { expect, it } from 'vitest';
import { postCheck } from './check-request.ts';

/** A fetch that answers from a script, one entry per request (a status, or a network error), and records the requests. */
function scriptedFetch(script: readonly (number | 'network')[]) {
  const requests: { url: string; method?: string; key: string | null }[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    requests.push({ url: String(input), method: init?.method, key: new Headers(init?.headers).get('idempotency-key') });
    const next = script[requests.length - 1];
    if (next === undefined) throw new Error(`unexpected request ${requests.length}`);
    if (next === 'network') throw new TypeError('fetch failed');
    return new Response('{}', { status: next });
  };
  return { fetch, requests };
}

const options = { retryDelayMs: 0 };

it('sends a fresh Idempotency-Key per click, and no retry after an answer', async () => {
  const { fetch, requests } = scriptedFetch([200, 200]);
  expect((await postCheck('files', { ...options, fetch })).status).toBe(200);
  expect((await postCheck('files', { ...options, fetch })).status).toBe(200);
  expect(requests).toHaveLength(2);
  expect(requests[0]).toMatchObject({ url: '/api/lessons/files/check', method: 'POST' });
  expect(requests[0]!.key).toMatch(/^[A-Za-z0-9_.:-]{8,100}$/);
  expect(requests[1]!.key).not.toBe(requests[0]!.key);
});

it('retries once with the same key after a network error or a 5xx', async () => {
  for (const failure of ['network', 502] as const) {
    const { fetch, requests } = scriptedFetch([failure, 200]);
    expect((await postCheck('files', { ...options, fetch })).status).toBe(200);
    expect(requests.map((r) => r.key)).toEqual([requests[0]!.key, requests[0]!.key]);
  }
});

it('does not retry a 4xx, and retries only once', async () => {
  const refused = scriptedFetch([409]);
  expect((await postCheck('files', { ...options, fetch: refused.fetch })).status).toBe(409);
  expect(refused.requests).toHaveLength(1);
  const down = scriptedFetch([503, 'network']);
  await expect(postCheck('files', { ...options, fetch: down.fetch })).rejects.toThrow('fetch failed');
  expect(down.requests).toHaveLength(2);
});
