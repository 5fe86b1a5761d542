import { expect, it } from 'vitest';
import { decoyHash, hashPassword, verifyPassword } from './password.ts';

it('verifies the password it hashed and nothing else, with a fresh salt each time', async () => {
  const first = await hashPassword('correct horse battery');
  const second = await hashPassword('correct horse battery');
  expect(first).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{86}$/);
  expect(first).not.toBe(second);
  expect(await verifyPassword('correct horse battery', first)).toBe(true);
  expect(await verifyPassword('correct horse batterY', first)).toBe(false);
  expect(await verifyPassword('', first)).toBe(false);
  expect(await verifyPassword('correct horse battery', 'plain-text')).toBe(false);
  expect(await verifyPassword('correct horse battery', await decoyHash)).toBe(false);
});
