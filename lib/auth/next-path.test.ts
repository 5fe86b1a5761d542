import { expect, it } from 'vitest';
import { safeNextPath } from './next-path.ts';

it('keeps a path on this site as it is', () => {
  for (const path of ['/', '/classes', '/join/ABCD-EF23', '/lessons/x?tab=2#exercise-1', '/a//b', '/%E2%9C%93', '/..//evil.example']) {
    expect(safeNextPath(path)).toBe(path);
  }
});

it('refuses whatever a browser could take to another site, raw or percent-encoded', () => {
  const offSite = [
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/\t/evil.example',
    '/%09/evil.example',
    '/%0a/evil.example',
    '/%0D/evil.example',
    '/\n/evil.example',
    '\t//evil.example',
    ' //evil.example',
    '/%2F/evil.example',
    '/%5Cevil.example',
    '/%5c%5cevil.example',
    '/x\u0000',
    '/x%7F',
    'https://evil.example/',
    'HTTPS://evil.example',
    'javascript:alert(1)',
    'evil.example',
    '',
    '/%E0%A4%A',
    `/${'a'.repeat(2048)}`,
  ];
  for (const next of offSite) expect(safeNextPath(next), JSON.stringify(next)).toBeUndefined();
});

it('refuses what is not one string (a repeated ?next= gives an array)', () => {
  expect(safeNextPath(undefined)).toBeUndefined();
  expect(safeNextPath(['/classes', '//evil.example'])).toBeUndefined();
});
