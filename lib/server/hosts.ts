import type { ServerResponse } from 'node:http';
import type { Env } from '../env.ts';
import type { UpgradeHandler } from './upgrade.ts';

/** Listen addresses meaning "every interface": they name no host a browser would use. */
const EVERY_ADDRESS = new Set(['0.0.0.0', '::']);
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/**
 * The names this server answers to and the origins its pages come from: the listen
 * address, this machine's loopback names (both with PORT), and UNBOXED_PUBLIC_ORIGIN.
 *
 * Why not the request's own Host: a page on an attacker's DNS name that resolves to this
 * address (DNS rebinding) is, to the browser, same-origin with that name, so its Host and
 * Origin agree with each other. Only a fixed list tells it apart. Such a request is
 * refused before anything else, a session cookie included.
 */
export class SiteHosts {
  /** Serialized origins, as browsers send them in Origin (default ports left out). */
  readonly origins: readonly string[];
  private readonly hosts: ReadonlySet<string>;

  constructor(origins: readonly string[]) {
    this.origins = [...new Set(origins.map((origin) => new URL(origin).origin))];
    this.hosts = new Set(this.origins.map((origin) => new URL(origin).host));
  }

  static of({ HOST, PORT, UNBOXED_PUBLIC_ORIGIN }: Pick<Env, 'HOST' | 'PORT' | 'UNBOXED_PUBLIC_ORIGIN'>): SiteHosts {
    const names = EVERY_ADDRESS.has(HOST) ? LOOPBACK_NAMES : [...LOOPBACK_NAMES, HOST.includes(':') ? `[${HOST}]` : HOST];
    // A listen address no URL can hold (an IPv6 zone) is left out: its requests get the 421 that names the fix.
    const origins = names.map((name) => `http://${name}:${PORT}`).filter((origin) => URL.canParse(origin));
    return new SiteHosts(UNBOXED_PUBLIC_ORIGIN ? [...origins, UNBOXED_PUBLIC_ORIGIN] : origins);
  }

  /** Whether a request's Host header names this server. */
  allowsHost(host: string | undefined): boolean {
    return host !== undefined && this.hosts.has(host.toLowerCase());
  }

  /** Whether a request's Origin header is one of this site's pages; a request without one is not. */
  allowsOrigin(origin: string | undefined): boolean {
    return origin !== undefined && this.origins.includes(origin);
  }

  /** Answers 421 to a request for another host, and returns false; true when the host is this server's. */
  admit(host: string | undefined, res: ServerResponse): boolean {
    if (this.allowsHost(host)) return true;
    const body = misdirected(host);
    res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
    res.end(body);
    return false;
  }

  /** Refuses (421) a WebSocket upgrade for another host before any door sees it. */
  guardUpgrade(door: UpgradeHandler): UpgradeHandler {
    return (req, socket, head) => {
      if (this.allowsHost(req.headers.host)) return door(req, socket, head);
      const body = misdirected(req.headers.host);
      const headers = `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close`;
      socket.end(`HTTP/1.1 421 Misdirected Request\r\n${headers}\r\n\r\n${body}`);
    };
  }
}

/**
 * What to say at start when the server listens on every address without a public
 * origin: browsers that reach it by another name than localhost will be refused.
 */
export function listenWarning({ HOST, PORT, UNBOXED_PUBLIC_ORIGIN }: Pick<Env, 'HOST' | 'PORT' | 'UNBOXED_PUBLIC_ORIGIN'>): string | undefined {
  if (!EVERY_ADDRESS.has(HOST) || UNBOXED_PUBLIC_ORIGIN) return undefined;
  return `HOST=${HOST} listens on every address, but without UNBOXED_PUBLIC_ORIGIN the server answers only to localhost names: browsers that use another name or address get 421. Fix: set UNBOXED_PUBLIC_ORIGIN to the origin they use (e.g. http://192.0.2.10:${PORT}, or https://learn.example.org behind a proxy)`;
}

function misdirected(host: string | undefined): string {
  const name = JSON.stringify((host ?? '').slice(0, 100));
  return `421 Misdirected Request: this server does not answer to the host ${name}. If browsers reach it by that name, set UNBOXED_PUBLIC_ORIGIN to the origin they use (e.g. https://learn.example.org) and restart the server.\n`;
}
