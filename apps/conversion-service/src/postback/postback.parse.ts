import { isIso4217, withdrawnCurrency, type ConfigEntityV1 } from '@snaptrack/contracts-events';
import { isPiiRole, type PiiRole } from '@snaptrack/util-pii';

/**
 * Pure parsing and validation of postback requests (RedTrack-compatible). No I/O, no logging: the values may be
 * customer data, so nothing here ever echoes a value back in an error.
 */

export const MAX_VALUE_BYTES = 1024;
export const MAX_TOTAL_BYTES = 10 * 1024;
/** Raw body limit (percent-encoding may triple the size of the decoded parameters). */
export const MAX_BODY_BYTES = 64 * 1024;
export const CLICK_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const PAYOUT_PATTERN = /^\d{1,12}(\.\d{1,8})?$/;
const MAX_EVENT_ID_CHARS = 256;

/** A 4xx answer; `error` is a stable machine code, `reason` a sentence for the person wiring the postback. */
export class PostbackRejection extends Error {
  constructor(
    public readonly status: 400 | 401 | 403 | 404 | 413 | 415 | 429,
    public readonly error: string,
    public readonly reason: string,
  ) {
    super(reason);
    this.name = 'PostbackRejection';
  }
}

export type RawParams = Map<string, string>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeComponent(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new PostbackRejection(400, 'invalid_encoding', 'parameters must be valid percent-encoded UTF-8');
  }
}

function decodeUtf8(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new PostbackRejection(400, 'invalid_encoding', 'parameters must be valid UTF-8');
  }
}

/** `a=1&b=2` → entries; the first occurrence of a name wins. */
export function parseUrlEncoded(text: string, into: RawParams = new Map()): RawParams {
  for (const piece of text.split('&')) {
    if (!piece) continue;
    const eq = piece.indexOf('=');
    const name = decodeComponent(eq < 0 ? piece : piece.slice(0, eq));
    const value = eq < 0 ? '' : decodeComponent(piece.slice(eq + 1));
    if (!name || into.has(name)) continue;
    into.set(name, value);
  }
  return into;
}

/**
 * The query string as node received it: node keeps the request line as latin1, so the bytes are recovered and
 * must be UTF-8 themselves (percent-escapes are checked when decoded).
 */
export function parseQueryFromRawUrl(rawUrl: string): RawParams {
  const q = rawUrl.indexOf('?');
  if (q < 0) return new Map();
  const hash = rawUrl.indexOf('#', q);
  const raw = rawUrl.slice(q + 1, hash < 0 ? undefined : hash);
  return parseUrlEncoded(decodeUtf8(Buffer.from(raw, 'latin1')));
}

