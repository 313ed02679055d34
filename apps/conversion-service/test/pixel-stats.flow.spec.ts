import { randomUUID } from 'node:crypto';
import type { DeliveryResultV1 } from '@snaptrack/contracts-events';
import { gqlAs, waitFor } from '@snaptrack/util-testing';
import { startTestConversionService, type TestConversionService } from './harness';
import {
  TestBus,
  clickValue,
  postback,
  publishClickAndWait,
  randomId,
  seedAccount,
  type SeededAccount,
} from './factories';

const STATS = `query($r: [_Any!]!, $since: DateTimeISO) {
  _entities(representations: $r) {
    ... on Pixel { id deliveryStats(since: $since) {
      since delivered failed skipped retrying pending acceptedP50Ms acceptedP95Ms
      lastError { at conversionId reasonCode message httpStatus }
    } }
  }
}`;
const DELIVERIES = `query($first: Int) {
  conversions(first: $first) {
    nodes { id receivedAt deliveries { pixelId status reasonCode message httpStatus deliveredAt updatedAt } }
  }
}`;

interface Delivery {
  pixelId: string;
  status: 'PENDING' | 'DELIVERED' | 'SKIPPED' | 'RETRYING' | 'FAILED';
  reasonCode: string | null;
  message: string | null;
  httpStatus: number | null;
  deliveredAt: string | null;
  updatedAt: string;
}

/** percentile_cont: linear interpolation between the closest ranks. */
function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/**
 * Pixel.deliveryStats against Conversion.deliveries after a run with failures, retries, skips and out-of-order
 * revisions, published on delivery.result.v1 as the dispatcher would.
 */
