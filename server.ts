import { createServer } from 'node:http';
import next from 'next';
import { env } from './lib/env.ts';
import { log } from './lib/log.ts';
import { routeUpgrades } from './lib/server/upgrade.ts';

/**
 * One process, one port: Next.js serves the pages, and WebSocket upgrades are routed
 * here so the terminal can share the port (and the session cookie) with the app.
 */
const dev = process.argv.includes('--dev');
const app = next({ dev, hostname: env.HOST, port: env.PORT, dir: import.meta.dirname });
await app.prepare();

const server = createServer((req, res) => void app.getRequestHandler()(req, res));
server.on('upgrade', routeUpgrades([['/_next/', app.getUpgradeHandler()]]));

server.listen(env.PORT, env.HOST, () => {
  log.info({ url: `http://${env.HOST}:${env.PORT}`, dev }, 'unboxed is listening');
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'shutting down');
    server.close(() => void app.close().finally(() => process.exit(0)));
    // Open keep-alive and WebSocket connections would hold close() forever.
    server.closeAllConnections();
  });
}
