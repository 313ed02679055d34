import { isoTimeSchema, nullable } from '../common/snap-event-names';
import { defineContract } from '../validator';

export type DeliveryStatus = 'pending' | 'delivered' | 'skipped' | 'retrying' | 'failed';

/** The current state of one (conversion, destination pixel) delivery. Key: conversion_id. Later `revision` wins. */
export interface Value {
  schema: 'delivery.result.v1';
  /** The dispatcher: `snapchat-capi` (DeliveryCommandV1.SNAPCHAT_CAPI_DESTINATION), or another one's own name. */
  destination: string;
  conversion_id: string;
  account_id: string;
  pixel_id: string;
  status: DeliveryStatus;
  /**
   * Machine-readable reason: no_mapping, too_old, insufficient_identifiers, invalid_authentication, snap_rejected, …
   */
  reason_code: string | null;
  /** Human-readable: Snapchat's message or what the user must fix. Never contains a token. */
  message: string | null;
  attempts: number;
  http_status: number | null;
  event_name: string | null;
  event_id: string | null;
  test_mode: boolean;
  /** Where the pixel is configured for this conversion: channel, offer, or both (a misconfiguration we absorbed). */
  placements: Array<'channel' | 'offer'>;
  next_attempt_at: string | null;
  delivered_at: string | null;
  updated_at: string;
  /** Monotonic per (conversion, pixel); consumers keep the highest. */
  revision: number;
  /**
   * Optional (added in place): the delivery.command.v1 `command_id` this attempt was made for (redeliver or
   * backfill); absent or null for deliveries of new conversions. conversion-service counts results per command id
   * to show a command's progress.
   */
  command_id?: string | null;
}

export const jsonSchema = {
  $id: 'delivery.result.v1',
  type: 'object',
  additionalProperties: true,
  required: [
    'schema',
    'destination',
    'conversion_id',
    'account_id',
    'pixel_id',
    'status',
    'attempts',
    'updated_at',
    'revision',
  ],
  properties: {
    schema: { const: 'delivery.result.v1' },
    destination: { type: 'string' },
    conversion_id: { type: 'string' },
    account_id: { type: 'string' },
    pixel_id: { type: 'string' },
    status: { enum: ['pending', 'delivered', 'skipped', 'retrying', 'failed'] },
    reason_code: nullable({ type: 'string' }),
    message: nullable({ type: 'string' }),
    attempts: { type: 'integer', minimum: 0 },
    http_status: nullable({ type: 'integer' }),
    event_name: nullable({ type: 'string' }),
    event_id: nullable({ type: 'string' }),
    test_mode: { type: 'boolean' },
    placements: { type: 'array', items: { enum: ['channel', 'offer'] } },
    next_attempt_at: nullable(isoTimeSchema),
    delivered_at: nullable(isoTimeSchema),
    updated_at: isoTimeSchema,
    revision: { type: 'integer', minimum: 0 },
    command_id: nullable({ type: 'string', minLength: 1 }),
  },
} as const;

export const contract = defineContract<Value>('delivery.result.v1', jsonSchema);
