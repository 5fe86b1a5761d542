import { expect, it } from 'vitest';
import { EnvError, parseEnv } from './env.ts';

it('applies the documented defaults', () => {
  expect(parseEnv({})).toMatchObject({ HOST: '127.0.0.1', PORT: 3000, UNBOXED_CONTENT_DIR: 'content', LOG_LEVEL: 'info' });
});

it('names the bad variable, its value and the fix', () => {
  expect(() => parseEnv({ PORT: 'eighty' })).toThrow(EnvError);
  expect(() => parseEnv({ PORT: 'eighty' })).toThrow(/PORT="eighty": .*TCP port for pages and terminal WebSockets.*Fix: correct or unset PORT/);
});
