import { isIso4217, withdrawnCurrency } from '@snaptrack/contracts-events';
import type { PiiRole } from '@snaptrack/util-pii';
import type { ClickView } from '../click/click.entity';
import type { OfferSourceView } from '../config-view/config-view.service';
import type { ParamNames } from './postback.names';
import { ParseError, type RawParams } from './postback.params';

/**
 * The fields of a postback, read and validated once under its parameter names, and the typed {@link Postback} the
 * edge hands to `PostbackService.record`. Pure: no I/O, no logging, and no value ever echoed in an error.
 */

export const CLICK_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const PAYOUT_PATTERN = /^\d{1,12}(\.\d{1,8})?$/;
const MAX_EVENT_ID_CHARS = 256;

/** What a postback says, validated. */
export interface PostbackFields {
  clickId: string;
  /** Non-negative decimal as a string (exact), or null when absent. */
  payout: string | null;
  /** As sent (case-sensitive); null → the account's default conversion type. */
  type: string | null;
  /** The `eventid` parameter: sent to Snap verbatim as event_id. */
  explicitEventId: string | null;
  /** `txid` (else `eventid`): the advertiser's order / transaction id. */
  transactionId: string | null;
  /** ISO 4217 upper case (on the platform's list), or null (→ the offer source's default). */
  currency: string | null;
  token: string | null;
  /** Raw customer data by role. Lives only in memory: hash it and drop it. */
  pii: Partial<Record<PiiRole, string>>;
}

interface PostbackCommon {
  fields: PostbackFields;
  /** The request's hostname (its account decides whether a known click's postback is ignored). */
  host: string | null;
  receivedAt: Date;
  /** Idempotency key of the request (see `requestKey` in attribution.ts). */
  requestKey: string;
}

/**
 * A postback the edge parsed, validated and authorised. `known_click`: its click is known and the secret (or the
 * website's secret or origin) was the one of the click's offer source. `unknown_click`: no such click (yet); the
 * secret named `offerSource`, whose account will hold the pending postback.
 */
export type Postback =
  | (PostbackCommon & { kind: 'known_click'; click: ClickView; offerSource: OfferSourceView | null })
  | (PostbackCommon & { kind: 'unknown_click'; offerSource: OfferSourceView; secretSha256: string });

/**
 * The platform's one currency list (@snaptrack/contracts-events: ISO 4217 List One, the codes Snap accepts), not
 * `Intl.supportedValuesOf('currency')`: ICU still knows withdrawn codes (HRK, BGN, …) that Snap refuses, so a
 * postback accepted with one would always end `failed` (`invalid_currency`) at the dispatcher.
 */
export function isIsoCurrency(code: string): boolean {
  return isIso4217(code);
}

export function readClickId(params: RawParams, name: string): string {
  const raw = params.get(name);
  if (raw === undefined || raw.trim() === '')
    throw new ParseError('missing_click_id', `the click id parameter "${name}" is missing`);
  if (!CLICK_ID_PATTERN.test(raw)) {
    throw new ParseError(
      'malformed_click_id',
      `the click id must be 1 to 64 characters of A-Z, a-z, 0-9, "_" or "-" (is the macro filled in?)`,
    );
  }
  return raw;
}

/** A macro the network did not replace (`{payout}`, `{email}`): the value was not sent. */
const UNFILLED_MACRO = /^\{[^{}]*\}$/;

/** The trimmed value of an optional parameter; blank and unfilled macros count as absent. */
function optional(params: RawParams, name: string): string | null {
  const v = params.get(name)?.trim();
  return v && !UNFILLED_MACRO.test(v) ? v : null;
}

function first(params: RawParams, names: string[]): string | null {
  for (const n of names) {
    const v = optional(params, n);
    if (v) return v;
  }
  return null;
}

function readCurrency(params: RawParams, name: string): string | null {
  const cur = optional(params, name);
  if (!cur) return null;
  const currency = cur.toUpperCase();
  // A withdrawn code is named (it is one of six constants, not the sender's text) with what to send instead.
  const withdrawn = withdrawnCurrency(currency);
  if (withdrawn)
    throw new ParseError(
      'withdrawn_currency',
      `"${name}" is ${withdrawn.code}, a withdrawn ISO 4217 code (${withdrawn.note}) that Snapchat ` +
        `refuses; send ${withdrawn.replacedBy} instead`,
    );
  if (!isIso4217(currency))
    throw new ParseError('malformed_currency', `"${name}" must be an ISO 4217 currency code such as USD or EUR`);
  return currency;
}

function checkEventId(v: string | null): void {
  if (v === null) return;
  if (v.length > MAX_EVENT_ID_CHARS)
    throw new ParseError(
      'malformed_event_id',
      `the event / transaction id must be at most ${MAX_EVENT_ID_CHARS} characters`,
    );
  if (v.includes('\u0000'))
    throw new ParseError('malformed_event_id', 'the event / transaction id must not contain NUL characters');
}

/** Reads and validates every field with the given parameter names. Throws {@link ParseError} on bad input. */
export function readPostback(params: RawParams, names: ParamNames): PostbackFields {
  const clickId = readClickId(params, names.clickId);

  const payout = optional(params, names.payout);
  if (payout && !PAYOUT_PATTERN.test(payout)) {
    throw new ParseError(
      'malformed_payout',
      `"${names.payout}" must be a non-negative decimal number such as 12.50 (at most 12 digits before ` +
        `and 8 after the point)`,
    );
  }
  const currency = readCurrency(params, names.currency);

  // The type is matched exactly (case-sensitive, not trimmed).
  const typeRaw = params.get(names.type);
  const type = typeRaw === undefined || typeRaw === '' || UNFILLED_MACRO.test(typeRaw) ? null : typeRaw;
  // No type can be named with U+0000 (and PostgreSQL cannot store it in a pending row).
  if (type?.includes('\u0000'))
    throw new ParseError('unknown_type', 'the conversion type name contains a NUL character');

  const explicitEventId = first(params, names.eventId);
  const txid = first(params, names.transactionId);
  checkEventId(explicitEventId);
  checkEventId(txid);

  const pii: Partial<Record<PiiRole, string>> = {};
  for (const { param, role } of names.roles) {
    if (pii[role] !== undefined) continue;
    const v = params.get(param);
    if (v !== undefined && v.trim() !== '' && !UNFILLED_MACRO.test(v.trim())) pii[role] = v;
  }

  const token = params.get(names.token);
  return {
    clickId,
    payout: payout || null,
    type,
    explicitEventId,
    transactionId: txid ?? explicitEventId,
    currency,
    token: token === undefined || token === '' ? null : token,
    pii,
  };
}
