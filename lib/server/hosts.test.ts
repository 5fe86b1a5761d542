import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { listenWarning, SiteHosts } from './hosts.ts';

let server: Server | undefined;

afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

it('answers to the listen address and the loopback names with the port, and to the public origin', () => {
  const hosts = SiteHosts.of({ HOST: '10.0.0.5', PORT: 3000, UNBOXED_PUBLIC_ORIGIN: 'https://Learn.Example.org/' });
  expect(hosts.origins).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000', 'http://10.0.0.5:3000', 'https://learn.example.org']);
  for (const host of ['localhost:3000', '127.0.0.1:3000', '[::1]:3000', '10.0.0.5:3000', 'learn.example.org', 'LOCALHOST:3000']) expect(hosts.allowsHost(host)).toBe(true);
  // A rebinding page's name, this machine's names on another port, a missing Host.
  for (const host of ['rebound.example:3000', 'localhost:3001', 'localhost', '127.0.0.1', 'learn.example.org:3000', undefined]) expect(hosts.allowsHost(host)).toBe(false);
});

it("takes a state-changing request's Origin only from the list, never from the request's own Host", () => {
  const hosts = SiteHosts.of({ HOST: '127.0.0.1', PORT: 3000, UNBOXED_PUBLIC_ORIGIN: 'https://learn.example.org' });
  expect(hosts.allowsOrigin('http://127.0.0.1:3000')).toBe(true);
  expect(hosts.allowsOrigin('https://learn.example.org')).toBe(true);
  for (const origin of ['http://rebound.example:3000', 'http://learn.example.org', 'http://localhost:8080', 'null', undefined]) expect(hosts.allowsOrigin(origin)).toBe(false);
});

it('leaves out what cannot be a browser host: every-address listening, an IPv6 zone; port 80 needs none', () => {
  expect(SiteHosts.of({ HOST: '0.0.0.0', PORT: 3000 }).origins).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000']);
  expect(SiteHosts.of({ HOST: '::', PORT: 3000 }).origins).toHaveLength(3);
  expect(SiteHosts.of({ HOST: 'fe80::1%eth0', PORT: 3000 }).origins).toHaveLength(3);
  expect(SiteHosts.of({ HOST: '::1', PORT: 80 }).allowsHost('[::1]')).toBe(true);
});

it('warns at start when listening on every address without a public origin, naming the fix', () => {
  expect(listenWarning({ HOST: '0.0.0.0', PORT: 3000 })).toMatch(/^HOST=0\.0\.0\.0 .* get 421\. Fix: set UNBOXED_PUBLIC_ORIGIN to the origin they use/);
  expect(listenWarning({ HOST: '0.0.0.0', PORT: 3000, UNBOXED_PUBLIC_ORIGIN: 'http://192.0.2.10:3000' })).toBeUndefined();
  expect(listenWarning({ HOST: '127.0.0.1', PORT: 3000 })).toBeUndefined();
});

/** Sends a request (or an upgrade) with the given Host; resolves with the answer's status, Set-Cookie and body. */
function ask(port: number, host: string, upgrade = false): Promise<{ status: number; cookie: boolean; body: string }> {
  const headers = { host, ...(upgrade && { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' }) };
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += String(chunk)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, cookie: res.headers['set-cookie'] !== undefined, body }));
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, cookie: false, body: '' });
    });
    req.on('error', reject);
    req.end();
  });
}

it('refuses another host with 421 and a message naming the fix, before anything is issued; pages and upgrades alike', async () => {
  server = createServer();
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const hosts = SiteHosts.of({ HOST: '127.0.0.1', PORT: port });
  server.on('request', (req, res) => {
    if (!hosts.admit(req.headers.host, res)) return;
    res.setHeader('Set-Cookie', 'session=issued');
    res.end('page');
  });
  server.on(
    'upgrade',
    hosts.guardUpgrade((_req, socket) => void socket.end('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n')),
  );

  expect(await ask(port, `localhost:${port}`)).toEqual({ status: 200, cookie: true, body: 'page' });
  const refused = await ask(port, `rebound.example:${port}`);
  expect(refused).toMatchObject({ status: 421, cookie: false });
  expect(refused.body).toBe(
    `421 Misdirected Request: this server does not answer to the host "rebound.example:${port}". If browsers reach it by that name, set UNBOXED_PUBLIC_ORIGIN to the origin they use (e.g. https://learn.example.org) and restart the server.\n`,
  );
  expect((await ask(port, `127.0.0.1:${port}`, true)).status).toBe(101);
  expect(await ask(port, `rebound.example:${port}`, true)).toEqual({ status: 421, cookie: false, body: refused.body });
});
