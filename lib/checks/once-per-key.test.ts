import { expect, it } from 'vitest';
import { OncePerKey } from './once-per-key.ts';

/** A task that counts its runs and answers with the count. */
function counter() {
  let runs = 0;
  return { task: async () => ++runs, runs: () => runs };
}

it('runs a key once while it is remembered, joining a run still under way', async () => {
  const once = new OncePerKey<number>();
  const { task, runs } = counter();
  const [a, b] = await Promise.all([once.run('k1', task), once.run('k1', task)]);
  expect(await once.run('k1', task)).toBe(1);
  expect([a, b, runs()]).toEqual([1, 1, 1]);
  expect(await once.run('k2', task)).toBe(2);
});

it('forgets a failed run, so its retry runs again', async () => {
  const once = new OncePerKey<string>();
  let attempts = 0;
  const flaky = async () => {
    attempts += 1;
    if (attempts === 1) throw new Error('machine did not answer');
    return 'recorded';
  };
  await expect(once.run('k', flaky)).rejects.toThrow('machine did not answer');
  expect(await once.run('k', flaky)).toBe('recorded');
  expect(await once.run('k', flaky)).toBe('recorded');
  expect(attempts).toBe(2);
});

it('forgets a key after its time, and the oldest keys beyond its size', async () => {
  let now = 0;
  const once = new OncePerKey<number>({ ttlMs: 1000, maxKeys: 2, now: () => now });
  const { task, runs } = counter();
  await once.run('a', task);
  now = 999;
  expect(await once.run('a', task)).toBe(1);
  now = 1000;
  expect(await once.run('a', task)).toBe(2);
  await once.run('b', task);
  await once.run('c', task);
  expect(runs()).toBe(4);
  // Two keys are kept: b and c; a (the oldest) was forgotten and runs again.
  expect(await once.run('c', task)).toBe(4);
  expect(await once.run('a', task)).toBe(5);
});
