import { expect, it } from 'vitest';
import { WriteWatermark } from './flow-control.ts';

it('pauses once above the high watermark and resumes once below the low one', () => {
  const w = new WriteWatermark(100, 10);
  expect(w.written(60)).toBeUndefined();
  expect(w.written(60)).toBe('pause');
  expect(w.written(60)).toBeUndefined(); // already paused: no second pause
  expect(w.rendered(60)).toBeUndefined(); // 120 pending
  expect(w.rendered(60)).toBeUndefined(); // 60 pending
  expect(w.rendered(55)).toBe('resume'); // 5 pending
  expect(w.rendered(5)).toBeUndefined();
});

it('never counts below zero', () => {
  const w = new WriteWatermark(10, 5);
  expect(w.rendered(50)).toBeUndefined();
  expect(w.written(11)).toBe('pause');
});
