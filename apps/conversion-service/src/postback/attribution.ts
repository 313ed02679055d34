import { createHash, timingSafeEqual } from 'node:crypto';
import { hashUserData, SNAP_USER_DATA_KEY, type PiiRole } from '@snaptrack/util-pii';
import type { ClickView } from '../click/click.entity';
import type { ConfigViewService, ConversionTypeView, OfferSourceView } from '../config-view/config-view.service';
import { SECRET_PARAMS } from './postback.params';

/** Pure helpers shared by the postback path and the pending-postback job. */

export type TypeResolution =
  { ok: true; type: ConversionTypeView } | { ok: false; error: 'unknown_type' | 'missing_type'; reason: string };

/** Exact, case-sensitive match on the name; no name → the account's default type. */
export function resolveConversionType(types: ConversionTypeView[], requested: string | null): TypeResolution {
  if (requested === null) {
    const def = types.find((t) => t.is_default);
    if (def) return { ok: true, type: def };
    return {
      ok: false,
      error: 'missing_type',
      reason: `no conversion type was given and the account has no default conversion type (it has ${types.length})`,
    };
  }
  const match = types.find((t) => t.name === requested);
  if (match) return { ok: true, type: match };
  return {
    ok: false,
    error: 'unknown_type',
    reason:
      `the conversion type is not one of the account's ${types.length} conversion ` +
      `type${types.length === 1 ? '' : 's'} (names are case-sensitive)`,
  };
}

/** click → offer source: the one on the click, else the offer's. */
export async function offerSourceOf(
  config: Pick<ConfigViewService, 'offerSource' | 'offer'>,
  click: ClickView,
): Promise<OfferSourceView | null> {
  const direct = await config.offerSource(click.offerSourceId);
  if (direct) return direct;
  const offer = await config.offer(click.offerId);
  return offer ? config.offerSource(offer.offer_source_id) : null;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests (false when either is missing). */
export function digestEquals(presentedSha256: string | null, expectedSha256: string | null | undefined): boolean {
  if (!expectedSha256 || !presentedSha256) return false;
  const a = Buffer.from(presentedSha256.toLowerCase(), 'utf8');
  const b = Buffer.from(expectedSha256.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether an offer source accepts postbacks without a secret; entities published before the flag: no secret. */
export function acceptsUnsigned(
  s: Pick<OfferSourceView, 'accept_unsigned_postbacks' | 'postback_token_sha256'> | null,
): boolean {
  if (!s) return false;
  if (typeof s.accept_unsigned_postbacks === 'boolean') return s.accept_unsigned_postbacks;
  return s.postback_token_sha256 === null;
}

/** Whether sha256(secret) is the offer source's current secret, or its previous one before the overlap ends. */
export function secretMatches(
  s: Pick<
    OfferSourceView,
    'postback_token_sha256' | 'previous_postback_token_sha256' | 'previous_postback_token_expires_at'
  >,
  presentedSha256: string,
  at: Date,
): boolean {
  const current = digestEquals(presentedSha256, s.postback_token_sha256);
  const expires = s.previous_postback_token_expires_at ? Date.parse(s.previous_postback_token_expires_at) : NaN;
  const previous =
    digestEquals(presentedSha256, s.previous_postback_token_sha256) &&
    Number.isFinite(expires) &&
    at.getTime() < expires;
  return current || previous;
}

export type SecretVerdict =
  { ok: true } | { ok: false; http: 401 | 403; error: 'missing_secret' | 'bad_secret'; reason: string };

/**
 * The postback secret check against the offer source of the click: the secret, if one is presented, must be right
 * (even on an open source); without one, only an offer source that opted out accepts the postback.
 */
export function checkSecret(s: OfferSourceView | null, presentedSha256: string | null, at: Date): SecretVerdict {
  if (presentedSha256 === null) {
    if (acceptsUnsigned(s)) return { ok: true };
    return {
      ok: false,
      http: 401,
      error: 'missing_secret',
      reason: 'the postback carries no secret; add secret=<the offer source postback secret> to the postback URL',
    };
  }
  if (s && secretMatches(s, presentedSha256, at)) return { ok: true };
  return {
    ok: false,
    http: 403,
    error: 'bad_secret',
    reason: "the secret is not the postback secret of the click's offer source (or it was rotated out)",
  };
}

/**
 * Idempotency key of a postback: SHA-256 of the offer source and its parameters sorted (any order is the same
 * request), without the secret. The parameters carry customer data, so only this digest is stored.
 */
export function requestKey(offerSourceId: string, params: ReadonlyMap<string, string>): string {
  const pairs = [...params]
    .filter(([k]) => !(SECRET_PARAMS as readonly string[]).includes(k))
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return sha256Hex(JSON.stringify([offerSourceId, pairs]));
}

/** Normalise + hash customer data; returns Snap user_data keys → hashes and the roles that came pre-hashed. */
export function hashPii(
  pii: Partial<Record<PiiRole, string>>,
  defaultCountry: string | null | undefined,
): { userData: Record<string, string>; prehashed: string[] } {
  const result = hashUserData(pii, defaultCountry ? { defaultCountry } : {});
  const userData: Record<string, string> = {};
  for (const [role, hash] of Object.entries(result.hashed) as Array<[PiiRole, string]>)
    userData[SNAP_USER_DATA_KEY[role]] = hash;
  return { userData, prehashed: [...result.prehashed] };
}

export function isExpired(
  click: Pick<ClickView, 'clickedAt'>,
  offerSource: Pick<OfferSourceView, 'click_expiration_days'> | null,
  at: Date,
): boolean {
  const days = offerSource?.click_expiration_days;
  if (typeof days !== 'number' || !Number.isFinite(days) || days <= 0) return false;
  return at.getTime() - new Date(click.clickedAt).getTime() > days * 24 * 3600 * 1000;
}

/** Hostname of a Host header, lowercased, without port; null if absent or odd. */
export function hostnameOf(hostHeader: string | undefined): string | null {
  if (!hostHeader) return null;
  const h = hostHeader.trim().toLowerCase();
  const name = h.startsWith('[') ? h.slice(0, h.indexOf(']') + 1) : h.replace(/:\d+$/, '');
  return /^[a-z0-9.\-[\]:]{1,253}$/.test(name) ? name : null;
}
