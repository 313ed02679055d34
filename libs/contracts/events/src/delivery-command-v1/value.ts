import { isoTimeSchema } from '../common/snap-event-names';
import { defineContract } from '../validator';

/** The destination of Snap's dispatcher: the `destination` of its delivery.result.v1 messages, and of commands. */
export const SNAPCHAT_CAPI_DESTINATION = 'snapchat-capi';
/** A destination name: stable, lowercase letters, digits and hyphens (`snapchat-capi`, `tiktok-events`). */
export const DESTINATION_PATTERN = '^[a-z0-9][a-z0-9-]{0,63}$';

/**
 * Requests to destination dispatchers. Key: account_id.
 * - redeliver: resend the failed deliveries of these conversions (optionally one pixel) with the current configuration.
 * - backfill: deliver to a newly configured pixel the conversions of its channel/offer from the last `since_days`.
 * `destination` (optional, added in place) names the one dispatcher that acts on it; absent or null means
 * `snapchat-capi` (every command published before the field existed was meant for Snap's dispatcher).
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
      destination?: string | null;
    }
  | {
      schema: 'delivery.command.v1';
      command_id: string;
      account_id: string;
      kind: 'backfill';
      pixel_config_id: string;
      since_days: number;
      requested_at: string;
      destination?: string | null;
    };

/** The dispatcher a command is for: its `destination`, or `snapchat-capi` when absent or null. */
export function destinationOf(cmd: Pick<Value, 'destination'>): string {
  return cmd.destination ?? SNAPCHAT_CAPI_DESTINATION;
}

/** Whether the dispatcher named `destination` acts on `cmd`; every other dispatcher ignores it. */
export function isFor(cmd: Pick<Value, 'destination'>, destination: string): boolean {
  return destinationOf(cmd) === destination;
}

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
    destination: { anyOf: [{ type: 'string', pattern: DESTINATION_PATTERN }, { type: 'null' }] },
  },
  oneOf: [
    { properties: { kind: { const: 'redeliver' } }, required: ['conversion_ids'] },
    { properties: { kind: { const: 'backfill' } }, required: ['pixel_config_id', 'since_days'] },
  ],
} as const;

export const contract = defineContract<Value>('delivery.command.v1', jsonSchema);
