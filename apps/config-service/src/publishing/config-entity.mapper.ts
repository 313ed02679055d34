import type { ConfigEntityV1 } from '@snaptrack/contracts-events';
import type { ConversionTypeEntity } from '../conversion-type/conversion-type.entity';
import type { OfferSourceEntity } from '../offer-source/offer-source.entity';
import type { OfferEntity } from '../offer/offer.entity';
import type { PixelEntity, PixelEventMappingEntity } from '../pixel/pixel.entity';
import type { TrackingDomainEntity } from '../tracking-domain/tracking-domain.entity';
import type { TrafficChannelEntity } from '../traffic-channel/traffic-channel.entity';

/** Pure: current database state → the config.entity.v1 value consumers rebuild their view from. */
type Envelope = Pick<ConfigEntityV1.Value, 'id' | 'account_id' | 'version' | 'updated_at'>;
type Row = { id: string; accountId: string; version: number; updatedAt: Date };

function envelope(row: Row): Envelope {
  return { id: row.id, account_id: row.accountId, version: row.version, updated_at: row.updatedAt.toISOString() };
}

function state<T extends ConfigEntityV1.EntityType>(
  type: T,
  row: Row,
  data: ConfigEntityV1.DataByType[T],
): ConfigEntityV1.Value {
  return {
    schema: 'config.entity.v1',
    entity_type: type,
    ...envelope(row),
    deleted: false,
    data,
  } as ConfigEntityV1.Value;
}

/** A deletion: the row's last version + 1, `deleted: true`, `data: null`. */
export function deletedEvent(type: ConfigEntityV1.EntityType, row: Row): ConfigEntityV1.Value {
  return {
    schema: 'config.entity.v1',
    entity_type: type,
    ...envelope({ ...row, version: row.version + 1, updatedAt: new Date() }),
    deleted: true,
    data: null,
  } as ConfigEntityV1.Value;
}

export function trafficChannelEvent(c: TrafficChannelEntity): ConfigEntityV1.Value {
  return state('traffic_channel', c, {
    name: c.name,
    template: c.templateKey,
    click_id_param: c.clickIdParam,
    parameters: c.parameters.map((p) => ({ name: p.name, value: p.value })),
  });
}

export function conversionTypeEvent(t: ConversionTypeEntity): ConfigEntityV1.Value {
  return state('conversion_type', t, { name: t.name, duplicate_policy: t.duplicatePolicy, is_default: t.isDefault });
}

/** The token travels only as ciphertext; see ConfigEntityV1.pixelTokenAad for the AAD a consumer decrypts with. */
/** `backfillDays` > 0 only on the version saved with a backfill request (PixelInput.backfillDays). */
export function pixelEvent(
  p: PixelEntity,
  mapping: Pick<PixelEventMappingEntity, 'conversionTypeId' | 'snapEventName'>[],
  backfillDays?: number,
): ConfigEntityV1.Value {
  const placement: ConfigEntityV1.PixelData['placement'] =
    p.placementKind === 'channel'
      ? { kind: 'channel', traffic_channel_id: p.trafficChannelId! }
      : { kind: 'offer', offer_id: p.offerId! };
  const event_mapping: Record<string, string> = {};
  for (const m of [...mapping].sort((a, b) => a.conversionTypeId.localeCompare(b.conversionTypeId)))
    event_mapping[m.conversionTypeId] = m.snapEventName;
  return state('pixel', p, {
    pixel_id: p.pixelId,
    placement,
    token: p.tokenKeyId && p.tokenCiphertext ? { key_id: p.tokenKeyId, ciphertext: p.tokenCiphertext } : null,
    test_mode: p.testMode,
    limited_data_use: p.limitedDataUse,
    event_mapping,
    ...(backfillDays && backfillDays > 0 ? { backfill_days: backfillDays } : {}),
  });
}

export function offerSourceEvent(s: OfferSourceEntity): ConfigEntityV1.Value {
  return state('offer_source', s, {
    name: s.name,
    params: {
      click_id: s.clickIdParam,
      payout: s.payoutParam,
      type: s.typeParam,
      event_id: s.eventIdParam,
      currency: s.currencyParam,
    },
    roles: s.additionalParams.map((a) => ({ param: a.param, role: a.role })),
    postback_token_sha256: s.postbackTokenSha256,
    previous_postback_token_sha256: s.previousPostbackTokenSha256,
    previous_postback_token_expires_at: s.previousPostbackTokenExpiresAt?.toISOString() ?? null,
    accept_unsigned_postbacks: s.acceptUnsignedPostbacks,
    click_expiration_days: s.clickExpirationDays,
    default_currency: s.defaultCurrency,
    default_phone_country: s.defaultPhoneCountry,
  });
}

export function offerEvent(o: OfferEntity): ConfigEntityV1.Value {
  const data: ConfigEntityV1.OfferData = { name: o.name, url: o.url, offer_source_id: o.offerSourceId };
  // Websites carry their own fields; offers keep the shape they always had.
  if (o.kind === 'WEBSITE')
    Object.assign(data, {
      kind: 'website',
      domain: o.domain,
      allowed_origins: [...(o.allowedOrigins ?? [])],
      conversion_secret_sha256: o.conversionSecretSha256,
    });
  return state('offer', o, data);
}

export function trackingDomainEvent(d: TrackingDomainEntity): ConfigEntityV1.Value {
  return state('tracking_domain', d, {
    hostname: d.hostname,
    is_default: d.isDefault,
    verified: d.verificationStatus === 'VERIFIED',
  });
}
