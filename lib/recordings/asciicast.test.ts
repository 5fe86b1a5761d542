import { expect, it } from 'vitest';
import { castHeader, CastWriter } from './asciicast.ts';

it('writes a v2 header and events in seconds since the start', () => {
  expect(JSON.parse(castHeader({ cols: 80, rows: 24, startedAt: 1_700_000_000_500, title: 'main' }))).toEqual({ version: 2, width: 80, height: 24, timestamp: 1_700_000_000, title: 'main' });
  const writer = new CastWriter(1000, { left: 10_000 }, 'cap');
  const { lines } = writer.write([
    [1000, 'o', '$ ls\r\n\x1b[0m'],
    [2500, 'r', '100x30'],
  ]);
  expect(lines.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown)).toEqual([
    [0, 'o', '$ ls\r\n\x1b[0m'],
    [1.5, 'r', '100x30'],
  ]);
  expect(writer.duration).toBe(1.5);
});

it('stops at the budget with a marker, shared by the terminals that spend it', () => {
  const budget = { left: 700 };
  const one = new CastWriter(0, budget, 'recording stopped: cap reached');
  const two = new CastWriter(0, budget, 'recording stopped: cap reached');
  const chunk = 'x'.repeat(300);
  const first = one.write([[0, 'o', chunk]]);
  expect(first.bytes).toBeGreaterThan(300);
  expect(one.capped).toBe(false);
  // The second terminal's chunk would leave no room for the marker: it stops, with it.
  const second = two.write([
    [10, 'o', chunk],
    [20, 'o', 'after'],
  ]);
  expect(second.lines).toBe('[0.01,"m","recording stopped: cap reached"]\n');
  expect(two.capped).toBe(true);
  expect(two.write([[30, 'o', 'more']])).toEqual({ lines: '', bytes: 0 });
  expect(budget.left).toBe(700 - first.bytes - second.bytes);
});
