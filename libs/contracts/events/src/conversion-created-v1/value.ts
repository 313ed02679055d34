import { hashedUserDataSchema, isoTimeSchema, nullable, type HashedUserData } from '../common/snap-event-names';
import { defineContract } from '../validator';

export type ConversionStatus = 'attributed' | 'unattributed' | 'expired_click';

/** One conversion. Key: conversion_id. Delivered at least once: consumers dedupe by conversion_id. */
export interface Value {
  schema: 'conversion.created.v1';
  conversion_id: string;
  /** Deterministic, stable across retries; becomes Snapchat's event_id. */
  event_id: string;
  /**
   * Optional (added in place): true when `event_id` is the id the postback sent
   * (docs/snap-capi.md "Event ID and deduplication", rule 1: sent verbatim), false when conversion-service derived it
   * (rule 3), so a dispatcher may apply rule 2 (a PURCHASE with a transaction id uses the transaction id). Absent or
   * null: unknown.
   */
  explicit_event_id?: boolean | null;
  account_id: string;
  /**
   * attributed: deliverable. unattributed: no click found in time. expired_click: click older than the offer source
   * allows.
   */
  status: ConversionStatus;
  conversion_type_id: string | null;
  /** Conversion type name, case-sensitive, as configured. */
  type: string;
  payout: number | null;
  currency: string | null;
  transaction_id: string | null;
  occurred_at: string;
  received_at: string;
  attribution: {
    campaign_id: string;
    traffic_channel_id: string;
    traffic_channel_template: string;
    offer_id: string;
    offer_source_id: string | null;
  } | null;
  click: {
    click_id: string;
    clicked_at: string;
    sc_click_id: string | null;
    /** Added 2026-12-07: the click's `sc_cookie1` (click.recorded.v1), sent raw as `user_data.sc_cookie1`. */
    sc_cookie1?: string | null;
    ip: string | null;
    user_agent: string | null;
    landing_url: string | null;
    params: Record<string, string>;
  } | null;
  /** The click id the postback named (even when no click was found). */
  postback_click_id: string | null;
  /** Customer identifiers, normalised and SHA-256 hashed (lowercase hex). Never raw. */
  user_data: HashedUserData;
  /** Roles whose value arrived already hashed (normalisation unknown). */
  prehashed: string[];
}

const attributionSchema = {
  type: 'object',
  required: ['campaign_id', 'traffic_channel_id', 'traffic_channel_template', 'offer_id', 'offer_source_id'],
  properties: {
    campaign_id: { type: 'string' },
    traffic_channel_id: { type: 'string' },
    traffic_channel_template: { type: 'string' },
    offer_id: { type: 'string' },
    offer_source_id: nullable({ type: 'string' }),
  },
};
const clickSchema = {
  type: 'object',
  required: ['click_id', 'clicked_at', 'sc_click_id', 'ip', 'user_agent', 'landing_url', 'params'],
  properties: {
    click_id: { type: 'string' },
    clicked_at: isoTimeSchema,
    sc_click_id: nullable({ type: 'string' }),
    sc_cookie1: nullable({ type: 'string', maxLength: 512 }),
    ip: nullable({ type: 'string' }),
    user_agent: nullable({ type: 'string' }),
    landing_url: nullable({ type: 'string' }),
    params: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

export const jsonSchema = {
  $id: 'conversion.created.v1',
  type: 'object',
  additionalProperties: true,
  required: [
    'schema',
    'conversion_id',
    'event_id',
    'account_id',
    'status',
    'conversion_type_id',
    'type',
    'payout',
    'currency',
    'transaction_id',
    'occurred_at',
    'received_at',
    'attribution',
    'click',
    'postback_click_id',
    'user_data',
    'prehashed',
  ],
  properties: {
    schema: { const: 'conversion.created.v1' },
    conversion_id: { type: 'string', format: 'uuid' },
    event_id: { type: 'string', minLength: 1, maxLength: 256 },
    explicit_event_id: nullable({ type: 'boolean' }),
    account_id: { type: 'string', minLength: 1 },
    status: { enum: ['attributed', 'unattributed', 'expired_click'] },
    conversion_type_id: nullable({ type: 'string' }),
    type: { type: 'string', minLength: 1 },
    payout: nullable({ type: 'number' }),
    currency: nullable({ type: 'string', pattern: '^[A-Z]{3}$' }),
    transaction_id: nullable({ type: 'string' }),
    occurred_at: isoTimeSchema,
    received_at: isoTimeSchema,
    attribution: nullable(attributionSchema),
    click: nullable(clickSchema),
    postback_click_id: nullable({ type: 'string' }),
    user_data: hashedUserDataSchema,
    prehashed: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const contract = defineContract<Value>('conversion.created.v1', jsonSchema);
