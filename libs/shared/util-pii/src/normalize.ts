import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { toCountryCode } from './countries';
import type { PiiRole } from './roles';
import { toUsStateCode } from './us-states';

/**
 * Normalisation per docs/snap-capi.md "Normalisation and hashing" and "Phone numbers". Every function here:
 * - applies Unicode NFC first (and again on the result, so output is always NFC);
 * - returns `{ value }` (never an empty string) or `{ dropped: 'empty' | 'invalid' }`;
 * - knows nothing about already-hashed input: that check happens in `normalizeAndHash` before these run.
 * Nothing here logs.
 */
export type DropReason = 'empty' | 'invalid';
export type NormalizeResult = { value: string } | { dropped: DropReason };

export interface NormalizeOptions {
  /**
   * The conversion's country (ISO 3166-1 alpha-2 in any case, alpha-3, or an English name). Used as the default
   * region when parsing phone numbers and to decide whether a postal code is a US ZIP code. Unknown → ignored.
   */
  defaultCountry?: string;
}

const EMPTY: NormalizeResult = Object.freeze({ dropped: 'empty' });
const INVALID: NormalizeResult = Object.freeze({ dropped: 'invalid' });

// Invisible format characters (zero-width space, BOM, soft hyphen, …) are noise in typed data and are stripped
// along with whitespace; ZWNJ/ZWJ (U+200C/U+200D) are kept because some scripts spell names with them.
const NAME_STRIP = /(?![\u200C\u200D])[\p{P}\p{S}\p{White_Space}\p{Cc}\p{Cf}]/gu;
const CITY_STATE_STRIP = /(?![\u200C\u200D])[\p{P}\p{White_Space}\p{Cc}\p{Cf}]/gu;
const ZIP_STRIP = /[\p{White_Space}\p{Pd}\p{Cc}\p{Cf}]/gu;

function nfc(raw: string): string {
  return raw.normalize('NFC');
}

function result(value: string): NormalizeResult {
  const v = value.normalize('NFC');
  return v === '' ? EMPTY : { value: v };
}

/** Lowercase ISO-2 for a country hint, or undefined. */
function countryHint(defaultCountry: string | undefined): string | undefined {
  return defaultCountry === undefined ? undefined : toCountryCode(defaultCountry);
}

/** `em`: trim, lowercase, nothing else (dots and `+tag` stay); no `@` → invalid. */
export function normalizeEmail(raw: string): NormalizeResult {
  const v = nfc(raw).trim().toLowerCase();
  if (v === '') return EMPTY;
  if (!v.includes('@')) return INVALID;
  return result(v);
}

/**
 * `ph` (docs/snap-capi.md "Phone numbers"): trim; a leading `00` becomes `+`; parse with libphonenumber-js using
 * `defaultCountry` (if it maps to a region the library knows); unparseable or `!isPossible()` → invalid (`isValid()` is
 * deliberately not required); result is E.164 without the `+`.
 */
export function normalizePhone(raw: string, defaultCountry?: string): NormalizeResult {
  let v = nfc(raw).trim();
  if (v === '') return EMPTY;
  if (v.startsWith('00')) v = `+${v.slice(2)}`;
  const hint = countryHint(defaultCountry)?.toUpperCase();
  const region = hint !== undefined && isSupportedCountry(hint) ? (hint as CountryCode) : undefined;
  let parsed: ReturnType<typeof parsePhoneNumberFromString>;
  try {
    parsed = parsePhoneNumberFromString(v, region);
  } catch {
    return INVALID;
  }
  if (!parsed || !parsed.isPossible()) return INVALID;
  return result(parsed.number.replace(/^\+/, ''));
}

/**
 * `fn` / `ln`: lowercase; strip punctuation, symbols and whitespace; letters (accented or not), marks and digits stay.
 */
export function normalizeName(raw: string): NormalizeResult {
  return result(nfc(raw).toLowerCase().replace(NAME_STRIP, ''));
}

export const normalizeFirstName = normalizeName;
export const normalizeLastName = normalizeName;

/** `ct`: lowercase; strip whitespace and punctuation (`Menlo Park` → `menlopark`). */
export function normalizeCity(raw: string): NormalizeResult {
  return result(nfc(raw).toLowerCase().replace(CITY_STATE_STRIP, ''));
}

/**
 * `st`: a US state/DC/territory name, code or `US-XX` becomes its two-letter code (`California` → `ca`); anything
 * else is lowercased with whitespace and punctuation removed.
 */
export function normalizeState(raw: string): NormalizeResult {
  const v = nfc(raw);
  const code = toUsStateCode(v);
  if (code !== undefined) return result(code);
  return result(v.toLowerCase().replace(CITY_STATE_STRIP, ''));
}

/**
 * `zp`: lowercase with whitespace and dashes removed. When the country is US, or is unknown and the value has the
 * ZIP / ZIP+4 shape (`12345`, `12345-6789`), only the first 5 digits are kept. A known non-US country keeps the
 * full code (`SW1A 1AA` → `sw1a1aa`).
 */
export function normalizeZip(raw: string, defaultCountry?: string): NormalizeResult {
  const v = nfc(raw).toLowerCase().replace(ZIP_STRIP, '');
  if (v === '') return EMPTY;
  const country = countryHint(defaultCountry);
  if (country === 'us') {
    const m = /^\d{5}/.exec(v);
    return result(m ? m[0] : v);
  }
  if (country === undefined && /^\d{5}(?:\d{4})?$/.test(v)) return result(v.slice(0, 5));
  return result(v);
}

/** `country`: lowercase ISO 3166-1 alpha-2 from a code (alpha-2/alpha-3) or an English name; no mapping → invalid. */
export function normalizeCountry(raw: string): NormalizeResult {
  const v = nfc(raw).trim();
  if (v.replace(/[^\p{L}\p{N}]/gu, '') === '') return EMPTY;
  const code = toCountryCode(v);
  return code === undefined ? INVALID : result(code);
}

/** `external_id`: trim, lowercase. */
export function normalizeExternalId(raw: string): NormalizeResult {
  return result(nfc(raw).trim().toLowerCase());
}

/** Normalise `raw` for `role` (no pre-hashed check; see `normalizeAndHash`). */
export function normalize(role: PiiRole, raw: string, opts: NormalizeOptions = {}): NormalizeResult {
  switch (role) {
    case 'email':
      return normalizeEmail(raw);
    case 'phone':
      return normalizePhone(raw, opts.defaultCountry);
    case 'first_name':
    case 'last_name':
      return normalizeName(raw);
    case 'city':
      return normalizeCity(raw);
    case 'state':
      return normalizeState(raw);
    case 'zip':
      return normalizeZip(raw, opts.defaultCountry);
    case 'country':
      return normalizeCountry(raw);
    case 'external_id':
      return normalizeExternalId(raw);
    default:
      return INVALID; // not a PiiRole (untyped caller)
  }
}