/** POST body: form-urlencoded (also when no content type is given) or a flat JSON object. */
export function parseBody(contentType: string | undefined, body: Buffer, into: RawParams): RawParams {
  if (!body.length) return into;
  const ct = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const text = decodeUtf8(body);
  if (ct === 'application/json' || ct.endsWith('+json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new PostbackRejection(400, 'invalid_json', 'the body is not valid JSON');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new PostbackRejection(400, 'invalid_json', 'the JSON body must be an object of parameter names to values');
    }
    // Body parameters win over query parameters of the same name.
    for (const [name, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (v === null || v === undefined) continue;
      if (typeof v === 'string') into.set(name, v);
      else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') into.set(name, String(v));
      else
        throw new PostbackRejection(
          400,
          'invalid_json',
          `parameter "${name.slice(0, 64)}" must be a string or a number`,
        );
    }
    return into;
  }
  if (ct === '' || ct === 'application/x-www-form-urlencoded' || ct === 'text/plain') {
    const fromBody = parseUrlEncoded(text);
    for (const [k, v] of fromBody) into.set(k, v);
    return into;
  }
  throw new PostbackRejection(
    415,
    'unsupported_media_type',
    'send the parameters in the query string, as application/x-www-form-urlencoded or as JSON',
  );
}

/** 1 KB per value (and per name), 10 KB for all parameters together. */
export function checkSizes(params: RawParams): void {
  let total = 0;
  for (const [name, value] of params) {
    const n = Buffer.byteLength(name, 'utf8');
    const v = Buffer.byteLength(value, 'utf8');
    if (n > MAX_VALUE_BYTES)
      throw new PostbackRejection(
        413,
        'parameter_too_large',
        `a parameter name is longer than ${MAX_VALUE_BYTES} bytes`,
      );
    if (v > MAX_VALUE_BYTES)
      throw new PostbackRejection(
        413,
        'parameter_too_large',
        `parameter "${name.slice(0, 64)}" is longer than ${MAX_VALUE_BYTES} bytes`,
      );
    total += n + v;
  }
  if (total > MAX_TOTAL_BYTES)
    throw new PostbackRejection(
      413,
      'parameters_too_large',
      `the parameters together are larger than ${MAX_TOTAL_BYTES} bytes`,
    );
}

/** Parameter names for one offer source (its configuration), falling back to RedTrack's defaults. */
export interface ParamNames {
  clickId: string;
  payout: string;
  type: string;
  eventId: string[];
  transactionId: string[];
  currency: string;
  token: string;
  roles: Array<{ param: string; role: PiiRole }>;
}

export const DEFAULT_CLICK_ID_PARAM = 'clickid';

/** Default parameter names per customer-data role (also used for postbacks whose click is not known yet). */
export const DEFAULT_ROLE_PARAMS: Array<{ param: string; role: PiiRole }> = [
  { param: 'email', role: 'email' },
  { param: 'phone', role: 'phone' },
  { param: 'fname', role: 'first_name' },
  { param: 'first_name', role: 'first_name' },
  { param: 'lname', role: 'last_name' },
  { param: 'last_name', role: 'last_name' },
  { param: 'zip', role: 'zip' },
  { param: 'city', role: 'city' },
  { param: 'state', role: 'state' },
  { param: 'country', role: 'country' },
  { param: 'external_id', role: 'external_id' },
];

const ROLE_ALIASES: Record<string, PiiRole | 'event_id' | 'transaction_id'> = {
  fname: 'first_name',
  firstname: 'first_name',
  first_name: 'first_name',
  lname: 'last_name',
  lastname: 'last_name',
  last_name: 'last_name',
  zip: 'zip',
  zipcode: 'zip',
  zip_code: 'zip',
  postal_code: 'zip',
  postcode: 'zip',
  phone: 'phone',
  phone_number: 'phone',
  email: 'email',
  email_address: 'email',
  city: 'city',
  state: 'state',
  region: 'state',
  country: 'country',
  external_id: 'external_id',
  externalid: 'external_id',
  user_id: 'external_id',
  event_id: 'event_id',
  eventid: 'event_id',
  transaction_id: 'transaction_id',
  txid: 'transaction_id',
};

/** An offer source's role label ("Phone", "First Name", "zip_code", …) → our role, or null for roles we ignore. */
export function toRole(label: string): PiiRole | 'event_id' | 'transaction_id' | null {
  const k = label
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  if (isPiiRole(k)) return k;
  return ROLE_ALIASES[k] ?? ROLE_ALIASES[k.replace(/_/g, '')] ?? null;
}

export function paramNamesFor(
  offerSource: Pick<ConfigEntityV1.OfferSourceData, 'params' | 'roles'> | null,
): ParamNames {
  const p = offerSource?.params;
  const eventId = [p?.event_id || 'eventid'];
  const transactionId = ['txid'];
  const configured: Array<{ param: string; role: PiiRole }> = [];
  for (const r of offerSource?.roles ?? []) {
    const role = r?.param ? toRole(String(r.role ?? '')) : null;
    if (!role) continue;
    if (role === 'event_id') eventId.push(r.param);
    else if (role === 'transaction_id') transactionId.push(r.param);
    else configured.push({ param: r.param, role });
  }
  if (!eventId.includes('eventid')) eventId.push('eventid');
  return {
    clickId: p?.click_id || DEFAULT_CLICK_ID_PARAM,
    payout: p?.payout || 'sum',
    type: p?.type || 'type',
    eventId,
    transactionId,
    currency: p?.currency || 'currency',
    token: 'token',
    // Configured roles first: they win over a default name for the same role.
    roles: [...configured, ...DEFAULT_ROLE_PARAMS],
  };
}

/** The postback secret travels as `secret`; `token` is what postback URLs made before secrets carried. */
export const SECRET_PARAMS = ['secret', 'token'] as const;

/** The presented postback secret, or null when there is none (an empty value is none). */
export function readSecret(params: RawParams): string | null {
  for (const name of SECRET_PARAMS) {
    const v = params.get(name);
    if (v !== undefined && v !== '') return v;
  }
  return null;
}

export function readClickId(params: RawParams, name: string): string {
  const raw = params.get(name);
  if (raw === undefined || raw.trim() === '')
    throw new PostbackRejection(400, 'missing_click_id', `the click id parameter "${name}" is missing`);
  if (!CLICK_ID_PATTERN.test(raw)) {
    throw new PostbackRejection(
      400,
      'malformed_click_id',
      `the click id must be 1 to 64 characters of A-Z, a-z, 0-9, "_" or "-" (is the macro filled in?)`,
    );
  }
  return raw;
}

export interface PostbackInput {
  clickId: string;
  /** Non-negative decimal as a string (exact), or null when absent. */
  payout: string | null;
  /** As sent (case-sensitive); null → the account's default conversion type. */
  type: string | null;
  /** The `eventid` parameter: sent to Snap verbatim as event_id. */
  explicitEventId: string | null;
  /** `txid` (else `eventid`): the advertiser's order / transaction id. */
  transactionId: string | null;
  /** ISO 4217 upper case, or null (→ the offer source's default). */
  currency: string | null;
  token: string | null;
  /** Raw customer data by role. Lives only in memory: hash it and drop it. */
  pii: Partial<Record<PiiRole, string>>;
}

/**
 * The platform's one currency list (@snaptrack/contracts-events: ISO 4217 List One, the codes Snap accepts), not
 * `Intl.supportedValuesOf('currency')`: ICU still knows withdrawn codes (HRK, BGN, …) that Snap refuses, so a
 * postback accepted with one would always end `failed` (`invalid_currency`) at the dispatcher.
 */
export function isIsoCurrency(code: string): boolean {
  return isIso4217(code);
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

/** Reads and validates every field with the given parameter names. Throws PostbackRejection on bad input. */
export function readPostback(params: RawParams, names: ParamNames): PostbackInput {
  const clickId = readClickId(params, names.clickId);

  let payout: string | null = null;
  const sum = optional(params, names.payout);
  if (sum) {
    if (!PAYOUT_PATTERN.test(sum)) {
      throw new PostbackRejection(
        400,
        'malformed_payout',
        `"${names.payout}" must be a non-negative decimal number such as 12.50 (at most 12 digits before ` +
          `and 8 after the point)`,
      );
    }
    payout = sum;
  }

  let currency: string | null = null;
  const cur = optional(params, names.currency);
  if (cur) {
    currency = cur.toUpperCase();
    // A withdrawn code is named (it is one of six constants, not the sender's text) with what to send instead.
    const withdrawn = withdrawnCurrency(currency);
    if (withdrawn)
      throw new PostbackRejection(
        400,
        'withdrawn_currency',
        `"${names.currency}" is ${withdrawn.code}, a withdrawn ISO 4217 code (${withdrawn.note}) that Snapchat ` +
          `refuses; send ${withdrawn.replacedBy} instead`,
      );
    if (!isIsoCurrency(currency))
      throw new PostbackRejection(
        400,
        'malformed_currency',
        `"${names.currency}" must be an ISO 4217 currency code such as USD or EUR`,
      );
  }

  // The type is matched exactly (case-sensitive, not trimmed).
  const typeRaw = params.get(names.type);
  const type = typeRaw === undefined || typeRaw === '' || UNFILLED_MACRO.test(typeRaw) ? null : typeRaw;
  // No type can be named with U+0000 (and PostgreSQL cannot store it in a pending row).
  if (type?.includes('\u0000'))
    throw new PostbackRejection(400, 'unknown_type', 'the conversion type name contains a NUL character');

  const explicitEventId = first(params, names.eventId);
  const txid = first(params, names.transactionId);
  for (const v of [explicitEventId, txid]) {
    if (v !== null && v.length > MAX_EVENT_ID_CHARS) {
      throw new PostbackRejection(
        400,
        'malformed_event_id',
        `the event / transaction id must be at most ${MAX_EVENT_ID_CHARS} characters`,
      );
    }
    if (v?.includes('\u0000'))
      throw new PostbackRejection(
        400,
        'malformed_event_id',
        'the event / transaction id must not contain NUL characters',
      );
  }

  const pii: Partial<Record<PiiRole, string>> = {};
  for (const { param, role } of names.roles) {
    if (pii[role] !== undefined) continue;
    const v = params.get(param);
    if (v !== undefined && v.trim() !== '' && !UNFILLED_MACRO.test(v.trim())) pii[role] = v;
  }

  const token = params.get(names.token);
  return {
    clickId,
    payout,
    type,
    explicitEventId,
    transactionId: txid ?? explicitEventId,
    currency,
    token: token === undefined || token === '' ? null : token,
    pii,
  };
}
