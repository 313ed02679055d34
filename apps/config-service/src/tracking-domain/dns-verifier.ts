import { Resolver } from 'node:dns/promises';

/** The TXT record an account creates to prove it controls a hostname. */
export const TXT_PREFIX = '_snaptrack';
export const TXT_VALUE_PREFIX = 'snaptrack-verification=';

export const txtRecordName = (hostname: string) => `${TXT_PREFIX}.${hostname}`;
export const txtRecordValue = (token: string) => `${TXT_VALUE_PREFIX}${token}`;

/** Loopback names that need no proof in development and can never be verified in production. */
const LOOPBACK: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '::1']);
export const isLoopbackHost = (hostname: string) => LOOPBACK.has(hostname);

export type TxtLookup = { found: string[] } | { error: string };

/**
 * Looks TXT records up through node's resolver: the servers given (`host` or `host:port`, e.g. a test's local DNS
 * server), or the system's when none are.
 */
export class DnsVerifier {
  private readonly resolver: Resolver;

  constructor(servers: string[], timeoutMs = 3000) {
    this.resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
    if (servers.length) this.resolver.setServers(servers);
  }

  /** Every TXT string at `name` (chunks of one record joined); no record is `{ found: [] }`, not an error. */
  async txt(name: string): Promise<TxtLookup> {
    try {
      const records = await this.resolver.resolveTxt(name);
      return { found: records.map((chunks) => chunks.join('')) };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTFOUND' || code === 'ENODATA') return { found: [] };
      return { error: `the DNS lookup failed (${code ?? 'error'})` };
    }
  }
}

/** A problem with a DNS_RESOLVERS entry (`ip`, `ip:port`, `[ipv6]:port`), or null when every entry is usable. */
export function dnsServersProblem(servers: string[]): string | null {
  try {
    new Resolver().setServers(servers);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
