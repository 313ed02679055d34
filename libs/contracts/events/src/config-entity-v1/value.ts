import { isoTimeSchema } from '../common/snap-event-names';
import { defineContract } from '../validator';

/**
 * Latest state of one configuration entity (event-carried state transfer on a compacted topic).
 * Key: `<entity_type>:<id>`. A consumer keeps, per key, the value with the highest `version`; `deleted: true`
 * removes the entity from its view. Access tokens never travel here in clear: pixels carry the AES-256-GCM
 * ciphertext, decryptable only by services holding TOKEN_ENCRYPTION_KEYS.
 */
export type EntityType = 'traffic_channel' | 'conversion_type' | 'pixel' | 'offer_source' | 'offer' | 'tracking_domain';

export interface TrafficChannelData {
  name: string;
  template: string; // 'snapchat' | 'custom'
  click_id_param: string | null;
  parameters: Array<{ name: string; value: string }>;
}
export interface ConversionTypeData {
  name: string;
  duplicate_policy: 'create' | 'ignore_same_click' | 'ignore_same_event_id';
  is_default: boolean;
}
export interface PixelData {
  /** Snapchat pixel id (UUID). Several placements may name the same pixel id; deliveries are distinct by it. */
  pixel_id: string;
  placement: { kind: 'channel'; traffic_channel_id: string } | { kind: 'offer'; offer_id: string };
  /**
   * The Snap access token, AES-256-GCM encrypted (util-crypto `TokenCipher`, format base64url(iv|tag|data)) under the
   * key `key_id` of TOKEN_ENCRYPTION_KEYS. AAD = the pixel entity's `id` (the placement id, `Value.id`, NOT
   * `data.pixel_id`): decrypt with `new TokenCipher(keys).decrypt(data.token, pixelTokenAad(value))`. Null while the
   * user has saved no token (such a pixel cannot be delivered to). A key rotation re-publishes the pixel with the
   * new `key_id` and a higher `version`.
   */
  token: { key_id: string; ciphertext: string } | null;
  test_mode: boolean;
  limited_data_use: boolean;
  /** conversion_type_id → Snapchat event name. */
  event_mapping: Record<string, string>;
  /**
   * Set on the version saved with `PixelInput.backfillDays` > 0 (1–37): the owner asked for the conversions of the
   * placement's channel or offer from the last `backfill_days` days to be delivered to this pixel too. A dispatcher
   * applying that version delivers them (once per conversion and pixel). Absent or null (every other version,
   * republished ones included) asks for nothing.
   */
  backfill_days?: number | null;
}
export interface OfferSourceData {
  name: string;
  params: { click_id: string; payout: string; type: string; event_id: string; currency: string };
  /** Additional postback parameters with their role. */
  roles: Array<{ param: string; role: string }>;
  /**
   * Lowercase hex SHA-256 of the offer source's postback secret (formerly "postback token"), or null when it has
   * none. Postback URLs carry the secret as the `secret` query parameter (`token` is still read, for URLs made
   * before 2026-12-07); a postback is accepted when sha256(secret) equals this value (or the previous one below,
   * within its overlap).
   */
  postback_token_sha256: string | null;
  /**
   * Added 2026-12-07. Lowercase hex SHA-256 of the postback secret that was current before the last rotation, still
   * accepted until `previous_postback_token_expires_at`. Absent or null: there is none.
   */
  previous_postback_token_sha256?: string | null;
  /** Added 2026-12-07. ISO 8601 instant after which the previous secret is refused. Absent or null: not accepted. */
  previous_postback_token_expires_at?: string | null;
  /**
   * Added 2026-12-07. `true`: a postback without a secret is accepted (the owner opted out; a wrong secret is still
   * refused). `false`: every postback must carry a secret matching one of the hashes above. Absent or null (entities
   * published before the field): `postback_token_sha256 === null`, the earlier meaning.
   */
  accept_unsigned_postbacks?: boolean | null;
  click_expiration_days: number;
  default_currency: string;
  default_phone_country: string | null;
}
export interface OfferData {
  name: string;
  url: string;
  offer_source_id: string;
  /**
   * Added 2026-12-07. `website`: the advertiser's own site (campaigns send traffic to it directly; conversions come
   * from its pages through /track.js or from its backend with the website secret). `offer` (or absent / null, entities
   * published before the field): an offer reached through a network, whose conversions arrive as postbacks.
   */
  kind?: 'offer' | 'website' | null;
  /** Added 2026-12-07. Website only: its hostname (lowercase, from `url`). */
  domain?: string | null;
  /**
   * Added 2026-12-07. Website only: the origins (`https://shop.example.com`) whose pages may report conversions from
   * the browser (`POST /conversions/browser`, checked against the `Origin` header). Absent or empty: none.
   */
  allowed_origins?: string[] | null;
  /**
   * Added 2026-12-07. Website only: lowercase hex SHA-256 of the website's conversion secret, which a shop backend
   * presents to `POST /conversions`. Absent or null: server-to-server conversions are refused.
   */
  conversion_secret_sha256?: string | null;
}
export interface TrackingDomainData {
  hostname: string;
  is_default: boolean;
  /**
   * Added 2026-12-07. `true` once the account proved it controls the hostname (DNS TXT record, or a loopback name
   * in development). Absent or null means not verified: consumers must serve no click or postback on that host.
   */
  verified?: boolean | null;
}

export interface DataByType {
  traffic_channel: TrafficChannelData;
  conversion_type: ConversionTypeData;
  pixel: PixelData;
  offer_source: OfferSourceData;
  offer: OfferData;
  tracking_domain: TrackingDomainData;
}

export type Value = {
  [T in EntityType]: {
    schema: 'config.entity.v1';
    entity_type: T;
    id: string;
    account_id: string;
    version: number;
    deleted: boolean;
    updated_at: string;
    data: DataByType[T] | null;
  };
}[EntityType];

export const jsonSchema = {
  $id: 'config.entity.v1',
  type: 'object',
  required: ['schema', 'entity_type', 'id', 'account_id', 'version', 'deleted', 'updated_at', 'data'],
  properties: {
    schema: { const: 'config.entity.v1' },
    entity_type: { enum: ['traffic_channel', 'conversion_type', 'pixel', 'offer_source', 'offer', 'tracking_domain'] },
    id: { type: 'string', minLength: 1 },
    account_id: { type: 'string', minLength: 1 },
    version: { type: 'integer', minimum: 0 },
    deleted: { type: 'boolean' },
    updated_at: isoTimeSchema,
    data: { anyOf: [{ type: 'object' }, { type: 'null' }] },
  },
} as const;

export const contract = defineContract<Value>('config.entity.v1', jsonSchema);
export const keyOf = (v: Pick<Value, 'entity_type' | 'id'>): string => `${v.entity_type}:${v.id}`;

/**
 * The AAD a pixel's token ciphertext is bound to: the pixel entity's id (its placement id). Binding to the row id
 * means a ciphertext copied onto another placement does not decrypt, and changing a placement's Snap pixel id needs
 * no re-encryption.
 */
export const pixelTokenAad = (v: Pick<Value, 'id'>): string => v.id;
