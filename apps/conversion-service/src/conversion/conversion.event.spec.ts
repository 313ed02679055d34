import { ConversionCreatedV1 } from '@snaptrack/contracts-events';
import { ClickView } from '../click/click.entity';
import { Conversion } from './conversion.entity';
import { ConversionService } from './conversion.service';
import { toConversionCreatedV1 } from './conversion.event';
import { deriveConversionEventId } from '@snaptrack/util-pii';

const conversion = (over: Partial<Conversion> = {}): Conversion =>
  Object.assign(new Conversion(), {
    id: '3b0f0d5e-6a0b-4a53-9a43-7e7c0f6b2d11',
    accountId: 'acc-1',
    eventId: 'ord-1',
    status: 'attributed',
    conversionTypeId: 'ct-1',
    type: 'Purchase',
    duplicatePolicy: 'create',
    dedupKey: null,
    payout: '49.90000000',
    currency: 'EUR',
    transactionId: 'ord-1',
    occurredAt: new Date('2026-01-01T10:00:00Z'),
    receivedAt: new Date('2026-01-01T10:00:00Z'),
    clickId: 'clk12345678',
    clickedAt: new Date('2026-01-01T09:00:00Z'),
    campaignId: 'cmp-1',
    trafficChannelId: 'tc-1',
    trafficChannelTemplate: 'snapchat',
    offerId: 'off-1',
    offerSourceId: 'os-1',
    userData: { em: 'a'.repeat(64) },
    prehashed: [],
    pendingId: null,
    createdAt: new Date(),
    ...over,
  });
const click = Object.assign(new ClickView(), {
  clickId: 'clk12345678',
  accountId: 'acc-1',
  campaignId: 'cmp-1',
  trafficChannelId: 'tc-1',
  trafficChannelTemplate: 'snapchat',
  offerId: 'off-1',
  offerSourceId: 'os-1',
  trackingMethod: 'direct',
  scClickId: 'sc',
  ip: '203.0.113.7',
  userAgent: 'UA',
  referrer: null,
  landingUrl: 'https://x.example/l',
  params: { sub1: 'a' },
  clickedAt: new Date('2026-01-01T09:00:00Z'),
  recordedAt: new Date(),
});

describe('toConversionCreatedV1', () => {
  it('builds a contract-valid attributed event with payout as a number', () => {
    const ev = toConversionCreatedV1(conversion(), click);
    expect(() => ConversionCreatedV1.contract.assert(ev)).not.toThrow();
    expect(ev).toMatchObject({
      payout: 49.9,
      attribution: { campaign_id: 'cmp-1', offer_source_id: 'os-1' },
      click: { sc_click_id: 'sc', clicked_at: '2026-01-01T09:00:00.000Z', params: { sub1: 'a' } },
    });
  });
  it('builds an unattributed event with no attribution and no click', () => {
    const ev = toConversionCreatedV1(
      conversion({ status: 'unattributed', payout: null, currency: null, offerSourceId: null }),
      null,
    );
    expect(ev).toMatchObject({
      status: 'unattributed',
      attribution: null,
      click: null,
      payout: null,
      postback_click_id: 'clk12345678',
    });
  });
  it("marks the postback's own event id as explicit and our derived one as not", () => {
    expect(toConversionCreatedV1(conversion(), click).explicit_event_id).toBe(true);
    const derived = deriveConversionEventId({
      transactionId: 'ord-1',
      clickId: 'clk12345678',
      conversionType: 'Purchase',
      conversionId: '3b0f0d5e-6a0b-4a53-9a43-7e7c0f6b2d11',
    });
    expect(toConversionCreatedV1(conversion({ eventId: derived }), click).explicit_event_id).toBe(false);
    const noTx = deriveConversionEventId({
      transactionId: null,
      clickId: 'clk12345678',
      conversionType: 'Purchase',
      conversionId: '3b0f0d5e-6a0b-4a53-9a43-7e7c0f6b2d11',
    });
    expect(toConversionCreatedV1(conversion({ eventId: noTx, transactionId: null }), click).explicit_event_id).toBe(
      false,
    );
  });
  it('refuses anything that is not a hash in user_data', () => {
    expect(() => toConversionCreatedV1(conversion({ userData: { em: 'person@example.com' } }), click)).toThrow(
      /pattern/,
    );
  });
});

describe('ConversionService.dedupKey', () => {
  const type = (duplicate_policy: 'create' | 'ignore_same_click' | 'ignore_same_event_id') => ({
    id: 'ct',
    name: 'T',
    duplicate_policy,
  });
  it.each([
    ['create', { clickId: 'c', explicitEventId: 'e', transactionId: 't' }, null],
    ['ignore_same_click', { clickId: 'c', explicitEventId: null, transactionId: null }, 'ct|click:c'],
    ['ignore_same_event_id', { clickId: 'c', explicitEventId: 'e', transactionId: 't' }, 'ct|event:e'],
    ['ignore_same_event_id', { clickId: 'c', explicitEventId: null, transactionId: 't' }, 'ct|event:t'],
    ['ignore_same_event_id', { clickId: 'c', explicitEventId: null, transactionId: null }, null],
  ] as const)('%s %j → %s', (policy, d, key) => {
    expect(ConversionService.dedupKey({ conversionType: type(policy), ...d })).toBe(key);
  });
});
