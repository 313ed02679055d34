// The client IP of a request behind trusted proxies, shared by the gateway (rate limits) and campaign-service (clicks).
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/** The peers whose `X-Forwarded-For` / `X-Forwarded-Host` / `X-Forwarded-Proto` we believe (IPs or CIDRs). */
export class TrustedProxies {
  private readonly list = new BlockList();
  private readonly empty: boolean;

  constructor(entries: string[]) {
    for (const raw of entries) {
      const entry = raw.trim();
      const [addr, bits] = entry.split('/');
      const family = isIP(addr);
      if (!family) throw new Error(`TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR`);
      const type = family === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(addr, type);
      else {
        const prefix = Number(bits);
        if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32))
          throw new Error(`TRUSTED_PROXIES: bad prefix in "${entry}"`);
        this.list.addSubnet(addr, prefix, type);
      }
    }
    this.empty = entries.length === 0;
  }

  has(ip: string): boolean {
    if (this.empty) return false;
    const family = isIP(ip);
    if (!family) return false;
    return this.list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/** `::ffff:1.2.3.4` → `1.2.3.4`; strips IPv6 brackets. */
export function normalizeIp(ip: string): string {
  let s = ip.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(s);
  return mapped ? mapped[1] : s;
}

/**
 * The client's IP. `X-Forwarded-For` is honoured only when the direct peer is a trusted proxy; then the list is
 * walked from the right, skipping trusted proxies, and the first untrusted address is the client (so a client
 * cannot spoof its IP by sending its own header through our proxy). Malformed entries stop the walk.
 */
export function clientIp(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: TrustedProxies,
): string | null {
  if (!peer) return null;
  let client = normalizeIp(peer);
  if (!forwardedFor || !trusted.has(client)) return client;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map(normalizeIp)
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i];
    if (!isIP(hop)) break;
    client = hop;
    if (!trusted.has(hop)) break;
  }
  return client;
}

/** The client IP of a request: the socket peer, or X-Forwarded-For when the peer is a trusted proxy. */
export function requestClientIp(req: IncomingMessage, trusted: TrustedProxies): string {
  return clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], trusted) ?? 'unknown';
}

/**
 * The rate-limit bucket of a client address: an IPv4 address as it is, an IPv6 address by its /64 (one subscriber
 * usually holds a whole /64, so per-address buckets would be trivial to rotate around).
 */
export function addressBucket(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const [head, tail] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  if (right.length && right[right.length - 1].includes('.')) right.splice(-1, 1, '0', '0'); // embedded IPv4 tail
  if (left.length && left[left.length - 1].includes('.')) left.splice(-1, 1, '0', '0');
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
