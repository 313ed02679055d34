import { isIP } from 'node:net';
import type { ConversionCreatedV1 } from '@snaptrack/contracts-events';
import { sanitizeLandingUrl, sanitizeTemplateUrl } from './event-source-url';

/**
 * Pure: one conversion + the destination pixel's settings → one Snap CAPI v3 web event (docs/snap-capi.md:
 * "Event fields", "User data", "Custom data").
 * Identifiers arrive already normalised and hashed on conversion.created.v1; this only shapes them
 * (arrays for em/ph/external_id, strings for the rest) and never sends sha256(""). Checks live in validate.ts.
 */

export const SHA256_OF_EMPTY_STRING = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

export interface SnapUserData {
  em?: string[];
  ph?: string[];
  fn?: string;
  ln?: string;
  zp?: string;
  ct?: string;
  st?: string;
  country?: string;
  external_id?: string[];
  client_ip_address?: string;
  client_user_agent?: string;
  sc_click_id?: string;
  /** Snapchat's first-party `_scid` cookie, raw (docs/snap-capi.md: user_data keys sent unhashed). */
  sc_cookie1?: string;
}

export interface SnapCustomData {
  currency?: string;
  value?: number;
  order_id?: string;
}

export interface SnapEvent {
  event_name: string;
  event_time: number;
  event_id: string;
  action_source: 'WEB';
  event_source_url?: string;
  user_data: SnapUserData;
  custom_data?: SnapCustomData;
  integration: string;
  data_processing_options?: string[];
}

export interface SnapRequestBody {
  data: SnapEvent[];
}

/** What the destination pixel contributes. */
export interface PixelEventSettings {
  /** Snap event name from the pixel's conversion-type mapping (fixed on the ledger row). */
  eventName: string;
  /**
   * Limited Data Use on: send data_processing_options ["LDU"]; otherwise the field is omitted (docs/snap-capi.md
   * "Integration and Limited Data Use").
   */
  limitedDataUse: boolean;
}

export interface MappingContext {
  /** The `event_id` fixed on the ledger row (the conversion's stable event id); identical on every retry. */
  eventId: string;
  /** INTEGRATION_NAME. */
  integration: string;
  /** Used when the click has no usable landing URL: the offer URL (origin + path; its query holds macros). */
  fallbackUrl?: string | null;
  /** Used when the conversion has a payout but no currency: the offer source's default currency. */
  defaultCurrency?: string | null;
}

const ARRAY_KEYS = ['em', 'ph', 'external_id'] as const;
const STRING_KEYS = ['fn', 'ln', 'zp', 'ct', 'st', 'country'] as const;

function digest(value: string | undefined | null): string | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  if (!SHA256_HEX.test(v)) return undefined;
  const lower = v.toLowerCase();
  return lower === SHA256_OF_EMPTY_STRING ? undefined : lower;
}

function nonBlank(value: string | null | undefined): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

export function toEventTime(occurredAt: string): number {
  return Math.floor(Date.parse(occurredAt) / 1000);
}

export function toUserData(conversion: ConversionCreatedV1.Value): SnapUserData {
  const out: SnapUserData = {};
  const hashed = conversion.user_data ?? {};
  for (const key of ARRAY_KEYS) {
    const d = digest(hashed[key]);
    if (d) out[key] = [d];
  }
  for (const key of STRING_KEYS) {
    const d = digest(hashed[key]);
    if (d) out[key] = d;
  }
  const click = conversion.click;
  const ip = click?.ip?.trim();
  if (ip && isIP(ip) !== 0) out.client_ip_address = ip;
  const ua = nonBlank(click?.user_agent);
  if (ua) out.client_user_agent = ua; // unmodified: never lowercase the user agent
  const scClickId = nonBlank(click?.sc_click_id);
  if (scClickId) out.sc_click_id = scClickId.trim();
  const scCookie1 = nonBlank(click?.sc_cookie1);
  if (scCookie1) out.sc_cookie1 = scCookie1.trim();
  return out;
}

export function toCustomData(
  conversion: ConversionCreatedV1.Value,
  defaultCurrency?: string | null,
): SnapCustomData | undefined {
  const out: SnapCustomData = {};
  const value =
    typeof conversion.payout === 'number' && Number.isFinite(conversion.payout) ? conversion.payout : undefined;
  // ISO 4217 codes are upper case (validate.ts checks the exact code); a default typed in lower case still is one.
  const currency =
    nonBlank(conversion.currency)?.trim() ??
    (value !== undefined ? nonBlank(defaultCurrency)?.trim().toUpperCase() : undefined);
  if (currency) out.currency = currency;
  if (value !== undefined) out.value = value;
  const orderId = nonBlank(conversion.transaction_id)?.trim();
  if (orderId) out.order_id = orderId;
  return Object.keys(out).length ? out : undefined;
}

export function toEventSourceUrl(
  conversion: ConversionCreatedV1.Value,
  fallbackUrl?: string | null,
): string | undefined {
  return sanitizeLandingUrl(conversion.click?.landing_url) ?? sanitizeTemplateUrl(fallbackUrl) ?? undefined;
}

export function toSnapEvent(
  conversion: ConversionCreatedV1.Value,
  pixel: PixelEventSettings,
  ctx: MappingContext,
): SnapEvent {
  const event: SnapEvent = {
    event_name: pixel.eventName,
    event_time: toEventTime(conversion.occurred_at),
    event_id: ctx.eventId,
    action_source: 'WEB',
    user_data: toUserData(conversion),
    integration: ctx.integration,
  };
  const url = toEventSourceUrl(conversion, ctx.fallbackUrl);
  if (url) event.event_source_url = url;
  const custom = toCustomData(conversion, ctx.defaultCurrency);
  if (custom) event.custom_data = custom;
  if (pixel.limitedDataUse) event.data_processing_options = ['LDU'];
  return event;
}
