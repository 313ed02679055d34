import { TOPICS, type ConfigEntityV1 } from '@snaptrack/contracts-events';
import { conversion, newPixel, pixelEntity } from './factories';
import { sandboxCounts, startHarness, type Harness } from './harness';

const DAY = 24 * 3600 * 1000;

/**
 * PixelInput.backfillDays: config-service publishes the pixel version saved with it carrying `backfill_days`, and the
 * dispatcher applying that version delivers the placement's conversions of the last n days to the pixel, once each
 * (the same rows the `backfill` command makes). Other versions ask for nothing.
 */
describe('a pixel placement saved with backfill_days', () => {
  const acc = 'acc_backfill_days';
  const mapping = { ct_lead: 'SIGN_UP' };
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ config: { rateLimitPerToken: 0 } });
    await h.start();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('delivers the conversions of the last n days once; older ones only when a later save asks for more', async () => {
    const p = newPixel();
    h.sandbox.registerPixel(p.pixelId, p.token);
    const offerId = `of_bf_${p.pixelId.slice(0, 8)}`;
    // Stored well before the placement existed (beyond the re-targeting clock-skew margin): 2, 10 and 40 days old.
    const aged = (days: number) => ({
      ...conversion({ accountId: acc, channelId: 'tc_custom', offerId, occurredAt: new Date(Date.now() - days * DAY) }),
      received_at: new Date(Date.now() - days * DAY).toISOString(),
    });
    const recent = aged(2);
    const older = aged(10);
    const tooOld = aged(40);
    const otherOffer = {
      ...conversion({ accountId: acc, channelId: 'tc_custom', offerId: `${offerId}_x` }),
      received_at: new Date(Date.now() - 2 * DAY).toISOString(),
    };
    const ids = [recent, older, tooOld, otherOffer].map((c) => c.conversion_id);
    await h.publishConversions([recent, older, tooOld, otherOffer]);
    await h.waitForConsumed(TOPICS.conversionCreatedV1);

    const entity = pixelEntity({
      accountId: acc,
      pixelId: p.pixelId,
      token: p.token,
      placement: { kind: 'offer', offer_id: offerId },
      mapping,
    });
    const withBackfill = (version: number, days: number | undefined): ConfigEntityV1.Value =>
      ({
        ...entity,
        version,
        data: { ...(entity.data as ConfigEntityV1.PixelData), ...(days === undefined ? {} : { backfill_days: days }) },
      }) as ConfigEntityV1.Value;
    // Saved with backfillDays 5: the 2-day-old conversion is delivered, the 10-day-old one is not.
    await h.applyConfig(withBackfill(entity.version, 5));
    await h.waitForLedger('the 2-day-old conversion delivered', (r) =>
      r.some((x) => x.conversion_id === recent.conversion_id && x.status === 'delivered'),
    );
    const rowsOf = async () =>
      (await h.ledger('conversion_id = ANY($1::uuid[])', [ids])).map((r) => `${r.conversion_id}:${r.status}`).sort();
    expect(await rowsOf()).toEqual([`${recent.conversion_id}:delivered`]);

    // A later version without backfill_days (e.g. a token change) re-targets nothing older.
    await h.applyConfig(withBackfill(entity.version + 1000, undefined));
    await new Promise((r) => setTimeout(r, 1000));
    expect(await rowsOf()).toEqual([`${recent.conversion_id}:delivered`]);

    // Saved again with backfillDays 37: the 10-day-old one now too; the recent one is not sent again, the 40-day-old
    // one is beyond Snapchat's limit and the other offer's conversion is not this placement's.
    await h.applyConfig(withBackfill(entity.version + 2000, 37));
    await h.waitForLedger('the 10-day-old conversion delivered', (r) =>
      r.some((x) => x.conversion_id === older.conversion_id && x.status === 'delivered'),
    );
    expect(await rowsOf()).toEqual([`${recent.conversion_id}:delivered`, `${older.conversion_id}:delivered`].sort());
    expect(sandboxCounts(h.sandbox, p.pixelId)).toMatchObject({ accepted: 2, duplicates: 0 });
  });
});
