/* Test data for this app only: config entities and conversion/command messages shaped like the contracts. */
import { randomUUID } from 'node:crypto';
import { ConfigEntityV1, ConversionCreatedV1, DeliveryCommandV1 } from '@snaptrack/contracts-events';
import { TokenCipher } from '@snaptrack/util-crypto';
import { deriveConversionEventId } from '@snaptrack/util-pii';
import { TEST_TOKEN_KEYS } from '@snaptrack/util-testing';

export const cipher = new TokenCipher(TEST_TOKEN_KEYS);

/** Snap test vectors (docs/snap-capi.md "Test vectors"): sha256 of the normalised values. */
export const VECTORS = {
  email: '542d240129883c019e106e3b1b2d3f3cb3537c43c425364de8e951d5a3083345',
  phone: 'dc008fda46e2e64002cf2f82a4906236282d431c4f75e5b60bfe79fc48546383',
  firstName: '96d9632f363564cc3032521409cf22a852f2032eec099ed5967c0d000cec607a',
  firstNameUtf8: 'e74bb89e718fe1e19c422a48382870399f8bf7ca8dfa008739e75b0be76627b7',
  state: '6959097001d10501ac7d54c0bdb8db61420f658f2922cc26e46d536119a31126',
  zip: 'e7042ac7d09c7bc41c8cfa5749e41858f6980643bc0db1a83cc793d3e24d3f77',
  countryGb: '0b407281768f0e833afef47ed464b6571d01ca4d53c12ce5c51d1462f4ad6677',
} as const;

export const UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) ' +
  'Version/17.4 Mobile/15E148 Safari/604.1';

let version = 1;
const nextVersion = () => version++;

export interface PixelSpec {
  id?: string;
  accountId: string;
  pixelId: string;
  placement: { kind: 'channel'; traffic_channel_id: string } | { kind: 'offer'; offer_id: string };
  /** Plain token; encrypted here the way config-service does (AAD = the placement entity id). */
  token?: string | null;
  testMode?: boolean;
  limitedDataUse?: boolean;
  mapping?: Record<string, string>;
  version?: number;
  deleted?: boolean;
}

export function pixelEntity(spec: PixelSpec): ConfigEntityV1.Value {
  const id = spec.id ?? `px_${randomUUID()}`;
  const value = {
    schema: 'config.entity.v1' as const,
    entity_type: 'pixel' as const,
    id,
    account_id: spec.accountId,
    version: spec.version ?? nextVersion(),
    deleted: spec.deleted ?? false,
    updated_at: new Date().toISOString(),
    data: {
      pixel_id: spec.pixelId,
      placement: spec.placement,
      token:
        spec.token === null
          ? null
          : cipher.encrypt(spec.token ?? 'token-default', ConfigEntityV1.pixelTokenAad({ id })),
      test_mode: spec.testMode ?? false,
      limited_data_use: spec.limitedDataUse ?? false,
      event_mapping: spec.mapping ?? {},
    },
  };
  return ConfigEntityV1.contract.assert(value);
}

/** The pixel `prev` (built from `spec`) saved again: same id, a later version, `changes` applied (e.g. a new token). */
export function pixelResaved(
  prev: ConfigEntityV1.Value,
  spec: PixelSpec,
  changes: Partial<PixelSpec> = {},
): ConfigEntityV1.Value {
  return pixelEntity({ ...spec, ...changes, id: prev.id, version: prev.version + 1000 });
}

export function offerEntity(spec: {
  id: string;
  accountId: string;
  url?: string;
  offerSourceId?: string;
}): ConfigEntityV1.Value {
  return ConfigEntityV1.contract.assert({
    schema: 'config.entity.v1',
    entity_type: 'offer',
    id: spec.id,
    account_id: spec.accountId,
    version: nextVersion(),
    deleted: false,
    updated_at: new Date().toISOString(),
    data: {
      name: `Offer ${spec.id}`,
      url: spec.url ?? 'https://shop.example.com/offer?clickid={clickid}',
      offer_source_id: spec.offerSourceId ?? 'os_1',
    },
  });
}

export function offerSourceEntity(spec: {
  id: string;
  accountId: string;
  defaultCurrency?: string;
}): ConfigEntityV1.Value {
  return ConfigEntityV1.contract.assert({
    schema: 'config.entity.v1',
    entity_type: 'offer_source',
    id: spec.id,
    account_id: spec.accountId,
    version: nextVersion(),
    deleted: false,
    updated_at: new Date().toISOString(),
    data: {
      name: 'Network',
      params: { click_id: 'clickid', payout: 'payout', type: 'type', event_id: 'event_id', currency: 'currency' },
      roles: [],
      postback_token_sha256: null,
      click_expiration_days: 30,
      default_currency: spec.defaultCurrency ?? 'USD',
      default_phone_country: null,
    },
  });
}

export function trafficChannelEntity(spec: {
  id: string;
  accountId: string;
  template: 'snapchat' | 'custom';
}): ConfigEntityV1.Value {
  return ConfigEntityV1.contract.assert({
    schema: 'config.entity.v1',
    entity_type: 'traffic_channel',
    id: spec.id,
    account_id: spec.accountId,
    version: nextVersion(),
    deleted: false,
    updated_at: new Date().toISOString(),
    data: {
      name: spec.template === 'snapchat' ? 'Snapchat' : 'Custom',
      template: spec.template,
      click_id_param: spec.template === 'snapchat' ? 'ScCid' : null,
      parameters: [],
    },
  });
}

