import path from 'node:path';
import { expect, it } from 'vitest';
import { SandboxConfigError } from '../sandbox/config.ts';
import { parseConfig } from './config.ts';
import { EnvError } from './env.ts';

it('validates the app and the sandbox settings in one pass, with absolute folders', () => {
  const config = parseConfig({ UNBOXED_CONTENT_DIR: 'lessons', UNBOXED_POOL_SIZE: '3' });
  expect(config.contentDir).toBe(path.resolve('lessons'));
  expect(config.dataDir).toBe(path.resolve('.data'));
  expect(config.env.PORT).toBe(3000);
  expect(config.sandbox).toMatchObject({ trust: 'trusted', poolSize: 3 });
});

it('names the bad variable and the fix, app or sandbox', () => {
  expect(() => parseConfig({ PORT: 'eighty' })).toThrow(EnvError);
  expect(() => parseConfig({ UNBOXED_POOL_SIZE: 'many' })).toThrow(SandboxConfigError);
  expect(() => parseConfig({ UNBOXED_POOL_SIZE: 'many' })).toThrow(/UNBOXED_POOL_SIZE="many": .*Fix: correct or unset it/);
});
