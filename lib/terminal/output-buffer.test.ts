import { describe, expect, it } from 'vitest';
import { OutputBuffer } from './output-buffer.ts';

describe('OutputBuffer', () => {
  it('numbers chunks and replays exactly those after a sequence number', () => {
    const buffer = new OutputBuffer(100);
    expect(['a', 'b', 'c'].map((d) => buffer.push(d))).toEqual([1, 2, 3]);
    expect(buffer.since(1)).toEqual({ chunks: [{ seq: 2, data: 'b' }, { seq: 3, data: 'c' }], dropped: 0 });
    expect(buffer.since(3)).toEqual({ chunks: [], dropped: 0 });
    expect(buffer.since(0).chunks.map((c) => c.data).join('')).toBe('abc');
  });

  it('drops whole chunks from the front when over its bound, and reports the gap', () => {
    const buffer = new OutputBuffer(10);
    buffer.push('12345'); // seq 1
    buffer.push('67890'); // seq 2
    buffer.push('abc'); // seq 3: 13 chars, so seq 1 goes
    expect(buffer.since(0)).toEqual({ chunks: [{ seq: 2, data: '67890' }, { seq: 3, data: 'abc' }], dropped: 1 });
    expect(buffer.since(1).dropped).toBe(0);
  });

  it('keeps the newest chunk even when it alone is over the bound', () => {
    const buffer = new OutputBuffer(4);
    buffer.push('ab');
    buffer.push('a long chunk');
    expect(buffer.since(0)).toEqual({ chunks: [{ seq: 2, data: 'a long chunk' }], dropped: 1 });
  });

  it('stays bounded under a flood', () => {
    const buffer = new OutputBuffer(1000);
    for (let i = 0; i < 100_000; i++) buffer.push('y\r\n');
    const kept = buffer.since(0).chunks;
    expect(kept.reduce((n, c) => n + c.data.length, 0)).toBeLessThanOrEqual(1000);
    expect(kept.at(-1)?.seq).toBe(100_000);
  });
});
