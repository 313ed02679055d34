import { isoTimeSchema } from '../common/snap-event-names';
import { defineContract } from '../validator';

/**
 * Requests to destination dispatchers. Key: account_id.
 * - redeliver: resend the failed deliveries of these conversions (optionally one pixel) with the current configuration.
 * - backfill: deliver to a newly configured pixel the conversions of its channel/offer from the last `since_days`.
 */
export type Value =
  | {
      schema: 'delivery.command.v1';
      command_id: string;
      account_id: string;
      kind: 'redeliver';
      conversion_ids: string[];
      pixel_id: string | null;
      requested_at: string;
    }
  | {
      schema: 'delivery.command.v1';
      command_id: string;
      account_id: string;
      kind: 'backfill';
      pixel_config_id: string;
      since_days: number;
      requested_at: string;
    };

export const jsonSchema = {
  $id: 'delivery.command.v1',
  type: 'object',
  required: ['schema', 'command_id', 'account_id', 'kind', 'requested_at'],
  properties: {
    schema: { const: 'delivery.command.v1' },
    command_id: { type: 'string' },
    account_id: { type: 'string' },
    kind: { enum: ['redeliver', 'backfill'] },
    conversion_ids: { type: 'array', items: { type: 'string' }, maxItems: 10000 },
    pixel_id: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    pixel_config_id: { type: 'string' },
    since_days: { type: 'integer', minimum: 1, maximum: 37 },
    requested_at: isoTimeSchema,
  },
  oneOf: [
    { properties: { kind: { const: 'redeliver' } }, required: ['conversion_ids'] },
    { properties: { kind: { const: 'backfill' } }, required: ['pixel_config_id', 'since_days'] },
  ],
} as const;

export const contract = defineContract<Value>('delivery.command.v1', jsonSchema);
