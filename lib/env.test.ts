import { expect, it } from 'vitest';
import { EnvError, parseEnv } from './env.ts';

it('applies the documented defaults', () => {
  expect(parseEnv({})).toMatchObject({ HOST: '127.0.0.1', PORT: 3000, UNBOXED_CONTENT_DIR: 'content', LOG_LEVEL: 'info' });
});

it('names the bad variable, its value and the fix', () => {
  expect(() => parseEnv({ PORT: 'eighty' })).toThrow(EnvError);
  expect(() => parseEnv({ PORT: 'eighty' })).toThrow(/PORT="eighty": .*TCP port for pages and terminal WebSockets.*Fix: correct or unset PORT/);
});

it('reads the trusted proxies as addresses and CIDR ranges, none by default', () => {
  expect(parseEnv({}).UNBOXED_TRUSTED_PROXIES).toEqual([]);
  expect(parseEnv({ UNBOXED_TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8 ::1' }).UNBOXED_TRUSTED_PROXIES).toEqual(['127.0.0.1', '10.0.0.0/8', '::1']);
  expect(() => parseEnv({ UNBOXED_TRUSTED_PROXIES: '127.0.0.1,proxy.local' })).toThrow(
    /UNBOXED_TRUSTED_PROXIES="127.0.0.1,proxy.local": 'proxy.local' is not an IP address or CIDR range .*Fix: correct or unset UNBOXED_TRUSTED_PROXIES/,
  );
});
