import { TOPICS } from '@snaptrack/contracts-events';
import { conversion, newPixel, pixelEntity, pixelResaved } from './factories';
import { sandboxCounts, startHarness, type Harness } from './harness';

/**
 * The configuration race: a pixel saved on an offer and a conversion posted right after travel on different topics,
 * so the dispatcher may consume the conversion before the placement. Applying a new or changed placement re-targets
 * the stored conversions received since its creation minus RETARGET_CLOCK_SKEW_MS, and the ledger keeps each
 * (conversion, pixel) single. A removed placement's waiting deliveries are skipped when the removal is applied.
 */
describe('configuration race: placements applied after the conversions they concern', () => {
  const acc = 'acc_race';
  const mapping = { ct_lead: 'SIGN_UP' };
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ config: { rateLimitPerToken: 0 } });
    await h.start();
  });
  afterAll(async () => {
    await h?.close();
  });

  const conv = (offerId: string) => conversion({ accountId: acc, channelId: 'tc_custom', offerId });

  it(
    'a conversion consumed before its offer’s new placement reaches the pixel once; an older one does ' + 'not',
    async () => {
      const p = newPixel();
      h.sandbox.registerPixel(p.pixelId, p.token);
      const offerId = `of_race_${p.pixelId.slice(0, 8)}`;
      const c = conv(offerId);
      // Received by conversion-service well before the placement existed (beyond the clock-skew margin).
      const old = {
        ...conv(offerId),
        received_at: new Date(Date.now() - h.config.retargetClockSkewMs - 60_000).toISOString(),
      };
      await h.publishConversions([old, c]);
      await h.waitForConsumed(TOPICS.conversionCreatedV1);
      expect(await h.ledger('conversion_id = ANY($1::uuid[])', [[c.conversion_id, old.conversion_id]])).toEqual([]);

      // The placement is created after the conversion and reaches the dispatcher later, on the config topic.
      const spec = {
        accountId: acc,
        pixelId: p.pixelId,
        token: p.token,
        placement: { kind: 'offer' as const, offer_id: offerId },
        mapping,
      };
      const entity = pixelEntity(spec);
      await h.applyConfig(entity);
      await h.waitForLedger('the earlier conversion delivered to the new pixel', (r) =>
        r.some((x) => x.conversion_id === c.conversion_id && x.status === 'delivered'),
      );

      // A later change of the placement re-targets again: still one row and one event per (conversion, pixel).
      await h.applyConfig(pixelResaved(entity, spec, { mapping: { ...mapping, ct_sale: 'PURCHASE' } }));
      await new Promise((r) => setTimeout(r, 1000));
      const rows = await h.ledger('pixel_id = $1', [p.pixelId.toLowerCase()]);
      expect(rows.map((r) => r.conversion_id)).toEqual([c.conversion_id]);
      expect(rows[0]).toMatchObject({ status: 'delivered', attempts: 1 });
      expect(sandboxCounts(h.sandbox, p.pixelId)).toMatchObject({ accepted: 1, duplicates: 0 });
    },
  );

  it('a pixel saved, then a conversion posted 0-2000 ms later, 50 times: each reaches the pixel once', async () => {
    // 50 rounds spread evenly over 0..2000 ms between saving the pixel and posting the conversion.
    const delays = Array.from({ length: 50 }, (_, i) => Math.round((i * 2000) / 49));
    const runs = await Promise.all(
      delays.map(async (delayMs) => {
        const p = newPixel();
        h.sandbox.registerPixel(p.pixelId, p.token);
        const offerId = `of_race_${p.pixelId.slice(0, 8)}`;
        await h.publishConfig(
          pixelEntity({
            accountId: acc,
            pixelId: p.pixelId,
            token: p.token,
            placement: { kind: 'offer', offer_id: offerId },
            mapping,
          }),
        );
        await new Promise((r) => setTimeout(r, delayMs));
        const c = conv(offerId);
        await h.publishConversions([c]);
        return { p, c };
      }),
    );
    await h.waitForLedger('every conversion delivered to its pixel', (r) =>
      runs.every(({ c }) => r.some((x) => x.conversion_id === c.conversion_id && x.status === 'delivered')),
    );
    expect(runs).toHaveLength(50);
    for (const { p, c } of runs) {
      expect(await h.ledger('conversion_id = $1', [c.conversion_id])).toHaveLength(1);
      expect(sandboxCounts(h.sandbox, p.pixelId)).toMatchObject({ accepted: 1, duplicates: 0 });
    }
  });

  it(
    'a removed placement: its waiting deliveries are skipped when the removal is applied, and later ' +
      'conversions get none',
    async () => {
      const kept = newPixel();
      const removed = newPixel();
      h.sandbox.registerPixel(kept.pixelId, kept.token);
      h.sandbox.registerPixel(removed.pixelId, removed.token);
      const offerId = `of_rm_${removed.pixelId.slice(0, 8)}`;
      const keptEntity = pixelEntity({
        accountId: acc,
        pixelId: kept.pixelId,
        token: kept.token,
        placement: { kind: 'offer', offer_id: offerId },
        mapping,
      });
      const removedEntity = pixelEntity({
        accountId: acc,
        pixelId: removed.pixelId,
        token: removed.token,
        placement: { kind: 'offer', offer_id: offerId },
        mapping,
      });
      await h.applyConfig(keptEntity, removedEntity);

      // A conversion is consumed (rows for both pixels wait), then the removal is applied before anything is sent.
      const before = conv(offerId);
      await h.app!.sender.stop();
      try {
        await h.publishConversions([before]);
        await h.waitForLedger(
          'rows for both pixels',
          (r) => r.filter((x) => x.conversion_id === before.conversion_id).length === 2,
        );
        await h.applyConfig({ ...removedEntity, version: removedEntity.version + 1000, deleted: true, data: null });
        const skipped = await h.waitForLedger('the removed pixel’s row skipped', (r) =>
          r.some((x) => x.conversion_id === before.conversion_id && x.status === 'skipped'),
        );
        expect(skipped.find((x) => x.conversion_id === before.conversion_id && x.status === 'skipped')).toMatchObject({
          pixel_id: removed.pixelId.toLowerCase(),
          reason_code: 'pixel_removed',
        });
      } finally {
        h.app!.sender.start();
      }
      // A conversion received after the removal targets the remaining pixel only.
      const after = conv(offerId);
      await h.publishConversions([after]);
      await h.waitForLedger('both conversions delivered to the kept pixel', (r) =>
        [before, after].every((c) =>
          r.some(
            (x) =>
              x.conversion_id === c.conversion_id &&
              x.pixel_id === kept.pixelId.toLowerCase() &&
              x.status === 'delivered',
          ),
        ),
      );
      expect(await h.ledger('conversion_id = $1', [after.conversion_id])).toHaveLength(1);
      expect(sandboxCounts(h.sandbox, removed.pixelId).accepted).toBe(0);
      expect(sandboxCounts(h.sandbox, kept.pixelId)).toMatchObject({ accepted: 2, duplicates: 0 });
    },
  );
});
