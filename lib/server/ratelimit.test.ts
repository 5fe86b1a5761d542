import { expect, it } from 'vitest';
import { ProgressiveDelay, WindowLimiter } from './ratelimit.ts';

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

it('lets a few failures pass, then makes each next attempt wait twice as long, up to the cap; a success or a quiet spell starts afresh', () => {
  const delay = new ProgressiveDelay({ afterFailures: 3, firstMs: 1000, maxMs: 8000, forgetMs: 60_000 });
  for (const t of [0, 1, 2]) {
    expect(delay.retryAfter('ann', t)).toBe(0);
    delay.record('ann', t);
  }
  expect(delay.retryAfter('ann', 2)).toBe(1);
  expect(delay.retryAfter('bob', 2)).toBe(0);
  const waits: number[] = [];
  let now = 2;
  for (let i = 0; i < 6; i++) {
    waits.push(delay.retryAfter('ann', now));
    now += waits.at(-1)! * 1000;
    expect(delay.retryAfter('ann', now)).toBe(0);
    delay.record('ann', now);
  }
  expect(waits).toEqual([1, 2, 4, 8, 8, 8]);
  expect(delay.retryAfter('ann', now + 60_000)).toBe(0);
  delay.record('ann', now + 60_000);
  expect(delay.retryAfter('ann', now + 60_000)).toBe(0);
  delay.clear('ann');
  expect(delay.retryAfter('ann', now)).toBe(0);
});
