import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void | Promise<void>;

/**
 * Routes WebSocket upgrades on the app's one port: each route owns a path prefix
 * (the terminal, Next's dev HMR under /_next/); anything else is refused with 404
 * rather than left hanging.
 */
export function routeUpgrades(routes: ReadonlyArray<readonly [prefix: string, handler: UpgradeHandler]>): UpgradeHandler {
  return async (req, socket, head) => {
    const pathname = new URL(req.url ?? '/', 'http://unboxed.invalid').pathname;
    const route = routes.find(([prefix]) => pathname === prefix || pathname.startsWith(prefix.endsWith('/') ? prefix : prefix + '/'));
    if (!route) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    try {
      await route[1](req, socket, head);
    } catch {
      socket.destroy();
    }
  };
}
