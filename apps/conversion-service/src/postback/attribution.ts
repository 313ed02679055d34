import { createHash, timingSafeEqual } from 'node:crypto';
import { hashUserData, SNAP_USER_DATA_KEY, type PiiRole } from '@snaptrack/util-pii';
import type { ClickView } from '../click/click.entity';
import type { ConfigViewService, ConversionTypeView, OfferSourceView } from '../config-view/config-view.service';

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
    reason: `the conversion type is not one of the account's ${types.length} conversion type${types.length === 1 ? '' : 's'} (names are case-sensitive)`,
  };
}

/** click → offer source: the one on the click, else the offer's. */
export async function offerSourceOf(config: ConfigViewService, click: ClickView): Promise<OfferSourceView | null> {
  const direct = await config.offerSource(click.offerSourceId);
  if (direct) return direct;
  const offer = await config.offer(click.offerId);
  return offer ? config.offerSource(offer.offer_source_id) : null;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Constant-time comparison of the sha256 of a presented token with the configured digest. */
export function tokenDigestMatches(presentedSha256: string | null, expectedSha256: string | null): boolean {
  if (!expectedSha256) return true;
  if (!presentedSha256) return false;
  const a = Buffer.from(presentedSha256.toLowerCase(), 'utf8');
  const b = Buffer.from(expectedSha256.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
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
