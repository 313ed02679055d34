// Pure request checks for Snap CAPI v3 web events (docs/snap-capi.md "Pre-send checks and the sandbox"). No I/O, no
// clock: the caller passes `nowMs`. Messages never repeat a submitted value, because a rejected value may be raw PII.

import { isIP } from 'node:net';
import { EVENT_NAME_HINTS, isSnapEventName } from './event-names';
import { isIso4217 } from '@snaptrack/contracts-events';

export type ProblemCode =
  | 'INVALID_BODY'
  | 'MISSING_REQUIRED_FIELD'
  | 'INVALID_FIELD_TYPE'
  | 'UNKNOWN_FIELD'
  | 'LEGACY_FIELD'
  | 'EMPTY_DATA'
  | 'TOO_MANY_EVENTS'
  | 'UNRECOGNIZED_EVENT_TYPE'
  | 'INVALID_ACTION_SOURCE'
  | 'INVALID_EVENT_TIME'
  | 'EVENT_TIME_OUT_OF_RANGE'
  | 'INVALID_EVENT_SOURCE_URL'
  | 'INVALID_EVENT_ID'
  | 'EVENT_ID_IN_CUSTOM_DATA'
  | 'APP_DATA_NOT_ALLOWED'
  | 'INSUFFICIENT_PII'
  | 'UNHASHED_PII'
  | 'EMPTY_VALUE_HASH'
  | 'INVALID_IP_ADDRESS'
  | 'INVALID_USER_AGENT'
  | 'MISSING_CURRENCY'
  | 'INVALID_CURRENCY'
  | 'MISSING_VALUE'
  | 'INVALID_VALUE';

export interface Problem {
  code: ProblemCode;
  /** Snap-style parameter path, e.g. `data[0].user_data.em[0]`. */
  field: string;
  message: string;
}

export interface EventVerdict {
  index: number;
  errors: Problem[];
  /** Advice that does not make the event invalid (older than 7 days, no `integration`, ...). */
  warnings: string[];
}

export interface BatchVerdict {
  ok: boolean;
  /** Problems with the request as a whole (`data` missing, too many events, ...). No event is checked then. */
  envelope: Problem[];
  events: EventVerdict[];
  /** Index of the first invalid event, as Snap reports it in `event`. */
  firstInvalidEvent?: number;
}

export interface ValidationLimits {
  maxEvents: number;
  maxAgeSeconds: number;
  maxFutureSeconds: number;
  /**
   * Sends older than this are accepted with a warning (docs/snap-capi.md "Event time": count sends older than 7 days).
   */
  warnAgeSeconds: number;
}

export const DEFAULT_LIMITS: ValidationLimits = {
  maxEvents: 2000,
  maxAgeSeconds: 37 * 24 * 3600,
  maxFutureSeconds: 5 * 60,
  warnAgeSeconds: 7 * 24 * 3600,
};

