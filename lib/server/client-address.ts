import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/** The address a request came from, as the per-address limits count it. */
export type ClientAddress = (req: IncomingMessage) => string;

/**
 * Reads the client's address: the socket's, unless the socket is one of the trusted
 * proxies (`UNBOXED_TRUSTED_PROXIES`: addresses and CIDR ranges). Then X-Forwarded-For is
 * read from the right, since each proxy appends the address it received from: the first
 * entry that is not a trusted proxy is the client. Entries further left were written by
 * the client and could be anything, so they are never read. Without trusted proxies the
 * header is ignored: anyone may send it.
 */
export function clientAddressOf(trustedProxies: readonly string[]): ClientAddress {
  const trusted = new BlockList();
  for (const entry of trustedProxies) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) trusted.addAddress(address, family);
    else trusted.addSubnet(address, Number(prefix), family);
  }
  const isTrusted = (address: string) => isIP(address) !== 0 && trusted.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');

  return (req) => {
    let address = plain(req.socket.remoteAddress ?? 'unknown');
    if (!isTrusted(address)) return address;
    const header = req.headers['x-forwarded-for'];
    const hops = (typeof header === 'string' ? header : '').split(',').map((hop) => plain(hop.trim())).filter(Boolean);
    while (isTrusted(address) && hops.length > 0) address = hops.pop()!;
    return address;
  };
}

/** `::ffff:203.0.113.9` (IPv4 on a dual-stack socket) is 203.0.113.9: one client, one key. */
function plain(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
