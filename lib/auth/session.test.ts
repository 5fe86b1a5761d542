import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { SESSION_COOKIE, SessionSigner } from './session.ts';

const signer = new SessionSigner(randomBytes(32));

function cookieOf(setCookie: string): string {
  return setCookie.split(';')[0]!;
}

it('issues an http-only, same-site cookie whose id reads back', () => {
  const { id, setCookie } = signer.issue({ secure: true });
  expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
  expect(setCookie).toContain('HttpOnly');
  expect(setCookie).toContain('SameSite=Lax');
  expect(setCookie).toContain('Secure');
  expect(signer.read(`theme=dark; ${cookieOf(setCookie)}`)).toBe(id);
});

it('refuses a forged, altered or foreign-signed cookie', () => {
  const { id, setCookie } = signer.issue({ secure: false });
  const [, value] = cookieOf(setCookie).split('=');
  const signature = value!.slice(value!.lastIndexOf('.') + 1);
  expect(signer.read(`${SESSION_COOKIE}=someone-else.${signature}`)).toBeUndefined();
  expect(signer.read(`${SESSION_COOKIE}=${id}`)).toBeUndefined();
  expect(signer.read(`${SESSION_COOKIE}=${id}.${signature.slice(1)}`)).toBeUndefined();
  expect(new SessionSigner(randomBytes(32)).read(cookieOf(setCookie))).toBeUndefined();
  expect(signer.read(undefined)).toBeUndefined();
});
