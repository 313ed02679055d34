import { isIP } from 'node:net';
import { isIso4217, isSnapEventName, isSnapPixelId } from '@snaptrack/contracts-events';
import { InvalidAuthenticationError, PayloadValidationError, type ErrorCode } from '@snaptrack/util-errors';
import { SHA256_OF_EMPTY_STRING, type SnapEvent } from './mapping';
import { SNAP_MAX_EVENT_AGE_SECONDS, SNAP_MAX_FUTURE_SECONDS } from './versioning-info';

/**
 * Pre-send checks (docs/snap-capi.md "Pre-send checks and the sandbox": the same checklist the sandbox and Snap
 * apply). An event that fails is never sent:
 * its delivery ends `failed` with `reasonCode`, and the message says what is wrong without repeating any value
 * (a rejected value may be raw PII).
 */
export type SnapReasonCode =
  | 'invalid_event_name'
  | 'invalid_event_time'
  | 'too_old'
  | 'event_time_in_future'
  | 'invalid_action_source'
  | 'missing_event_source_url'
  | 'invalid_event_source_url'
  | 'missing_event_id'
  | 'insufficient_identifiers'
  | 'unhashed_pii'
  | 'invalid_ip_address'
  | 'invalid_user_agent'
  | 'missing_currency'
  | 'invalid_currency'
  | 'missing_value'
  | 'invalid_value'
  | 'invalid_data_processing_options';

/** A PayloadValidationError that names the field and our reason code. */
export class SnapEventInvalid extends PayloadValidationError {
  constructor(
    message: string,
    public readonly reasonCode: SnapReasonCode,
    public readonly field: string,
  ) {
    super(message, baseCode(reasonCode));
  }
}

function baseCode(reason: SnapReasonCode): ErrorCode {
  return reason === 'too_old' || reason === 'insufficient_identifiers' ? reason : 'payload_invalid';
}

const HASHED_ARRAY_KEYS = ['em', 'ph', 'external_id'] as const;
const HASHED_STRING_KEYS = ['fn', 'ln', 'zp', 'ct', 'st', 'country'] as const;
const LOWER_SHA256 = /^[0-9a-f]{64}$/;

/**
 * Snap pixel ids are UUIDs (the shared rule in @snaptrack/contracts-events, the one config-service and the sandbox
 * apply); anything else can only end in 404 (a configuration problem a person has to fix).
 */
export function assertValidPixelId(pixelId: string): void {
  if (!isSnapPixelId(pixelId)) {
    throw new InvalidAuthenticationError(
      'The Pixel ID is not a Snap Pixel ID (a UUID such as 1a2b3c4d-…): copy it from Snap Ads Manager → ' +
        'Assets → Pixels and save it on the pixel.',
      'pixel_not_found',
    );
  }
}

function fail(reason: SnapReasonCode, field: string, message: string): never {
  throw new SnapEventInvalid(message, reason, field);
}

function isDigest(value: unknown): boolean {
  return typeof value === 'string' && LOWER_SHA256.test(value) && value !== SHA256_OF_EMPTY_STRING;
}

