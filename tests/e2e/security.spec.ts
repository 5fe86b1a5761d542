import { request as httpRequest } from 'node:http';
import { expect, test } from '@playwright/test';

/**
 * The server answers only to its own names. A page on an attacker's DNS name that
 * resolves to this address (DNS rebinding) sends that name as Host: it must get no
 * session cookie, no page, no API, no event stream and no terminal. Every answer
 * carries the security headers.
 */

interface Answer {
  readonly status: number;
  readonly setCookie: readonly string[];
  readonly body: string;
}

/** A request from the test's Node with a Host of our choosing (a browser would send the name it looked up). */
function send(baseURL: string, options: { method?: string; path: string; host: string; headers?: Record<string, string> }): Promise<Answer> {
  const { hostname, port } = new URL(baseURL);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method: options.method ?? 'GET', path: options.path, headers: { host: options.host, ...options.headers } }, (res) => {
      let body = '';
      // An event stream that was let in never ends: its first bytes are answer enough.
      res.on('data', (chunk: Buffer) => {
        body += String(chunk);
        if (res.statusCode === 200 && res.headers['content-type'] === 'text/event-stream') res.destroy();
      });
      res.on('close', () => resolve({ status: res.statusCode ?? 0, setCookie: res.headers['set-cookie'] ?? [], body }));
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, setCookie: [], body: '' });
    });
    req.on('error', reject);
    req.end();
  });
}

const upgrade = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };

test('a request naming another host (DNS rebinding) gets 421 and no cookie: pages, API, event streams and terminals', async ({ baseURL }) => {
  const port = new URL(baseURL!).port;
  const rebound = `rebound.example:${port}`;
  const asRebound = [
    { path: '/' },
    { path: '/lessons/client-and-daemon' },
    { path: '/api/me' },
    { path: '/api/lessons/client-and-daemon/events' },
    { method: 'POST', path: '/api/machine', headers: { origin: `http://${rebound}` } },
    { path: '/ws/terminal/1', headers: { ...upgrade, origin: `http://${rebound}` } },
  ];
  for (const request of asRebound) {
    const answer = await send(baseURL!, { ...request, host: rebound });
    expect(answer.status, request.path).toBe(421);
    expect(answer.setCookie, request.path).toEqual([]);
    expect(answer.body, request.path).toContain('set UNBOXED_PUBLIC_ORIGIN to the origin they use');
  }
  // This machine's own names are answered, on the same port.
  for (const host of [`localhost:${port}`, `127.0.0.1:${port}`]) {
    const answer = await send(baseURL!, { path: '/api/me', host });
    expect(answer.status, host).toBe(200);
    expect(answer.setCookie.some((c) => c.startsWith('unboxed_session=')), host).toBe(true);
  }
});

test('pages and API answers carry the Content-Security-Policy, nosniff and the referrer policy', async ({ request }) => {
  for (const path of ['/', '/lessons/client-and-daemon', '/api/me', '/no-such-page']) {
    const headers = (await request.get(path)).headers();
    expect(headers['content-security-policy'], path).toMatch(/^default-src 'self'; .*; frame-ancestors 'none'$/);
    expect(headers['x-content-type-options'], path).toBe('nosniff');
    expect(headers['referrer-policy'], path).toBe('same-origin');
  }
});
