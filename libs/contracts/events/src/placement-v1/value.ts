import { isoTimeSchema } from '../common/snap-event-names';
import { DESTINATION_PATTERN } from '../delivery-command-v1/value';
import { defineContract } from '../validator';

/**
 * Latest state of one placement of a destination's target (a Snap pixel, a TikTok pixel code, a Meta dataset) on a
 * traffic channel or an offer, for any destination (compacted; event-carried state transfer like config.entity.v1).
 * Key: `placement:<id>`. Keep, per key, the value with the highest `version`; `deleted: true` (with `data: null`)
 * removes the placement. A dispatcher acts only on placements whose `data.destination` is its own name.
 */
export interface PlacementData {
  /** The dispatcher name (`snapchat-capi`, `tiktok`): the vocabulary of delivery.command.v1 and delivery.result.v1. */
  destination: string;
  /** The network's id of what receives events; its format is the destination's rule. Results carry it as `pixel_id`. */
  target_id: string;
  placement: { kind: 'channel'; traffic_channel_id: string } | { kind: 'offer'; offer_id: string };
  /**
   * The credential, AES-256-GCM encrypted (util-crypto `TokenCipher`, base64url(iv|tag|data)) under the key `key_id`
   * of TOKEN_ENCRYPTION_KEYS, with the placement `id` as AAD (`placementCredentialAad`). Null: none saved yet.
   */
  credential: { key_id: string; ciphertext: string } | null;
  test_mode: boolean;
  /** conversion_type_id → the destination's event name (each dispatcher validates its own names). */
  event_mapping: Record<string, string>;
  /** Destination-specific flags, documented per destination (`limited_data_use` for `snapchat-capi`). */
  settings: Record<string, unknown>;
}

export interface Value {
  schema: 'placement.v1';
  id: string;
  account_id: string;
  version: number;
  deleted: boolean;
  updated_at: string;
  data: PlacementData | null;
}

const idSchema = { type: 'string', minLength: 1 } as const;

export const dataSchema = {
  type: 'object',
  required: ['destination', 'target_id', 'placement', 'credential', 'test_mode', 'event_mapping', 'settings'],
  properties: {
    destination: { type: 'string', pattern: DESTINATION_PATTERN },
    target_id: { type: 'string', minLength: 1, maxLength: 256 },
    placement: {
      oneOf: [
        {
          type: 'object',
          required: ['kind', 'traffic_channel_id'],
          properties: { kind: { const: 'channel' }, traffic_channel_id: idSchema },
        },
        {
          type: 'object',
          required: ['kind', 'offer_id'],
          properties: { kind: { const: 'offer' }, offer_id: idSchema },
        },
      ],
    },
    credential: {
      anyOf: [
        {
          type: 'object',
          required: ['key_id', 'ciphertext'],
          properties: { key_id: idSchema, ciphertext: idSchema },
        },
        { type: 'null' },
      ],
    },
    test_mode: { type: 'boolean' },
    event_mapping: { type: 'object', additionalProperties: { type: 'string', minLength: 1 } },
    settings: { type: 'object' },
  },
} as const;

export const jsonSchema = {
  $id: 'placement.v1',
  type: 'object',
  required: ['schema', 'id', 'account_id', 'version', 'deleted', 'updated_at', 'data'],
  properties: {
    schema: { const: 'placement.v1' },
    id: idSchema,
    account_id: idSchema,
    version: { type: 'integer', minimum: 0 },
    deleted: { type: 'boolean' },
    updated_at: isoTimeSchema,
    data: { anyOf: [dataSchema, { type: 'null' }] },
  },
  // A live placement carries its data; a deletion carries none.
  if: { properties: { deleted: { const: false } } },
  then: { properties: { data: { type: 'object' } } },
  else: { properties: { data: { type: 'null' } } },
} as const;

export const contract = defineContract<Value>('placement.v1', jsonSchema);

/** The AAD a placement's credential ciphertext is bound to: the placement `id` (as for config.entity.v1 pixels). */
export const placementCredentialAad = (v: Pick<Value, 'id'>): string => v.id;
