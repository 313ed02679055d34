import { createHash } from 'node:crypto';
import { INTERNAL_SIGNATURE_HEADER, signInternalRequest } from '@snaptrack/util-federation';

/** Who a bearer key belongs to, as account-service answers it (`admin`/`admin` for ADMIN_API_KEY). */
export interface KeyIdentity {
  accountId: string;
  keyId: string;
}

/** account-service could not answer (down, timeout, misconfigured secret): the request fails with 503. */
export class KeyCheckUnavailable extends Error {}

export interface KeyCheckOptions {
  /** account-service's accounts subgraph URL; the check goes to /internal/authenticate on the same origin. */
  accountServiceUrl: string;
  internalAuthSecret: string;
  /** How long an answer (valid or not) is reused; 0 = ask every time. */
  ttlMs: number;
  maxEntries: number;
  timeoutMs?: number;
  now?: () => number;
}

const AUTHENTICATE_PATH = '/internal/authenticate';
/** Longer bearers are refused without asking (account-service reads at most 4 KiB). */
const MAX_KEY_LENGTH = 1024;

/**
 * Checks bearer keys at account-service (signed `POST /internal/authenticate`) and caches each answer for `ttlMs`,
 * in memory and per gateway instance: a revoked key keeps working here until its cached answer expires. Entries are
 * keyed by SHA-256 of the key (the key itself is not kept), bounded to `maxEntries` (least recently used dropped);
 * concurrent checks of the same key share one call. Failures to reach account-service are never cached.
 */
export class KeyCheck {
  private readonly cache = new Map<string, { identity: KeyIdentity | null; until: number }>();
  private readonly inFlight = new Map<string, Promise<KeyIdentity | null>>();
  private readonly endpoint: string;
  private readonly now: () => number;

  constructor(private readonly opts: KeyCheckOptions) {
    this.endpoint = new URL(AUTHENTICATE_PATH, opts.accountServiceUrl).toString();
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.cache.size;
  }

  async check(apiKey: string | undefined): Promise<KeyIdentity | null> {
    if (!apiKey || apiKey.length > MAX_KEY_LENGTH) return null;
    const id = createHash('sha256').update(apiKey).digest('base64url');
    const hit = this.cache.get(id);
    if (hit && hit.until > this.now()) {
      this.cache.delete(id); // re-inserted last: the Map's order is the recency order
      this.cache.set(id, hit);
      return hit.identity;
    }
    if (hit) this.cache.delete(id);
    const pending = this.inFlight.get(id);
    if (pending) return pending;
    const call = this.ask(apiKey).then((identity) => {
      this.remember(id, identity);
      return identity;
    });
    this.inFlight.set(id, call);
    try {
      return await call;
    } finally {
      this.inFlight.delete(id);
    }
  }

  /** Whether account-service answers its readiness probe (the gateway's /readyz). */
  async reachable(): Promise<boolean> {
    try {
      const res = await fetch(new URL('/readyz', this.opts.accountServiceUrl), { signal: AbortSignal.timeout(2000) });
      return res.ok;
    } catch {
      return false;
    }
  }

  private remember(id: string, identity: KeyIdentity | null): void {
    if (this.opts.ttlMs <= 0) return;
    this.cache.set(id, { identity, until: this.now() + this.opts.ttlMs });
    while (this.cache.size > this.opts.maxEntries) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
    }
  }

  private async ask(apiKey: string): Promise<KeyIdentity | null> {
    const body = JSON.stringify({ apiKey });
    let res: Response;
    try {
      res = await fetch(this.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [INTERNAL_SIGNATURE_HEADER]: signInternalRequest(
            'POST',
            AUTHENTICATE_PATH,
            body,
            this.opts.internalAuthSecret,
          ),
        },
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
      });
    } catch (e) {
      throw new KeyCheckUnavailable(`account-service unreachable: ${(e as Error).message}`);
    }
    if (res.status === 401) {
      await res.body?.cancel();
      return null;
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new KeyCheckUnavailable(`account-service answered ${res.status} to the key check`);
    }
    const json = (await res.json()) as Partial<KeyIdentity>;
    if (typeof json.accountId !== 'string' || typeof json.keyId !== 'string')
      throw new KeyCheckUnavailable('account-service answered the key check without accountId/keyId');
    return { accountId: json.accountId, keyId: json.keyId };
  }
}
