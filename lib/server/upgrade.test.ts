import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { routeUpgrades } from './upgrade.ts';

let server: Server | undefined;

afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function listen(): Promise<string> {
  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', (socket, req) => socket.send(`hello ${new URL(req.url ?? '', 'http://x').pathname}`));
  server = createServer((_req, res) => res.end());
  server.on(
    'upgrade',
    routeUpgrades([['/ws/echo', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))]]),
  );
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `ws://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

function firstEvent(ws: WebSocket): Promise<string> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(`message: ${String(data)}`));
    ws.once('unexpected-response', (_req, res) => resolve(`status: ${res.statusCode}`));
    ws.once('error', (error) => resolve(`error: ${error.message}`));
  });
}

it('hands an upgrade to the route owning its path prefix, query strings included', async () => {
  const base = await listen();
  const ws = new WebSocket(`${base}/ws/echo/tab-1?resume=42`);
  expect(await firstEvent(ws)).toBe('message: hello /ws/echo/tab-1');
  ws.close();
});

it('refuses an upgrade on any other path with 404 instead of leaving it hanging', async () => {
  const base = await listen();
  expect(await firstEvent(new WebSocket(`${base}/ws/echoes`))).toBe('status: 404');
  expect(await firstEvent(new WebSocket(`${base}/`))).toBe('status: 404');
});
