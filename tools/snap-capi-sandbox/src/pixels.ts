// Pixel ids and their access tokens, and the token check for /v3 requests. Tokens are compared by digest in
// constant time and never leave this module (listings show pixel ids only).

import { createHash, timingSafeEqual } from 'node:crypto';
import { canonicalPixelId as canonical, isSnapPixelId } from '@snaptrack/contracts-events';

/** A Snap Pixel ID: the platform's one rule (@snaptrack/contracts-events), as in config-service and the dispatcher. */
export function isPixelId(value: unknown): value is string {
  return isSnapPixelId(value);
}

/** Pixel ids are UUIDs and compared case-insensitively; the sandbox keys everything by the lower-case form. */
export function canonicalPixelId(value: string): string {
  return canonical(value);
}

/** Where a registration came from: start-up config, the admin API, or pinned from traffic (non-strict mode). */
export type PixelSource = 'config' | 'admin' | 'pinned';

export type AuthFailureCode =
  'MISSING_ACCESS_TOKEN' | 'INVALID_ACCESS_TOKEN' | 'PIXEL_NOT_OWNED' | 'INVALID_PIXEL_ID' | 'UNKNOWN_PIXEL';

export type AuthResult =
  | { ok: true; pixelId: string; pinned: boolean }
  | { ok: false; status: 401 | 403 | 404; code: AuthFailureCode; reason: string };

interface Registration {
  digest: Buffer;
  source: PixelSource;
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Parses `pixelId=token,pixelId2=token2` (SANDBOX_PIXELS). Throws on a malformed entry. */
export function parsePixelList(list: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!list || list.trim() === '') return out;
  list.split(',').forEach((raw, n) => {
    const entry = raw.trim();
    if (entry === '') return;
    const eq = entry.indexOf('=');
    const pixelId = eq < 0 ? entry : entry.slice(0, eq).trim();
    const token = eq < 0 ? '' : entry.slice(eq + 1).trim();
    // Name the entry by position, never by content: a malformed entry may be a bare token.
    if (!isPixelId(pixelId))
      throw new Error(`SANDBOX_PIXELS entry ${n + 1} does not start with a UUID pixel id (expected pixelId=token)`);
    if (token === '')
      throw new Error(`SANDBOX_PIXELS entry ${n + 1} (pixel ${pixelId}) has no token (expected pixelId=token)`);
    out[canonicalPixelId(pixelId)] = token;
  });
  return out;
}

export class PixelRegistry {
  private readonly pixels = new Map<string, Registration>();

  constructor(
    private readonly initial: Readonly<Record<string, string>>,
    /** true: only registered pixels are served. false: an unseen UUID pixel is pinned to the first token used. */
    readonly strict: boolean,
  ) {
    this.restore();
  }

  register(pixelId: string, token: string, source: PixelSource = 'admin'): void {
    if (!isPixelId(pixelId)) throw new Error('pixel id must be a UUID');
    if (typeof token !== 'string' || token.trim() === '') throw new Error('access_token must be a non-empty string');
    this.pixels.set(canonicalPixelId(pixelId), { digest: digest(token), source });
  }

  unregister(pixelId: string): boolean {
    return this.pixels.delete(canonicalPixelId(pixelId));
  }

  list(): Array<{ pixel_id: string; source: PixelSource }> {
    return [...this.pixels.entries()].map(([pixel_id, { source }]) => ({ pixel_id, source }));
  }

  /** Drops pinned registrations; with `all`, also admin ones, going back to the start-up config. */
  reset(all = false): void {
    for (const [pixelId, registration] of this.pixels) {
      if (registration.source === 'pinned' || (all && registration.source === 'admin')) this.pixels.delete(pixelId);
    }
    if (all) this.restore();
  }

  /** Decides whether `token` may act on the path's pixel. Order: token present, pixel id shape, ownership. */
  authorize(rawPixelId: string, token: string | undefined): AuthResult {
    if (token === undefined || token.trim() === '') {
      return {
        ok: false,
        status: 401,
        code: 'MISSING_ACCESS_TOKEN',
        reason: 'The access_token query parameter is required (Snap CAPI v3 does not read an Authorization header).',
      };
    }
    if (!isPixelId(rawPixelId)) {
      return {
        ok: false,
        status: 404,
        code: 'INVALID_PIXEL_ID',
        reason: 'The pixel id in the path is not a valid Pixel ID (UUID).',
      };
    }
    const pixelId = canonicalPixelId(rawPixelId);
    const tokenDigest = digest(token);
    const registration = this.pixels.get(pixelId);
    if (registration) {
      if (timingSafeEqual(registration.digest, tokenDigest)) return { ok: true, pixelId, pinned: false };
      return this.ownsAnother(pixelId, tokenDigest)
        ? {
            ok: false,
            status: 403,
            code: 'PIXEL_NOT_OWNED',
            reason: 'The access token is valid but its organisation does not own this pixel.',
          }
        : {
            ok: false,
            status: 401,
            code: 'INVALID_ACCESS_TOKEN',
            reason: 'The access token is invalid or expired for this pixel.',
          };
    }
    if (this.strict) {
      return {
        ok: false,
        status: 404,
        code: 'UNKNOWN_PIXEL',
        reason: 'Unknown pixel id: no pixel with this id is registered.',
      };
    }
    this.pixels.set(pixelId, { digest: tokenDigest, source: 'pinned' });
    return { ok: true, pixelId, pinned: true };
  }

  private ownsAnother(pixelId: string, tokenDigest: Buffer): boolean {
    for (const [other, registration] of this.pixels) {
      if (other !== pixelId && timingSafeEqual(registration.digest, tokenDigest)) return true;
    }
    return false;
  }

  private restore(): void {
    for (const [pixelId, token] of Object.entries(this.initial)) {
      if (!this.pixels.has(canonicalPixelId(pixelId))) this.register(pixelId, token, 'config');
    }
  }
}
