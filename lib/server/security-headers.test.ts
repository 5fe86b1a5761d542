import { expect, it } from 'vitest';
import { securityHeaders } from './security-headers.ts';

it('keeps everything on this site, its WebSockets included, and lets no other site frame it', () => {
  const headers = new Map(securityHeaders({ dev: false }));
  expect(headers.get('Content-Security-Policy')).toBe(
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; " +
      "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  );
  expect(headers.get('X-Content-Type-Options')).toBe('nosniff');
  expect(headers.get('Referrer-Policy')).toBe('same-origin');
});

it("allows eval only under next dev (React's error overlay needs it)", () => {
  const policy = (dev: boolean) => new Map(securityHeaders({ dev })).get('Content-Security-Policy');
  expect(policy(true)).toContain("script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval' 'unsafe-eval';");
  expect(policy(false)).not.toContain("'unsafe-eval'");
});