export interface ConversionSpec {
  accountId: string;
  channelId?: string;
  channelTemplate?: string;
  offerId?: string;
  typeId?: string | null;
  type?: string;
  status?: ConversionCreatedV1.ConversionStatus;
  occurredAt?: Date;
  payout?: number | null;
  currency?: string | null;
  transactionId?: string | null;
  /**
   * An explicit event id (as a postback's `eventid`); default `ev-<conversion id>` (origin unknown to the dispatcher).
   */
  eventId?: string;
  /** The event id conversion-service derives (sha256(postback_click_id|type|transaction_id ?? conversion_id)). */
  derivedEventId?: boolean;
  /** conversion.created.v1 `explicit_event_id`; left out when undefined. */
  explicitEventId?: boolean | null;
  postbackClickId?: string | null;
  userData?: ConversionCreatedV1.Value['user_data'];
  ip?: string | null;
  userAgent?: string | null;
  landingUrl?: string | null;
  scClickId?: string | null;
  noClick?: boolean;
}

export function conversion(spec: ConversionSpec): ConversionCreatedV1.Value {
  const conversionId = randomUUID();
  const status = spec.status ?? 'attributed';
  const occurred = spec.occurredAt ?? new Date(Date.now() - 60_000);
  const value: ConversionCreatedV1.Value = {
    schema: 'conversion.created.v1',
    conversion_id: conversionId,
    event_id: spec.eventId ?? `ev-${conversionId}`,
    account_id: spec.accountId,
    status,
    conversion_type_id: spec.typeId === undefined ? 'ct_lead' : spec.typeId,
    type: spec.type ?? 'lead',
    payout: spec.payout === undefined ? 12.5 : spec.payout,
    currency: spec.currency === undefined ? 'USD' : spec.currency,
    transaction_id: spec.transactionId === undefined ? `tx-${conversionId.slice(0, 8)}` : spec.transactionId,
    occurred_at: occurred.toISOString(),
    received_at: new Date().toISOString(),
    attribution:
      status === 'attributed'
        ? {
            campaign_id: 'cmp_1',
            traffic_channel_id: spec.channelId ?? 'tc_snap',
            traffic_channel_template: spec.channelTemplate ?? 'snapchat',
            offer_id: spec.offerId ?? 'of_1',
            offer_source_id: 'os_1',
          }
        : null,
    click: spec.noClick
      ? null
      : {
          click_id: `clk${conversionId.replace(/-/g, '').slice(0, 16)}`,
          clicked_at: new Date(occurred.getTime() - 3600_000).toISOString(),
          sc_click_id: spec.scClickId === undefined ? '7b3a7917-a82a-47e8-9728-e1b3b045abb2' : spec.scClickId,
          ip: spec.ip === undefined ? '203.0.113.7' : spec.ip,
          user_agent: spec.userAgent === undefined ? UA : spec.userAgent,
          landing_url:
            spec.landingUrl === undefined
              ? 'https://shop.example.com/landing?ScCid=7b3a7917&utm_source=snap'
              : spec.landingUrl,
          params: {},
        },
    postback_click_id: spec.postbackClickId ?? null,
    user_data: spec.userData ?? { em: VECTORS.email },
    prehashed: [],
    ...(spec.explicitEventId !== undefined ? { explicit_event_id: spec.explicitEventId } : {}),
  };
  if (spec.derivedEventId) {
    value.event_id = deriveConversionEventId({
      clickId: value.postback_click_id ?? '',
      conversionType: value.type,
      transactionId: value.transaction_id,
      conversionId,
    });
  }
  return ConversionCreatedV1.contract.assert(value);
}

export function redeliverCommand(spec: {
  accountId: string;
  conversionIds: string[];
  pixelId?: string | null;
  /** Left out when undefined (a command from before the field existed); null is sent as null. */
  destination?: string | null;
}): DeliveryCommandV1.Value {
  return DeliveryCommandV1.contract.assert({
    schema: 'delivery.command.v1',
    command_id: `cmd_${randomUUID()}`,
    account_id: spec.accountId,
    kind: 'redeliver',
    conversion_ids: spec.conversionIds,
    pixel_id: spec.pixelId ?? null,
    requested_at: new Date().toISOString(),
    ...(spec.destination !== undefined ? { destination: spec.destination } : {}),
  });
}

export function backfillCommand(spec: {
  accountId: string;
  pixelConfigId: string;
  sinceDays: number;
  destination?: string | null;
}): DeliveryCommandV1.Value {
  return DeliveryCommandV1.contract.assert({
    schema: 'delivery.command.v1',
    command_id: `cmd_${randomUUID()}`,
    account_id: spec.accountId,
    kind: 'backfill',
    pixel_config_id: spec.pixelConfigId,
    since_days: spec.sinceDays,
    requested_at: new Date().toISOString(),
    ...(spec.destination !== undefined ? { destination: spec.destination } : {}),
  });
}

/** A fresh Snap pixel id (UUID) and token for the sandbox. */
export function newPixel(): { pixelId: string; token: string } {
  return { pixelId: randomUUID(), token: `tok_${randomUUID().replace(/-/g, '')}` };
}
