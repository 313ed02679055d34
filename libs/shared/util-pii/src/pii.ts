import { toCountryCode } from './countries';
import { EMPTY_STRING_SHA256, isSha256Hex, sha256Hex } from './hash';
import { normalize, type DropReason, type NormalizeOptions } from './normalize';
import { PII_ROLES, type PiiRole } from './roles';

export type PiiOptions = NormalizeOptions;

export type PiiHashResult = { hash: string; prehashed: boolean } | { dropped: DropReason };

export interface HashedUserData {
  /** role → lowercase hex SHA-256, only for roles that survived normalisation. */
  hashed: Partial<Record<PiiRole, string>>;
  /** roles whose value arrived already hashed and was passed through (normalisation unknown). */
  prehashed: PiiRole[];
  /** roles that were supplied but omitted, and why. Absent (`undefined`) inputs are not listed. */
  dropped: { role: PiiRole; reason: DropReason }[];
}

const EMPTY: PiiHashResult = Object.freeze({ dropped: 'empty' });
const INVALID: PiiHashResult = Object.freeze({ dropped: 'invalid' });

/**
 * Normalise and hash one value (docs/snap-capi.md "Normalisation and hashing"):
 * 1. NFC, trim. Nothing left → `{ dropped: 'empty' }`.
 * 2. Already a SHA-256 (`^[0-9a-fA-F]{64}$`) → lowercased and passed through, `prehashed: true`
 *    (sha256("") itself is dropped as `empty`: it is never sent).
 * 3. Otherwise normalise for `role` and hash: lowercase hex SHA-256 of the UTF-8 bytes. Never hashes "".
 */
export function normalizeAndHash(role: PiiRole, raw: string | null | undefined, opts: PiiOptions = {}): PiiHashResult {
  if (raw === null || raw === undefined) return EMPTY;
  let text: string;
  if (typeof raw === 'string') text = raw;
  else if (typeof raw === 'number' && Number.isFinite(raw))
    text = String(raw); // untyped callers (e.g. a numeric zip)
  else return INVALID;

  const trimmed = text.normalize('NFC').trim();
  if (trimmed === '') return EMPTY;
  if (isSha256Hex(trimmed)) {
    const hash = trimmed.toLowerCase();
    return hash === EMPTY_STRING_SHA256 ? EMPTY : { hash, prehashed: true };
  }

  const normalized = normalize(role, trimmed, opts);
  if ('dropped' in normalized) return normalized;
  if (normalized.value === '') return EMPTY; // normalisers never return "", but never hash it regardless
  return { hash: sha256Hex(normalized.value), prehashed: false };
}

/**
 * The country used as context for phone parsing and ZIP rules when hashing a whole `user_data` set:
 * `opts.defaultCountry` if it maps to a country, else the record's own (plain-text) `country`, else none.
 */
function contextCountry(input: Partial<Record<PiiRole, string>>, opts: PiiOptions): string | undefined {
  const fromOpts = typeof opts.defaultCountry === 'string' ? toCountryCode(opts.defaultCountry) : undefined;
  if (fromOpts !== undefined) return fromOpts;
  const own = input.country;
  if (typeof own === 'string' && !isSha256Hex(own.trim())) return toCountryCode(own);
  return undefined;
}

/** Normalise and hash every supplied role of one customer record, in {@link PII_ROLES} order. */
export function hashUserData(input: Partial<Record<PiiRole, string>>, opts: PiiOptions = {}): HashedUserData {
  const out: HashedUserData = { hashed: {}, prehashed: [], dropped: [] };
  const defaultCountry = contextCountry(input, opts);
  for (const role of PII_ROLES) {
    const raw = input[role];
    if (raw === undefined) continue;
    const r = normalizeAndHash(role, raw, { defaultCountry });
    if ('dropped' in r) {
      out.dropped.push({ role, reason: r.dropped });
      continue;
    }
    out.hashed[role] = r.hash;
    if (r.prehashed) out.prehashed.push(role);
  }
  return out;
}
