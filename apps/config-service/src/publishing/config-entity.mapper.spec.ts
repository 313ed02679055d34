import { ConfigEntityV1 } from '@snaptrack/contracts-events';
import type { PixelEntity } from '../pixel/pixel.entity';
import type { OfferEntity } from '../offer/offer.entity';
import {
  conversionTypeEvent,
  deletedEvent,
  offerEvent,
  offerSourceEvent,
  pixelEvent,
  trackingDomainEvent,
  trafficChannelEvent,
} from './config-entity.mapper';

const base = {
  id: '11111111-1111-4111-8111-111111111111',
  accountId: 'acc',
  version: 3,
  createdAt: new Date('2026-01-01T00:00:00Z'),
  updatedAt: new Date('2026-01-02T03:04:05.678Z'),
};

describe('config.entity.v1 mappers', () => {
  it('produce contract-valid values keyed <entity_type>:<id> with the row version', () => {
    const values = [
      trafficChannelEvent({
        ...base,
        name: 'Snapchat',
        templateKey: 'snapchat',
        clickIdParam: 'ScCid',
        parameters: [{ name: 'sub1', value: '{{ad.id}}' }],
      }),
      conversionTypeEvent({ ...base, name: 'Purchase', duplicatePolicy: 'ignore_same_event_id', isDefault: true }),
      offerSourceEvent({
        ...base,
        name: 'Net',
        clickIdParam: 'clickid',
        payoutParam: 'sum',
        typeParam: 'type',
        eventIdParam: 'eventid',
        currencyParam: 'currency',
        additionalParams: [{ param: 'em', role: 'email' }],
        postbackTokenSha256: null,
        postbackTokenHint: null,
        previousPostbackTokenSha256: null,
        previousPostbackTokenExpiresAt: null,
        acceptUnsignedPostbacks: true,
        clickExpirationDays: 30,
        defaultCurrency: 'USD',
        defaultPhoneCountry: 'US',
      }),
      offerEvent({
        ...base,
        name: 'Offer',
        url: 'https://o.example.com/?c={clickid}',
        offerSourceId: base.id,
        kind: 'OFFER' satisfies OfferEntity['kind'],
        domain: null,
        allowedOrigins: [],
        conversionSecretSha256: null,
        conversionSecretHint: null,
      }),
      trackingDomainEvent({
        ...base,
        hostname: 'trk.example.com',
        isDefault: true,
        verificationToken: 'tok',
        verificationStatus: 'VERIFIED',
        verifiedAt: base.updatedAt,
      }),
    ];
    for (const v of values) {
      expect(ConfigEntityV1.contract.assert(v)).toBe(v);
      expect(v).toMatchObject({
        id: base.id,
        account_id: 'acc',
        version: 3,
        deleted: false,
        updated_at: '2026-01-02T03:04:05.678Z',
      });
    }
    expect(values[4].data).toEqual({ hostname: 'trk.example.com', is_default: true, verified: true });
    expect(values[2].data).toMatchObject({
      params: { click_id: 'clickid', payout: 'sum', type: 'type', event_id: 'eventid', currency: 'currency' },
      roles: [{ param: 'em', role: 'email' }],
      previous_postback_token_sha256: null,
      previous_postback_token_expires_at: null,
      accept_unsigned_postbacks: true,
    });
  });

  it('carries a pixel token only as ciphertext and the mapping keyed by conversion type id', () => {
    const pixel: PixelEntity = {
      ...base,
      pixelId: '22222222-2222-4222-8222-222222222222',
      placementKind: 'offer',
      trafficChannelId: null,
      offerId: '33333333-3333-4333-8333-333333333333',
      tokenKeyId: 'k1',
      tokenCiphertext: 'CIPHERTEXT',
      tokenHint: '****abcd',
      testMode: true,
      limitedDataUse: false,
    };
    const v = pixelEvent(pixel, [
      { conversionTypeId: 'b', snapEventName: 'SIGN_UP' },
      { conversionTypeId: 'a', snapEventName: 'PURCHASE' },
    ]);
    ConfigEntityV1.contract.assert(v);
    expect(v.data).toEqual({
      pixel_id: pixel.pixelId,
      placement: { kind: 'offer', offer_id: pixel.offerId },
      token: { key_id: 'k1', ciphertext: 'CIPHERTEXT' },
      test_mode: true,
      limited_data_use: false,
      event_mapping: { a: 'PURCHASE', b: 'SIGN_UP' },
    });
    expect(JSON.stringify(v)).not.toContain('****abcd');
    expect(pixelEvent({ ...pixel, tokenKeyId: null, tokenCiphertext: null }, []).data).toMatchObject({
      token: null,
      event_mapping: {},
    });
  });

  it('publishes a deletion as the next version with no data', () => {
    const v = deletedEvent('offer', base);
    expect(ConfigEntityV1.contract.assert(v)).toMatchObject({
      entity_type: 'offer',
      version: 4,
      deleted: true,
      data: null,
    });
    expect(ConfigEntityV1.keyOf(v)).toBe(`offer:${base.id}`);
  });
});