/** Throws SnapEventInvalid for the first problem found; returns nothing when the event may be sent. */
export function assertValidSnapEvent(event: SnapEvent, nowMs: number): void {
  if (!isSnapEventName(event.event_name)) {
    fail(
      'invalid_event_name',
      'event_name',
      'The mapped Snapchat event name is not one Snapchat accepts (use a standard name such as ' +
        "PURCHASE, or CUSTOM_EVENT_1…5): fix the pixel's event mapping.",
    );
  }

  const t = event.event_time;
  if (!Number.isInteger(t) || t <= 0 || t >= 100_000_000_000) {
    fail('invalid_event_time', 'event_time', 'The conversion time is not a valid Unix time in seconds.');
  }
  const nowS = nowMs / 1000;
  if (nowS - t > SNAP_MAX_EVENT_AGE_SECONDS) {
    fail(
      'too_old',
      'event_time',
      'The conversion happened more than 37 days ago; Snapchat no longer accepts it, so it was not sent.',
    );
  }
  if (t - nowS > SNAP_MAX_FUTURE_SECONDS) {
    fail(
      'event_time_in_future',
      'event_time',
      'The conversion time is more than 5 minutes in the future; check the time the postback sends.',
    );
  }

  if (event.action_source !== 'WEB') fail('invalid_action_source', 'action_source', 'action_source must be WEB.');

  if (event.event_source_url === undefined) {
    fail(
      'missing_event_source_url',
      'event_source_url',
      "Snapchat needs the page URL of a web conversion, and neither the click's landing URL nor the " +
        'offer URL is a usable http(s) URL.',
    );
  }
  try {
    const u = new URL(event.event_source_url);
    if (
      (u.protocol !== 'http:' && u.protocol !== 'https:') ||
      !u.hostname ||
      event.event_source_url !== event.event_source_url.trim()
    )
      throw new Error('scheme');
  } catch {
    fail('invalid_event_source_url', 'event_source_url', 'event_source_url must be an absolute http(s) URL.');
  }

  if (typeof event.event_id !== 'string' || event.event_id.trim() === '') {
    fail('missing_event_id', 'event_id', 'The conversion has no event id, so Snapchat could not deduplicate it.');
  }

  const ud = event.user_data ?? {};
  for (const key of HASHED_ARRAY_KEYS) {
    const v = ud[key];
    if (v !== undefined && (!Array.isArray(v) || v.length === 0 || !v.every(isDigest))) {
      fail(
        'unhashed_pii',
        `user_data.${key}`,
        `user_data.${key} must hold lowercase SHA-256 digests of non-empty values.`,
      );
    }
  }
  for (const key of HASHED_STRING_KEYS) {
    const v = ud[key];
    if (v !== undefined && !isDigest(v))
      fail(
        'unhashed_pii',
        `user_data.${key}`,
        `user_data.${key} must be a lowercase SHA-256 digest of a non-empty value.`,
      );
  }
  if (ud.client_ip_address !== undefined && isIP(ud.client_ip_address) === 0) {
    fail(
      'invalid_ip_address',
      'user_data.client_ip_address',
      "The click's IP address is not a valid IPv4 or IPv6 address.",
    );
  }
  if (ud.client_user_agent !== undefined && ud.client_user_agent.trim() === '') {
    fail('invalid_user_agent', 'user_data.client_user_agent', "The click's user agent is empty.");
  }
  const hasEmail = Array.isArray(ud.em) && ud.em.length > 0;
  const hasPhone = Array.isArray(ud.ph) && ud.ph.length > 0;
  const hasIpAndUa = !!ud.client_ip_address && !!ud.client_user_agent;
  if (!hasEmail && !hasPhone && !hasIpAndUa) {
    fail(
      'insufficient_identifiers',
      'user_data',
      'Snapchat needs an email, a phone number, or both the IP address and the user agent of the click ' +
        'to match a conversion; this one has none of them, so it was not sent.',
    );
  }

  const cd = event.custom_data;
  if (cd?.currency !== undefined && !isIso4217(cd.currency)) {
    fail(
      'invalid_currency',
      'custom_data.currency',
      'The currency is not an ISO 4217 code in upper case (such as USD or EUR).',
    );
  }
  if (cd?.value !== undefined && (typeof cd.value !== 'number' || !Number.isFinite(cd.value))) {
    fail('invalid_value', 'custom_data.value', 'The conversion value is not a number.');
  }
  if (event.event_name === 'PURCHASE') {
    if (cd?.currency === undefined)
      fail(
        'missing_currency',
        'custom_data.currency',
        'Snapchat requires a currency on PURCHASE events, and the conversion has none (set a default ' +
          'currency on the offer source).',
      );
    if (cd?.value === undefined)
      fail(
        'missing_value',
        'custom_data.value',
        'Snapchat requires a value on PURCHASE events, and the conversion has no payout.',
      );
  }

  const dpo = event.data_processing_options;
  if (dpo !== undefined && (!Array.isArray(dpo) || !dpo.every((x) => x === 'LDU'))) {
    fail('invalid_data_processing_options', 'data_processing_options', 'data_processing_options may only hold "LDU".');
  }
}
