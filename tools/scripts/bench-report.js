#!/usr/bin/env node
// Times conversion-service's `report` query (ReportService, the code behind the GraphQL field) on rollups seeded for
// BENCH_REPORT_CLICKS clicks and BENCH_REPORT_CONVERSIONS conversions of one account over BENCH_REPORT_DAYS days,
// next to a second account of the same size (the rollups hold every account).
//
// The rollup rows are inserted directly with generate_series (no clicks or postbacks are replayed): every
// 15-minute bucket gets BENCH_REPORT_CLICK_KEYS (campaign, channel, offer, offer source) rows of clicks and one
// conversion row per conversion (the worst case: no two conversions of a bucket share a rollup row), spread over
// 20 campaigns, 4 channels, 10 offers, 3 offer sources, 3 conversion types and 2 currencies.
//
// Needs PostgreSQL and the built conversion-service and libs (npx tsc -b apps/conversion-service/tsconfig.json).
// Uses its own scratch database (dropped at the end unless BENCH_REPORT_KEEP_DB=1).
//
//   node tools/scripts/bench-report.js
//   BENCH_REPORT_CLICKS (1000000)  BENCH_REPORT_CONVERSIONS (100000)  BENCH_REPORT_DAYS (30)
//   BENCH_REPORT_CLICK_KEYS (50)   BENCH_REPORT_RUNS (7)              PG_BASE_URL (postgres://postgres@127.0.0.1:5432)
require('reflect-metadata');
const path = require('node:path');
const { randomBytes } = require('node:crypto');

const ROOT = path.resolve(__dirname, '../..');
const { ensureDatabase } = require(path.join(ROOT, 'libs/shared/util-db/dist/index.js'));
const { createConversionDataSource } = require(path.join(ROOT, 'apps/conversion-service/dist/data-source.js'));
const { ReportService } = require(path.join(ROOT, 'apps/conversion-service/dist/report/report.service.js'));

