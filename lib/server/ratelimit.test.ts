import { expect, it } from 'vitest';
import { WindowLimiter } from './ratelimit.ts';

it('blocks a key after its limit of failures until the oldest leaves the window', () => {
  const limiter = new WindowLimiter(3, 60_000);
  for (const t of [0, 10_000, 20_000]) {
    expect(limiter.retryAfter('ann', t)).toBe(0);
    limiter.record('ann', t);
  }
  expect(limiter.retryAfter('ann', 30_000)).toBe(30);
  expect(limiter.retryAfter('bob', 30_000)).toBe(0);
  expect(limiter.retryAfter('ann', 60_001)).toBe(0);
  limiter.record('ann', 60_001);
  expect(limiter.retryAfter('ann', 60_002)).toBe(10);
  limiter.clear('ann');
  expect(limiter.retryAfter('ann', 60_002)).toBe(0);
});