describe('Pixel.deliveryStats', () => {
  let app: TestConversionService;
  let bus: TestBus;
  let a: SeededAccount;
  let b: SeededAccount;
  let snapPixel: string;
  const conversions: Array<{ id: string; receivedAt: Date }> = [];

  const result = (
    conversionId: string,
    over: Partial<DeliveryResultV1.Value> = {},
    accountId = a.accountId,
  ): DeliveryResultV1.Value => ({
    schema: 'delivery.result.v1',
    destination: 'snapchat-capi',
    conversion_id: conversionId,
    account_id: accountId,
    pixel_id: snapPixel,
    status: 'pending',
    reason_code: null,
    message: null,
    attempts: 0,
    http_status: null,
    event_name: 'PURCHASE',
    event_id: 'e',
    test_mode: false,
    placements: ['channel'],
    next_attempt_at: null,
    delivered_at: null,
    updated_at: new Date().toISOString(),
    revision: 1,
    ...over,
  });
  const after = (i: number, ms: number) => new Date(conversions[i].receivedAt.getTime() + ms).toISOString();

  beforeAll(async () => {
    app = await startTestConversionService();
    bus = await TestBus.connect(app.config.kafkaTopicPrefix!);
    [a, b] = [await seedAccount(bus, app.ds), await seedAccount(bus, app.ds)];
    [{ pixel_id: snapPixel }] = await app.ds.query(
      `SELECT data->>'pixel_id' AS pixel_id FROM config_entity WHERE key = $1`,
      [`pixel:${a.pixelConfigId}`],
    );
    for (let i = 0; i < 8; i++) {
      const c = await publishClickAndWait(
        bus,
        app.ds,
        clickValue(a.accountId, { offer_id: a.offerId, offer_source_id: a.offerSourceId }),
      );
      const res = await postback(app.url, { secret: a.secret, clickid: c.click_id, type: 'Deposit', sum: '1' });
      expect(res.status).toBe(200);
      const [row] = await app.ds.query(`SELECT received_at FROM conversion WHERE id = $1`, [res.body.conversion_id]);
      conversions.push({ id: res.body.conversion_id, receivedAt: row.received_at });
    }
    const id = (i: number) => conversions[i].id;
    const published: DeliveryResultV1.Value[] = [
      // 0..2 delivered after 1.5 s, 3 s and 0.4 s (0 was retried first).
      result(id(0), { status: 'retrying', attempts: 1, http_status: 503, reason_code: 'snap_unavailable' }),
      result(id(0), { status: 'delivered', attempts: 2, http_status: 200, delivered_at: after(0, 1500), revision: 2 }),
      result(id(1), { status: 'delivered', attempts: 1, http_status: 200, delivered_at: after(1, 3000), revision: 2 }),
      result(id(2), { status: 'delivered', attempts: 1, http_status: 200, delivered_at: after(2, 400), revision: 2 }),
      // 3: retrying, then failed for good: the last error.
      result(id(3), { status: 'retrying', attempts: 1, http_status: 500, updated_at: after(3, 1000) }),
      result(id(3), {
        status: 'failed',
        attempts: 5,
        http_status: 400,
        reason_code: 'snap_rejected',
        message: 'invalid event',
        updated_at: after(3, 60000),
        revision: 5,
      }),
      // 4: skipped (no mapping).
      result(id(4), { status: 'skipped', reason_code: 'no_mapping', message: 'map the type', revision: 2 }),
      // 5: still retrying (an older error than 3's).
      result(id(5), {
        status: 'retrying',
        attempts: 2,
        http_status: 429,
        reason_code: 'rate_limited',
        updated_at: after(5, 2000),
        revision: 3,
      }),
      // 6: failed at revision 3; a stale revision 2 "delivered" arriving later changes nothing.
      result(id(6), {
        status: 'failed',
        attempts: 3,
        http_status: 401,
        reason_code: 'invalid_authentication',
        updated_at: after(6, 500),
        revision: 3,
      }),
      result(id(6), { status: 'delivered', http_status: 200, delivered_at: after(6, 100), revision: 2 }),
      // 7: pending. Plus noise: another pixel of account A, and account B's result for the same pixel id.
      result(id(7)),
      result(id(7), { pixel_id: randomId('other-pixel-'), status: 'failed', revision: 2 }),
      result(randomUUID(), { status: 'failed', revision: 9 }, b.accountId),
      // Same key as 6's results (same partition, after them): once it is stored, the stale one was consumed.
      result(id(6), { pixel_id: 'sentinel-pixel' }),
    ];
    for (const r of published) await bus.publishDeliveryResult(r);
    // The duplicate delivery of a whole message: the consumer keeps the highest revision.
    await bus.publishDeliveryResult(published[1]);
    await waitFor(
      async () => {
        const [{ n }] = await app.ds.query(`SELECT count(*)::int AS n FROM delivery WHERE account_id = $1`, [
          a.accountId,
        ]);
        const [{ m }] = await app.ds.query(`SELECT count(*)::int AS m FROM delivery WHERE account_id = $1`, [
          b.accountId,
        ]);
        const [{ f }] = await app.ds.query(
          `SELECT count(*)::int AS f FROM delivery WHERE conversion_id = $1 AND status = 'failed'`,
          [id(3)],
        );
        return n === 10 && m === 1 && f === 1;
      },
      { what: 'delivery results in the view' },
    );
    await waitFor(
      async () => (await app.ds.query(`SELECT 1 FROM delivery WHERE pixel_id = 'sentinel-pixel'`)).length > 0,
      { what: 'the sentinel after the stale revision' },
    );
  });

  afterAll(async () => {
    await bus?.close();
    await app?.stop();
    await app?.dropDb();
  });

  const stats = async (since?: Date, accountId = a.accountId) => {
    const res = await gqlAs(app.url, accountId, STATS, {
      r: [{ __typename: 'Pixel', id: a.pixelConfigId }],
      since: since?.toISOString(),
    });
    expect(res.errors).toBeUndefined();
    return res.data._entities[0].deliveryStats;
  };

  it('matches Conversion.deliveries of the pixel: counts, last error, postback-to-accepted percentiles', async () => {
    const res = await gqlAs(app.url, a.accountId, DELIVERIES, { first: 100 });
    expect(res.errors).toBeUndefined();
    const nodes: Array<{ id: string; receivedAt: string; deliveries: Delivery[] }> = res.data.conversions.nodes;
    const ours = nodes.flatMap((n) => n.deliveries.filter((d) => d.pixelId === snapPixel).map((d) => ({ n, d })));
    const count = (s: Delivery['status']) => ours.filter((x) => x.d.status === s).length;
    const latencies = ours
      .filter((x) => x.d.status === 'DELIVERED')
      .map((x) => Date.parse(x.d.deliveredAt!) - Date.parse(x.n.receivedAt))
      .sort((p, q) => p - q);
    const errors = ours
      .filter((x) => x.d.status === 'FAILED' || x.d.status === 'RETRYING')
      .sort((p, q) => Date.parse(q.d.updatedAt) - Date.parse(p.d.updatedAt));
    const s = await stats(new Date(Date.now() - 3600_000));
    expect(s).toMatchObject({
      delivered: count('DELIVERED'),
      failed: count('FAILED'),
      skipped: count('SKIPPED'),
      retrying: count('RETRYING'),
      pending: count('PENDING'),
      lastError: {
        at: errors[0].d.updatedAt,
        conversionId: errors[0].n.id,
        reasonCode: errors[0].d.reasonCode,
        message: errors[0].d.message,
        httpStatus: errors[0].d.httpStatus,
      },
    });
    expect(s.acceptedP50Ms).toBeCloseTo(percentile(latencies, 0.5)!, 3);
    expect(s.acceptedP95Ms).toBeCloseTo(percentile(latencies, 0.95)!, 3);
    // And what the run was meant to produce, so an empty view cannot pass.
    expect([s.delivered, s.failed, s.skipped, s.retrying, s.pending]).toEqual([3, 2, 1, 1, 1]);
    expect(s.lastError).toMatchObject({ conversionId: conversions[3].id, reasonCode: 'snap_rejected' });
    expect(s.acceptedP50Ms).toBeCloseTo(1500, 3);
    expect(s.acceptedP95Ms).toBeCloseTo(1500 + 0.9 * 1500, 3);
  });

  it('counts only conversions received since `since`', async () => {
    const s = await stats(new Date(Date.now() + 60_000));
    expect(s).toMatchObject({ delivered: 0, failed: 0, skipped: 0, retrying: 0, pending: 0, lastError: null });
    expect(s.acceptedP50Ms).toBeNull();
  });

  it("is null for another account's pixel", async () => {
    const res = await gqlAs(app.url, b.accountId, STATS, { r: [{ __typename: 'Pixel', id: a.pixelConfigId }] });
    expect(res.errors).toBeUndefined();
    expect(res.data._entities[0]).toEqual({ id: a.pixelConfigId, deliveryStats: null });
  });
});