const env = (name, def) => Number(process.env[name] ?? def);
const CLICKS = env('BENCH_REPORT_CLICKS', 1_000_000);
const CONVERSIONS = env('BENCH_REPORT_CONVERSIONS', 100_000);
const DAYS = env('BENCH_REPORT_DAYS', 30);
const CLICK_KEYS = env('BENCH_REPORT_CLICK_KEYS', 50);
const RUNS = env('BENCH_REPORT_RUNS', 7);
const BASE = (process.env.PG_BASE_URL || 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');

/** Seeds one account's rollups; returns the seeded totals (from the rows, to check the report against). */
async function seed(ds, accountId, endsAt) {
  const buckets = DAYS * 96;
  const perRow = Math.max(1, Math.round(CLICKS / (buckets * CLICK_KEYS)));
  const perBucket = Math.max(1, Math.round(CONVERSIONS / buckets));
  const start = new Date(endsAt.getTime() - DAYS * 86400000);
  await ds.query(
    `INSERT INTO report_click_rollup (account_id, bucket, campaign_id, traffic_channel_id, offer_id, offer_source_id,
       clicks)
     SELECT $1, $2::timestamptz + b * interval '15 minutes', 'cmp-' || (k % 20), 'tc-' || (k % 4), 'off-' || (k % 10),
       'os-' || (k % 3), $3
     FROM generate_series(0, $4 - 1) AS b, generate_series(0, $5 - 1) AS k`,
    [accountId, start, perRow, buckets, CLICK_KEYS],
  );
  // One row per conversion: k makes the key unique within the bucket (k / 6 spreads campaigns and offers).
  await ds.query(
    `INSERT INTO report_conversion_rollup (account_id, bucket, campaign_id, traffic_channel_id, offer_id,
       offer_source_id, conversion_type_id, currency, conversions, revenue)
     SELECT $1, $2::timestamptz + b * interval '15 minutes', 'cmp-' || (k % 20), 'tc-' || (k % 4),
       'off-' || (k % 10), 'os-' || (k / 20), 'ct-' || (k % 3), CASE WHEN k % 2 = 0 THEN 'USD' ELSE 'EUR' END, 1,
       (k % 50) + 0.25
     FROM generate_series(0, $3 - 1) AS b, generate_series(0, $4 - 1) AS k`,
    [accountId, start, buckets, perBucket],
  );
  const [c] = await ds.query(
    `SELECT sum(clicks)::bigint AS n, count(*)::int AS r FROM report_click_rollup
    WHERE account_id = $1`,
    [accountId],
  );
  const [v] = await ds.query(
    `SELECT sum(conversions)::bigint AS n, count(*)::int AS r FROM report_conversion_rollup
    WHERE account_id = $1`,
    [accountId],
  );
  return { clicks: Number(c.n), clickRows: c.r, conversions: Number(v.n), conversionRows: v.r, start };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const name = `snaptrack_bench_report_${randomBytes(4).toString('hex')}`;
  const url = `${BASE}/${name}`;
  await ensureDatabase(url);
  const ds = createConversionDataSource(url, 4);
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
    const endsAt = new Date(Date.UTC(2026, 11, 1));
    const t0 = Date.now();
    const seeded = await seed(ds, 'acc-bench', endsAt);
    await seed(ds, 'acc-other', endsAt);
    await ds.query('ANALYZE report_click_rollup; ANALYZE report_conversion_rollup');
    console.log(
      `seeded ${seeded.clicks} clicks (${seeded.clickRows} rollup rows) and ${seeded.conversions} conversions ` +
        `(${seeded.conversionRows} rows) over ${DAYS} days for each of 2 accounts in ${Date.now() - t0} ms`,
    );
    const [size] = await ds.query(`SELECT pg_size_pretty(pg_total_relation_size('report_click_rollup')) AS clicks,
      pg_size_pretty(pg_total_relation_size('report_conversion_rollup')) AS conversions`);
    console.log(`rollup sizes (both accounts, with indexes): clicks ${size.clicks}, conversions ${size.conversions}`);
    const reports = new ReportService(ds);
    const day = (d) => d.toISOString().slice(0, 10);
    const last = day(new Date(endsAt.getTime() - 86400000));
    const first = day(seeded.start);
    const week = day(new Date(endsAt.getTime() - 7 * 86400000));
    const scenarios = [
      ['totals, 30 days', { from: first, to: last, groupBy: [] }],
      ['by day, 30 days', { from: first, to: last, groupBy: ['day'] }],
      ['by campaign and day, 30 days', { from: first, to: last, groupBy: ['campaign', 'day'] }],
      [
        'by campaign, channel, offer, offer source, type, day; 7 days',
        {
          from: week,
          to: last,
          groupBy: ['campaign', 'trafficChannel', 'offer', 'offerSource', 'conversionType', 'day'],
        },
      ],
      [
        'by day and hour in Asia/Kolkata, 30 days',
        { from: first, to: last, groupBy: ['day', 'hour'], timeZone: 'Asia/Kolkata' },
      ],
      [
        'by campaign, one campaign filtered, 30 days',
        { from: first, to: last, groupBy: ['campaign', 'day'], filter: { campaignId: 'cmp-3' } },
      ],
    ];
    const results = [];
    for (const [label, req] of scenarios) {
      const times = [];
      let out;
      for (let i = 0; i < RUNS; i++) {
        const s = process.hrtime.bigint();
        out = await reports.report({ accountId: 'acc-bench', ...req });
        times.push(Number(process.hrtime.bigint() - s) / 1e6);
      }
      results.push({
        label,
        rows: out.rows.length,
        medianMs: +median(times).toFixed(1),
        maxMs: +Math.max(...times).toFixed(1),
      });
      if (label.startsWith('totals')) {
        const clicks = out.totals[0]?.clicks;
        const conversions = out.totals.reduce((s, t) => s + t.conversions, 0);
        if (clicks !== seeded.clicks || conversions !== seeded.conversions)
          throw new Error(
            `totals ${clicks}/${conversions} differ from the seeded ${seeded.clicks}/${seeded.conversions}`,
          );
      }
    }
    console.table(results);
  } finally {
    await ds.destroy();
    if (process.env.BENCH_REPORT_KEEP_DB !== '1') {
      const { Client } = require('pg');
      const admin = new Client({ connectionString: `${BASE}/postgres` });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
