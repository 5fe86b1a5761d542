import { expect, it } from 'vitest';
import { formatJoinCode, newJoinCode, normalizeJoinCode } from './codes.ts';

it('makes codes that read back from what a learner types, and refuses anything else', () => {
  const codes = new Set(Array.from({ length: 200 }, newJoinCode));
  expect(codes.size).toBe(200);
  for (const code of codes) {
    expect(code).toMatch(/^[A-HJKMNP-Z2-9]{8}$/);
    expect(normalizeJoinCode(formatJoinCode(code).toLowerCase())).toBe(code);
    expect(normalizeJoinCode(` ${code.slice(0, 4)} ${code.slice(4)} `)).toBe(code);
  }
  expect(normalizeJoinCode('ABCD-EFG')).toBeUndefined();
  expect(normalizeJoinCode('ABCD-EFGO')).toBeUndefined();
  expect(normalizeJoinCode('')).toBeUndefined();
});
