import type { IncomingMessage } from 'node:http';
import { expect, it } from 'vitest';
import { clientAddressOf } from './client-address.ts';

function request(remoteAddress: string | undefined, forwardedFor?: string): IncomingMessage {
  return { socket: { remoteAddress }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } } as IncomingMessage;
}

it('takes the socket address, and ignores X-Forwarded-For from anyone not trusted', () => {
  const address = clientAddressOf([]);
  expect(address(request('203.0.113.9'))).toBe('203.0.113.9');
  expect(address(request('203.0.113.9', '198.51.100.7'))).toBe('203.0.113.9');
  expect(address(request('::ffff:203.0.113.9'))).toBe('203.0.113.9');
  expect(address(request(undefined))).toBe('unknown');
  expect(clientAddressOf(['10.0.0.0/8'])(request('192.0.2.1', '198.51.100.7'))).toBe('192.0.2.1');
});

it('behind trusted proxies, takes the nearest forwarded address that is not a trusted proxy', () => {
  const address = clientAddressOf(['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);
  expect(address(request('127.0.0.1', '198.51.100.7'))).toBe('198.51.100.7');
  expect(address(request('::ffff:127.0.0.1', '198.51.100.7'))).toBe('198.51.100.7');
  // Entries left of the client's were written by the client: forged, so not read.
  expect(address(request('127.0.0.1', '1.2.3.4, 198.51.100.7, 10.1.2.3'))).toBe('198.51.100.7');
  expect(address(request('127.0.0.1', '2001:db8::1,fd00::2'))).toBe('2001:db8::1');
  // A proxy that forwards nothing (or only proxies) leaves the last proxy's address.
  expect(address(request('127.0.0.1'))).toBe('127.0.0.1');
  expect(address(request('127.0.0.1', '10.0.0.2'))).toBe('10.0.0.2');
});
