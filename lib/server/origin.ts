import type { IncomingMessage } from 'node:http';

/**
 * Same-origin: the Origin header's host is the Host the browser connected to (or one of
 * the configured public origins). Requests without an Origin are refused.
 */
export function sameOrigin(req: IncomingMessage, extraOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return false;
  if (extraOrigins.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
