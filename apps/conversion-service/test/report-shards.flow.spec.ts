import { gqlAs } from '@snaptrack/util-testing';
import { ROLLUP_SHARDS } from '../src/conversion/conversion.service';
import { ConversionRollupShards1797120000000 } from '../src/migrations/1797120000000-conversion-rollup-shards';
import { startTestConversionService, type TestConversionService } from './harness';
import { TestBus, clickValue, postback, publishClickAndWait, seedAccount, type SeededAccount } from './factories';

const REPORT = `query($from: String!, $to: String!, $groupBy: [ReportDimension!]) {
  report(from: $from, to: $to, groupBy: $groupBy) {
    rows { campaignId conversionTypeId currency clicks conversions revenue }
    totals { currency clicks conversions revenue }
  }
}`;

/**
 * The conversion rollup is sharded: each write statement adds to one shard of its rollup rows, so concurrent writes
 * of one account and bucket do not queue on one row lock. The report sums the shards; the migration's down folds them.
 */
describe('report: sharded conversion rollup', () => {
  let app: TestConversionService;
  let bus: TestBus;
  let acc: SeededAccount;
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  const [from, to] = [day(Date.now() - 86400000), day(Date.now() + 86400000)];

  beforeAll(async () => {
    app = await startTestConversionService();
    bus = await TestBus.connect(app.config.kafkaTopicPrefix!);
    acc = await seedAccount(bus, app.ds);
  });

  afterAll(async () => {
    await bus?.close();
    await app?.stop();
    await app?.dropDb();
  });

  const report = async () => {
    const res = await gqlAs(app.url, acc.accountId, REPORT, { from, to, groupBy: ['CAMPAIGN', 'CONVERSION_TYPE'] });
    expect(res.errors).toBeUndefined();
    return res.data.report as {
      rows: Array<{ campaignId: string; currency: string; clicks: number; conversions: number; revenue: number }>;
      totals: Array<{ currency: string; clicks: number; conversions: number; revenue: number }>;
    };
  };
  const rollupRows = async (): Promise<Array<{ shard: number; conversions: number }>> =>
    app.ds.query(
      `SELECT shard, conversions::int AS conversions FROM report_conversion_rollup
       WHERE account_id = $1 ORDER BY shard`,
      [acc.accountId],
    );

  it('spreads the writes of one key over the shards; the report and the migration down sum them', async () => {
    const click = await publishClickAndWait(
      bus,
      app.ds,
      clickValue(acc.accountId, {
        campaign_id: 'cmp-shards',
        offer_id: acc.offerId,
        offer_source_id: acc.offerSourceId,
      }),
    );
    const send = (i: number) =>
      postback(app.url, {
        secret: acc.secret,
        clickid: click.click_id,
        type: 'Deposit',
        sum: `${i}.5`,
        currency: 'USD',
      });
    // One statement each, one after the other: every shard of the key once.
    for (let i = 0; i < ROLLUP_SHARDS; i++) expect((await send(i)).status).toBe(200);
    expect(new Set((await rollupRows()).map((r) => r.shard)).size).toBe(ROLLUP_SHARDS);
    // Concurrent ones share statements and shards.
    const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => send(ROLLUP_SHARDS + i)));
    expect(answers.map((a) => a.status)).toEqual(Array(24).fill(200));

    const n = ROLLUP_SHARDS + 24;
    const revenue = Array.from({ length: n }, (_, i) => i + 0.5).reduce((s, x) => s + x, 0);
    const [raw] = await app.ds.query(
      `SELECT count(*)::int AS n, sum(payout)::float8 AS revenue FROM conversion WHERE account_id = $1`,
      [acc.accountId],
    );
    expect(raw).toEqual({ n, revenue });
    const rows = await rollupRows();
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.reduce((s, r) => s + r.conversions, 0)).toBe(n);
    const expected = {
      rows: [{ campaignId: 'cmp-shards', currency: 'USD', clicks: 1, conversions: n, revenue }],
      totals: [{ currency: 'USD', clicks: 1, conversions: n, revenue }],
    };
    expect(await report()).toMatchObject(expected);

    // down folds the shards into one row per key (shard column gone), up brings the column back: same report.
    const runner = app.ds.createQueryRunner();
    try {
      await new ConversionRollupShards1797120000000().down(runner);
      const folded = await app.ds.query(
        `SELECT conversions::int AS conversions, revenue::float8 AS revenue FROM report_conversion_rollup
         WHERE account_id = $1`,
        [acc.accountId],
      );
      expect(folded).toEqual([{ conversions: n, revenue }]);
      expect(await report()).toMatchObject(expected);
    } finally {
      await new ConversionRollupShards1797120000000().up(runner);
      await runner.release();
    }
    expect(await rollupRows()).toEqual([{ shard: 0, conversions: n }]);
    expect(await report()).toMatchObject(expected);
    expect((await send(n)).status).toBe(200);
    expect((await report()).totals[0].conversions).toBe(n + 1);
  });
});
