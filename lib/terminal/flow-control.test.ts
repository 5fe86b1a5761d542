import { expect, it } from 'vitest';
import { OUTPUT_WINDOW_CHARS, RenderAcks } from './flow-control.ts';

it('acknowledges every 16 KiB rendered while output keeps coming', () => {
  const acks = new RenderAcks();
  acks.arrived(40_000);
  expect(acks.done(10_000)).toBeUndefined();
  expect(acks.done(10_000)).toBe(20_000);
  expect(acks.done(10_000)).toBeUndefined();
});

it('acknowledges the rest once caught up, but not each keystroke echo', () => {
  const acks = new RenderAcks();
  for (let i = 0; i < 100; i++) {
    acks.arrived(20);
    expect(acks.done(20)).toBeUndefined();
  }
  acks.arrived(3000);
  expect(acks.done(3000)).toBe(5000);
});

it('never leaves the server waiting: a paused window is always acknowledged once rendered', () => {
  const acks = new RenderAcks();
  let acked = 0;
  const chunks = Math.ceil(OUTPUT_WINDOW_CHARS / 4097) + 1;
  for (let i = 0; i < chunks; i++) {
    acks.arrived(4097);
    acked = acks.done(4097) ?? acked;
  }
  // Everything that arrived was rendered: the server's count of unacknowledged output is zero.
  expect(acked).toBe(chunks * 4097);
});