/** sha256("") in lowercase hex: what a mapper produces when it hashes an empty value. */
export const SHA256_OF_EMPTY_STRING = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const SHA256_HEX = /^[0-9a-f]{64}$/;
/** `http://` or `https://`, a host, then no whitespace or backslash anywhere. */
const ABSOLUTE_HTTP_URL = /^https?:\/\/[^\s/?#\\]+[^\s\\]*$/i;
const SHA256_HEX_ANY_CASE = /^[0-9a-fA-F]{64}$/;
/** Anything at or above this is not a plausible Unix time in seconds (year 5138); it is ms or µs. */
const MILLISECONDS_THRESHOLD = 100_000_000_000;

/** user_data keys that must carry lowercase hex SHA-256 digests (docs/snap-capi.md "User data"). */
export const HASHED_USER_DATA_KEYS = [
  'em',
  'ph',
  'fn',
  'ln',
  'zp',
  'ct',
  'st',
  'country',
  'external_id',
  'ge',
  'db',
] as const;
const HASHED_KEYS: ReadonlySet<string> = new Set(HASHED_USER_DATA_KEYS);
/** user_data keys sent raw: non-empty strings. IP and UA get extra checks. */
const RAW_USER_DATA_KEYS: ReadonlySet<string> = new Set([
  'client_ip_address',
  'client_user_agent',
  'sc_click_id',
  'sc_cookie1',
  'mobile_ad_id',
  'madid',
  'idfv',
  'lead_id',
  'subscription_id',
]);
const MOBILE_AD_ID_KEYS = ['mobile_ad_id', 'madid'] as const;

/** v2 or forwarder habits at the event root, with the v3 place they belong. */
const LEGACY_EVENT_FIELDS: Readonly<Record<string, string>> = {
  event_type: 'event_name',
  timestamp: 'event_time',
  event_conversion_type: 'action_source',
  page_url: 'event_source_url',
  client_dedup_id: 'event_id',
  pixel_id: 'the URL path (/v3/{pixelId}/events)',
  access_token: 'the access_token query parameter',
  test_event_code: '/events/validate instead (this integration never sends test_event_code)',
  hashed_email: 'user_data.em',
  hashed_phone_number: 'user_data.ph',
  hashed_ip_address: 'user_data.client_ip_address (raw)',
  user_agent: 'user_data.client_user_agent',
  uuid_c1: 'user_data.sc_cookie1',
  click_id: 'user_data.sc_click_id',
  hashed_mobile_ad_id: 'user_data.mobile_ad_id',
  price: 'custom_data.value',
  currency: 'custom_data.currency',
  value: 'custom_data.value',
  transaction_id: 'custom_data.order_id',
  item_ids: 'custom_data.content_ids',
  number_items: 'custom_data.num_items',
  email: 'user_data.em (hashed)',
  phone: 'user_data.ph (hashed)',
};

const LEGACY_USER_DATA_FIELDS: Readonly<Record<string, string>> = {
  email: 'em (hashed)',
  phone: 'ph (hashed)',
  phone_number: 'ph (hashed)',
  pn: 'ph (hashed)',
  hashed_email: 'em',
  hashed_phone_number: 'ph',
  hashed_ip_address: 'client_ip_address (raw)',
  ip: 'client_ip_address',
  ip_address: 'client_ip_address',
  user_agent: 'client_user_agent',
  uuid_c1: 'sc_cookie1',
  click_id: 'sc_click_id',
  first_name: 'fn (hashed)',
  last_name: 'ln (hashed)',
  zip: 'zp (hashed)',
  city: 'ct (hashed)',
  state: 'st (hashed)',
  gender: 'ge (hashed)',
  hashed_mobile_ad_id: 'mobile_ad_id',
};

/** Root fields of a v3 event (Snap SDK openapi `CapiEvent`, plus Segment's LDU geo fields). */
const EVENT_FIELDS: ReadonlySet<string> = new Set([
  'event_name',
  'event_time',
  'event_id',
  'action_source',
  'event_source_url',
  'user_data',
  'custom_data',
  'app_data',
  'integration',
  'opt_out',
  'data_processing_options',
  'data_processing_options_country',
  'data_processing_options_state',
]);

type FieldKind = 'string' | 'number' | 'integer' | 'string[]' | 'contents' | 'string-map';

/** custom_data fields (Snap SDK openapi `CustomData`) and the JSON type each must have. */
const CUSTOM_DATA_FIELDS: Readonly<Record<string, FieldKind>> = {
  currency: 'string',
  value: 'number',
  order_id: 'string',
  content_ids: 'string[]',
  contents: 'contents',
  num_items: 'integer',
  content_category: 'string',
  content_name: 'string',
  content_type: 'string',
  delivery_category: 'string',
  search_string: 'string',
  sign_up_method: 'string',
  status: 'string',
  brands: 'string',
  predicted_ltv: 'number',
  custom_fields: 'string-map',
  checkin_date: 'string',
  travel_start: 'string',
  travel_end: 'string',
  suggested_destinations: 'string[]',
  destination_airport: 'string',
  origin_airport: 'string',
  departing_departure_date: 'string',
  departing_arrival_date: 'string',
  returning_departure_date: 'string',
  returning_arrival_date: 'string',
  num_adults: 'integer',
  num_children: 'integer',
  num_infants: 'integer',
  country: 'string',
  city: 'string',
  region: 'string',
  neighborhood: 'string',
  postal_code: 'string',
  hotel_score: 'string',
  preferred_neighborhoods: 'string[]',
  preferred_star_ratings: 'string[]',
  suggested_hotels: 'string[]',
};
const CONTENT_FIELDS: ReadonlySet<string> = new Set(['id', 'quantity', 'item_price', 'delivery_category']);

type Json = Record<string, unknown>;

/** Own-property lookup, so JSON keys such as "constructor" or "__proto__" never hit Object.prototype. */
function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

class Collector {
  readonly errors: Problem[] = [];
  readonly warnings: string[] = [];
  add(code: ProblemCode, field: string, message: string): void {
    this.errors.push({ code, field, message: `Param ${field} ${message}` });
  }
  warn(message: string): void {
    this.warnings.push(message);
  }
}

/** Checks a whole request body. The batch is acceptable only when `ok` is true (Snap rejects the whole batch). */
export function validateBatch(body: unknown, nowMs: number, limits: ValidationLimits = DEFAULT_LIMITS): BatchVerdict {
  const envelope = new Collector();
  if (!isObject(body)) {
    envelope.add('INVALID_BODY', 'body', `must be a JSON object of the form {"data": [...]}, got ${typeName(body)}.`);
    return { ok: false, envelope: envelope.errors, events: [] };
  }
  for (const key of Object.keys(body)) {
    if (key === 'data') continue;
    const hint = own(LEGACY_EVENT_FIELDS, key);
    if (hint) envelope.add('LEGACY_FIELD', key, `is not part of the v3 request body; use ${hint}.`);
    else envelope.add('UNKNOWN_FIELD', key, 'is not a v3 request field; the body holds only "data".');
  }
  const data = body['data'];
  if (data === undefined) {
    envelope.add('MISSING_REQUIRED_FIELD', 'data', 'is required.');
  } else if (!Array.isArray(data)) {
    envelope.add('INVALID_FIELD_TYPE', 'data', `must be an array of events, got ${typeName(data)}.`);
  } else if (data.length === 0) {
    envelope.add('EMPTY_DATA', 'data', 'must hold at least one event.');
  } else if (data.length > limits.maxEvents) {
    envelope.add(
      'TOO_MANY_EVENTS',
      'data',
      `holds ${data.length} events; the maximum per request is ${limits.maxEvents}.`,
    );
  }
  if (envelope.errors.length > 0) return { ok: false, envelope: envelope.errors, events: [] };

  const events = (data as unknown[]).map((event, index) => validateEvent(event, index, nowMs, limits));
  const firstInvalid = events.find((verdict) => verdict.errors.length > 0);
  return {
    ok: firstInvalid === undefined,
    envelope: [],
    events,
    ...(firstInvalid ? { firstInvalidEvent: firstInvalid.index } : {}),
  };
}

/** Checks one element of `data`. */
export function validateEvent(
  event: unknown,
  index: number,
  nowMs: number,
  limits: ValidationLimits = DEFAULT_LIMITS,
): EventVerdict {
  const out = new Collector();
  const at = `data[${index}]`;
  if (!isObject(event)) {
    out.add('INVALID_FIELD_TYPE', at, `must be an event object, got ${typeName(event)}.`);
    return { index, errors: out.errors, warnings: out.warnings };
  }

  for (const key of Object.keys(event)) {
    if (EVENT_FIELDS.has(key)) continue;
    const hint = own(LEGACY_EVENT_FIELDS, key);
    if (hint) out.add('LEGACY_FIELD', `${at}.${key}`, `is not a v3 event field; use ${hint}.`);
    else out.add('UNKNOWN_FIELD', `${at}.${key}`, 'is not a v3 event field.');
  }

  checkEventName(event['event_name'], at, out);
  checkEventTime(event['event_time'], at, nowMs, limits, out);
  checkActionSource(event, at, out);
  checkEventSourceUrl(event['event_source_url'], at, out);
  checkEventId(event['event_id'], at, out);
  checkOptionalRootFields(event, at, out);
  checkUserData(event['user_data'], at, out);
  checkCustomData(event['custom_data'], event['event_name'], at, out);

  return { index, errors: out.errors, warnings: out.warnings };
}

function checkEventName(name: unknown, at: string, out: Collector): void {
  const field = `${at}.event_name`;
  if (name === undefined) return out.add('MISSING_REQUIRED_FIELD', field, 'is required.');
  if (typeof name !== 'string') return out.add('INVALID_FIELD_TYPE', field, `must be a string, got ${typeName(name)}.`);
  if (isSnapEventName(name)) return;
  const hint =
    own(EVENT_NAME_HINTS, name.toUpperCase()) ?? (isSnapEventName(name.toUpperCase()) ? name.toUpperCase() : undefined);
  out.add(
    'UNRECOGNIZED_EVENT_TYPE',
    field,
    `is an unrecognized event type${hint ? `; did you mean ${hint}?` : '; use a standard name or CUSTOM_EVENT_1..5.'}`,
  );
}

function checkEventTime(time: unknown, at: string, nowMs: number, limits: ValidationLimits, out: Collector): void {
  const field = `${at}.event_time`;
  if (time === undefined) return out.add('MISSING_REQUIRED_FIELD', field, 'is required.');
  if (typeof time !== 'number') {
    return out.add(
      'INVALID_EVENT_TIME',
      field,
      `is an invalid Unix timestamp: it must be a JSON integer of seconds, got ${typeName(time)}.`,
    );
  }
  if (!Number.isFinite(time) || !Number.isInteger(time)) {
    return out.add('INVALID_EVENT_TIME', field, 'is an invalid Unix timestamp: it must be a whole number of seconds.');
  }
  if (time >= MILLISECONDS_THRESHOLD) {
    return out.add(
      'INVALID_EVENT_TIME',
      field,
      'is an invalid Unix timestamp: it looks like milliseconds; send integer seconds (Math.floor(ms / 1000)).',
    );
  }
  if (time <= 0) return out.add('INVALID_EVENT_TIME', field, 'is an invalid Unix timestamp: it must be positive.');
  const nowSeconds = nowMs / 1000;
  const age = nowSeconds - time;
  if (age > limits.maxAgeSeconds) {
    return out.add(
      'EVENT_TIME_OUT_OF_RANGE',
      field,
      `is out of range: the event is more than ${Math.round(limits.maxAgeSeconds / 86400)} days old.`,
    );
  }
  if (-age > limits.maxFutureSeconds) {
    return out.add(
      'EVENT_TIME_OUT_OF_RANGE',
      field,
      `is out of range: the event is more than ${limits.maxFutureSeconds} seconds in the future.`,
    );
  }
  if (age > limits.warnAgeSeconds) {
    out.warn(`${field} is more than ${Math.round(limits.warnAgeSeconds / 86400)} days old; attribution may ignore it.`);
  }
}

function checkActionSource(event: Json, at: string, out: Collector): void {
  const field = `${at}.action_source`;
  const source = event['action_source'];
  if (source === undefined) return out.add('MISSING_REQUIRED_FIELD', field, 'is required.');
  if (source === 'WEB') {
    if (event['app_data'] !== undefined) {
      out.add('APP_DATA_NOT_ALLOWED', `${at}.app_data`, 'is app-only and must not be sent on a WEB event.');
    }
    return;
  }
  if (source === 'MOBILE_APP' || source === 'OFFLINE') {
    return out.add('INVALID_ACTION_SOURCE', field, 'must be WEB: this sandbox serves web (pixel) events only.');
  }
  const upper = typeof source === 'string' ? source.toUpperCase() : '';
  const hint = upper === 'WEB' || upper === 'WEBSITE' ? ' (upper case, exactly "WEB")' : '';
  out.add('INVALID_ACTION_SOURCE', field, `must be one of WEB, MOBILE_APP, OFFLINE${hint}.`);
}

function checkEventSourceUrl(url: unknown, at: string, out: Collector): void {
  const field = `${at}.event_source_url`;
  if (url === undefined) return out.add('MISSING_REQUIRED_FIELD', field, 'is required for WEB events.');
  if (typeof url !== 'string') return out.add('INVALID_FIELD_TYPE', field, `must be a string, got ${typeName(url)}.`);
  // The WHATWG parser alone is too forgiving ("https:shop.example.com", backslashes, inner spaces), so the
  // literal form is checked first.
  let parsed: URL;
  try {
    if (!ABSOLUTE_HTTP_URL.test(url)) throw new Error('not absolute');
    parsed = new URL(url);
  } catch {
    return out.add('INVALID_EVENT_SOURCE_URL', field, 'must be an absolute http(s) URL.');
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.hostname === '') {
    return out.add('INVALID_EVENT_SOURCE_URL', field, 'must be an absolute http(s) URL.');
  }
  for (const value of parsed.searchParams.values()) {
    if (/[^@\s]+@[^@\s]+\.[^@\s]+/.test(value)) {
      out.warn(`${field} has a query parameter that looks like an email address; strip PII from the URL.`);
      break;
    }
  }
}

function checkEventId(id: unknown, at: string, out: Collector): void {
  if (id === undefined) return;
  const field = `${at}.event_id`;
  if (typeof id !== 'string') return out.add('INVALID_EVENT_ID', field, `must be a string, got ${typeName(id)}.`);
  if (id.trim().length === 0) return out.add('INVALID_EVENT_ID', field, 'must not be empty; omit it instead.');
  if (id !== id.trim())
    out.warn(`${field} has leading or trailing whitespace; the pixel's client_dedup_id will not match.`);
}

function checkOptionalRootFields(event: Json, at: string, out: Collector): void {
  const integration = event['integration'];
  if (integration === undefined)
    out.warn(
      `${at}.integration is missing; name the sending connector (docs/snap-capi.md "Integration and ` +
        `Limited Data Use").`,
    );
  else if (!isNonEmptyString(integration))
    out.add('INVALID_FIELD_TYPE', `${at}.integration`, 'must be a non-empty string.');

  const optOut = event['opt_out'];
  if (optOut !== undefined && typeof optOut !== 'boolean') {
    out.add('INVALID_FIELD_TYPE', `${at}.opt_out`, `must be a boolean, got ${typeName(optOut)}.`);
  }

  const options = event['data_processing_options'];
  if (options !== undefined) {
    if (!Array.isArray(options) || !options.every((item) => typeof item === 'string')) {
      out.add('INVALID_FIELD_TYPE', `${at}.data_processing_options`, 'must be an array of strings, e.g. ["LDU"].');
    } else if (options.some((item) => item !== 'LDU')) {
      out.warn(`${at}.data_processing_options holds a value other than "LDU".`);
    }
  }
  for (const key of ['data_processing_options_country', 'data_processing_options_state']) {
    const value = event[key];
    if (value !== undefined && !Number.isInteger(value)) {
      out.add('INVALID_FIELD_TYPE', `${at}.${key}`, `must be an integer, got ${typeName(value)}.`);
    }
  }
}

function checkUserData(userData: unknown, at: string, out: Collector): void {
  const base = `${at}.user_data`;
  if (userData === undefined) {
    out.add('MISSING_REQUIRED_FIELD', base, 'is required.');
    out.add(
      'INSUFFICIENT_PII',
      base,
      'has insufficient PII: send em, ph, a mobile ad id, or both client_ip_address and client_user_agent.',
    );
    return;
  }
  if (!isObject(userData)) return out.add('INVALID_FIELD_TYPE', base, `must be an object, got ${typeName(userData)}.`);

  for (const [key, value] of Object.entries(userData)) {
    const field = `${base}.${key}`;
    if (HASHED_KEYS.has(key)) checkHashed(value, field, out);
    else if (RAW_USER_DATA_KEYS.has(key)) checkRaw(key, value, field, out);
    else if (own(LEGACY_USER_DATA_FIELDS, key)) {
      out.add('LEGACY_FIELD', field, `is not a v3 user_data key; use ${own(LEGACY_USER_DATA_FIELDS, key)}.`);
    } else out.add('UNKNOWN_FIELD', field, 'is not a v3 user_data key.');
  }

  const present = (key: string): boolean => {
    const value = userData[key];
    return Array.isArray(value) ? value.length > 0 : isNonEmptyString(value);
  };
  const enough =
    present('em') ||
    present('ph') ||
    MOBILE_AD_ID_KEYS.some(present) ||
    (present('client_ip_address') && present('client_user_agent'));
  if (!enough) {
    out.add(
      'INSUFFICIENT_PII',
      base,
      'has insufficient PII: send em, ph, a mobile ad id, or both client_ip_address and client_user_agent.',
    );
  }
}

function checkHashed(value: unknown, field: string, out: Collector): void {
  if (Array.isArray(value)) {
    if (value.length === 0) return out.add('UNHASHED_PII', field, 'is an empty list; omit the key instead.');
    value.forEach((item, i) => checkDigest(item, `${field}[${i}]`, out));
    return;
  }
  checkDigest(value, field, out);
}

function checkDigest(value: unknown, field: string, out: Collector): void {
  if (typeof value !== 'string') {
    return out.add(
      'INVALID_FIELD_TYPE',
      field,
      `must be a SHA-256 hex string or a list of them, got ${typeName(value)}.`,
    );
  }
  if (value === SHA256_OF_EMPTY_STRING) {
    return out.add('EMPTY_VALUE_HASH', field, 'is sha256("") (the hash of an empty value); omit the key instead.');
  }
  if (SHA256_HEX.test(value)) return;
  if (SHA256_HEX_ANY_CASE.test(value)) {
    return out.add('UNHASHED_PII', field, 'must be lowercase hex SHA-256; upper-case hex is not accepted.');
  }
  out.add('UNHASHED_PII', field, 'contains unhashed PII: send the lowercase hex SHA-256 of the normalised value.');
}

function checkRaw(key: string, value: unknown, field: string, out: Collector): void {
  if (typeof value !== 'string')
    return out.add('INVALID_FIELD_TYPE', field, `must be a string, got ${typeName(value)}.`);
  if (key === 'client_ip_address') {
    if (isIP(value) !== 0) return;
    const hint = SHA256_HEX_ANY_CASE.test(value) ? ' It looks hashed; v3 takes the raw address.' : '';
    return out.add('INVALID_IP_ADDRESS', field, `is not a valid IPv4 or IPv6 address.${hint}`);
  }
  if (key === 'client_user_agent') {
    if (value.trim().length === 0)
      return out.add('INVALID_USER_AGENT', field, 'must be a non-empty user agent string.');
    if (/^mozilla\//.test(value)) out.warn(`${field} looks lowercased; send the user agent unmodified.`);
    return;
  }
  if (value.trim().length === 0) out.add('INVALID_FIELD_TYPE', field, 'must not be empty; omit the key instead.');
}

function checkCustomData(customData: unknown, eventName: unknown, at: string, out: Collector): void {
  const base = `${at}.custom_data`;
  const isPurchase = eventName === 'PURCHASE';
  if (customData === undefined) {
    if (isPurchase) {
      out.add('MISSING_CURRENCY', `${base}.currency`, 'is required for PURCHASE events.');
      out.add('MISSING_VALUE', `${base}.value`, 'is required for PURCHASE events.');
    }
    return;
  }
  if (!isObject(customData))
    return out.add('INVALID_FIELD_TYPE', base, `must be an object, got ${typeName(customData)}.`);

  for (const [key, value] of Object.entries(customData)) {
    const field = `${base}.${key}`;
    if (key === 'event_id') {
      out.add(
        'EVENT_ID_IN_CUSTOM_DATA',
        field,
        'must not be inside custom_data; send event_id at the top level of the event.',
      );
      continue;
    }
    const kind = own(CUSTOM_DATA_FIELDS, key);
    if (!kind) {
      out.add('UNKNOWN_FIELD', field, 'is not a v3 custom_data key (put free-form values in custom_fields).');
      continue;
    }
    if (key === 'currency') {
      if (!isIso4217(value)) {
        const hint = typeof value === 'string' && isIso4217(value.toUpperCase()) ? ' (upper case)' : '';
        out.add('INVALID_CURRENCY', field, `must be an active ISO 4217 currency code${hint}.`);
      }
      continue;
    }
    if (key === 'value') {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        out.add('INVALID_VALUE', field, `must be a JSON number, got ${typeName(value)}.`);
      }
      continue;
    }
    checkKind(kind, value, field, out);
  }

  if (isPurchase) {
    if (customData['currency'] === undefined)
      out.add('MISSING_CURRENCY', `${base}.currency`, 'is required for PURCHASE events.');
    if (customData['value'] === undefined)
      out.add('MISSING_VALUE', `${base}.value`, 'is required for PURCHASE events.');
  } else if (customData['value'] !== undefined && customData['currency'] === undefined) {
    out.warn(`${base}.value is sent without custom_data.currency.`);
  }
}

function checkKind(kind: FieldKind, value: unknown, field: string, out: Collector): void {
  switch (kind) {
    case 'string':
      if (typeof value !== 'string') out.add('INVALID_FIELD_TYPE', field, `must be a string, got ${typeName(value)}.`);
      return;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        out.add('INVALID_FIELD_TYPE', field, `must be a number, got ${typeName(value)}.`);
      }
      return;
    case 'integer':
      if (!Number.isInteger(value) || (value as number) < 0) {
        out.add('INVALID_FIELD_TYPE', field, 'must be a non-negative integer.');
      }
      return;
    case 'string[]':
      if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
        out.add('INVALID_FIELD_TYPE', field, 'must be an array of strings.');
      }
      return;
    case 'string-map':
      if (!isObject(value) || !Object.values(value).every((item) => typeof item === 'string')) {
        out.add('INVALID_FIELD_TYPE', field, 'must be an object whose values are strings.');
      }
      return;
    case 'contents':
      checkContents(value, field, out);
      return;
  }
}

function checkContents(value: unknown, field: string, out: Collector): void {
  if (!Array.isArray(value)) return out.add('INVALID_FIELD_TYPE', field, 'must be an array of content objects.');
  value.forEach((item, i) => {
    const itemField = `${field}[${i}]`;
    if (!isObject(item))
      return out.add('INVALID_FIELD_TYPE', itemField, 'must be an object {id, quantity, item_price}.');
    for (const [key, part] of Object.entries(item)) {
      if (!CONTENT_FIELDS.has(key)) {
        out.add('UNKNOWN_FIELD', `${itemField}.${key}`, 'is not a v3 contents key.');
      } else if (key === 'quantity' || key === 'item_price') {
        const numeric =
          typeof part === 'number' ? Number.isFinite(part) : typeof part === 'string' && /^\d+(\.\d+)?$/.test(part);
        if (!numeric) out.add('INVALID_FIELD_TYPE', `${itemField}.${key}`, 'must be a number.');
      } else if (typeof part !== 'string') {
        out.add('INVALID_FIELD_TYPE', `${itemField}.${key}`, `must be a string, got ${typeName(part)}.`);
      }
    }
  });
}
