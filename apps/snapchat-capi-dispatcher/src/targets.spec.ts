import { placementNote, targetsFor, type ConversionRef, type PixelPlacement } from './targets';

const P1 = '11111111-1111-4111-8111-111111111111';
const P2 = '22222222-2222-4222-8222-222222222222';
const P3 = '33333333-3333-4333-8333-333333333333';

function px(
  configId: string,
  pixelId: string,
  placement: PixelPlacement['placement'],
  mapping: Record<string, string> = { ct_lead: 'SIGN_UP' },
  accountId = 'acc',
): PixelPlacement {
  return {
    configId,
    accountId,
    pixelId,
    placement,
    token: { key_id: 'k1', ciphertext: configId },
    testMode: false,
    limitedDataUse: false,
    eventMapping: mapping,
  };
}
const channel = (id: string) => ({ kind: 'channel' as const, trafficChannelId: id });
const offer = (id: string) => ({ kind: 'offer' as const, offerId: id });
const conv = (over: Partial<ConversionRef> = {}): ConversionRef => ({
  accountId: 'acc',
  trafficChannelId: 'tc_snap',
  offerId: 'of_1',
  conversionTypeId: 'ct_lead',
  ...over,
});

describe('targetsFor', () => {
  it("channel pixels receive only their channel's conversions", () => {
    const pixels = [px('a', P1, channel('tc_snap'))];
    expect(targetsFor(conv(), pixels).map((t) => t.pixelId)).toEqual([P1]);
    expect(targetsFor(conv({ trafficChannelId: 'tc_custom' }), pixels)).toEqual([]);
  });

  it("offer pixels receive the offer's conversions from every channel", () => {
    const pixels = [px('a', P1, offer('of_1')), px('b', P2, offer('of_1'))];
    for (const ch of ['tc_snap', 'tc_custom', 'tc_other']) {
      expect(targetsFor(conv({ trafficChannelId: ch }), pixels).map((t) => [t.pixelId, t.placements])).toEqual([
        [P1, ['offer']],
        [P2, ['offer']],
      ]);
    }
  });

  it('channel pixels + offer pixels together, sorted by pixel id', () => {
    const pixels = [px('c', P3, offer('of_1')), px('a', P1, channel('tc_snap')), px('x', P2, offer('of_2'))];
    expect(targetsFor(conv(), pixels).map((t) => t.pixelId)).toEqual([P1, P3]);
  });

  it('the same pixel on both levels is one target recording both placements (case-insensitive pixel id)', () => {
    const pixels = [px('o', P1.toUpperCase(), offer('of_1')), px('c', ` ${P1} `, channel('tc_snap'))];
    const t = targetsFor(conv(), pixels);
    expect(t).toHaveLength(1);
    expect(t[0]).toMatchObject({ pixelId: P1, placements: ['channel', 'offer'], eventName: 'SIGN_UP' });
    expect(t[0]!.primary.configId).toBe('c');
    expect(placementNote(t[0]!)).toMatch(/both the traffic channel and the offer/);
  });

  it('the same pixel twice on the offer is still one target', () => {
    const t = targetsFor(conv(), [px('b', P1, offer('of_1')), px('a', P1, offer('of_1'))]);
    expect(t).toHaveLength(1);
    expect(t[0]).toMatchObject({ placements: ['offer'] });
    expect(t[0]!.primary.configId).toBe('a');
    expect(placementNote(t[0]!)).toBeNull();
  });

  it('prefers the placement that maps the conversion type', () => {
    const t = targetsFor(conv(), [
      px('c', P1, channel('tc_snap'), {}),
      px('o', P1, offer('of_1'), { ct_lead: 'PURCHASE' }),
    ]);
    expect(t[0]).toMatchObject({ eventName: 'PURCHASE', placements: ['channel', 'offer'] });
    expect(t[0]!.primary.configId).toBe('o');
  });

  it('unmapped type → a target with eventName null (skipped: no_mapping)', () => {
    expect(targetsFor(conv({ conversionTypeId: 'ct_other' }), [px('a', P1, offer('of_1'))])[0]!.eventName).toBeNull();
    expect(targetsFor(conv({ conversionTypeId: null }), [px('a', P1, offer('of_1'))])[0]!.eventName).toBeNull();
    expect(targetsFor(conv(), [px('a', P1, offer('of_1'), { ct_lead: '  ' })])[0]!.eventName).toBeNull();
  });

  it("never targets another account's pixels", () => {
    expect(targetsFor(conv(), [px('a', P1, offer('of_1'), undefined, 'other-acc')])).toEqual([]);
  });

  it('a conversion without attribution has no targets', () => {
    expect(
      targetsFor(conv({ trafficChannelId: null, offerId: null }), [
        px('a', P1, offer('of_1')),
        px('b', P2, channel('tc_snap')),
      ]),
    ).toEqual([]);
  });
});
