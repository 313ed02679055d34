import { gqlAs, waitFor } from '@snaptrack/util-testing';
import type { ClickRecordedV1 } from '@snaptrack/contracts-events';
import { startTestConversionService, type TestConversionService } from './harness';
import { TestBus, clickValue, postback, seedAccount, type SeededAccount } from './factories';

const REPORT = `query($from: String!, $to: String!, $groupBy: [ReportDimension!], $tz: String, $filter: ReportFilter) {
  report(from: $from, to: $to, groupBy: $groupBy, timeZone: $tz, filter: $filter) {
    from to timeZone startsAt endsAt groupBy
    rows { day hour campaignId trafficChannelId offerId offerSourceId conversionTypeId campaign { id }
      offerSource { id } conversionType { id } currency clicks conversions revenue conversionRate epc }
    totals { currency clicks conversions revenue conversionRate epc }
  }
}`;

interface Row {
  day: string | null;
  hour: number | null;
  campaignId: string | null;
  trafficChannelId: string | null;
  offerId: string | null;
  offerSourceId: string | null;
  conversionTypeId: string | null;
  currency: string | null;
  clicks: number;
  conversions: number;
  revenue: number;
  conversionRate: number | null;
  epc: number | null;
}

const DIMS = {
  CAMPAIGN: 'campaignId',
  TRAFFIC_CHANNEL: 'trafficChannelId',
  OFFER: 'offerId',
  OFFER_SOURCE: 'offerSourceId',
  CONVERSION_TYPE: 'conversionTypeId',
  DAY: 'day',
  HOUR: 'hour',
} as const;
type Dim = keyof typeof DIMS;

const day = (d: Date) => d.toISOString().slice(0, 10);
/** Distinct currencies in the report's order: codes ascending, null (conversions without a payout) last. */
const currenciesOf = (rows: Array<Record<string, unknown>>) => {
  const set = new Set(rows.map((r) => (r.currency as string | null) ?? null));
  return [...[...set].filter((c) => c !== null).sort(), ...(set.has(null) ? [null] : [])];
};

/**
 * Report totals against the raw rows: a mixed run of clicks and postbacks with duplicate postbacks under every
 * policy, an exact replay, a postback pending before its click, two currencies, click messages delivered twice and a
 * click batch applied twice (a consumer replay after a crash before its offset commit).
 */
describe('report: rollups equal the raw clicks and conversions', () => {
  let app: TestConversionService;
  let bus: TestBus;
  let a: SeededAccount;
  let b: SeededAccount;
  const clicks: ClickRecordedV1.Value[] = [];
  const now = new Date();
  // Yesterday 20:10 UTC: the next day in Asia/Kolkata (+05:30) and Asia/Kathmandu (+05:45).
  const lateEvening = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1, 20, 10));
  const from = day(new Date(now.getTime() - 3 * 86400000));
  const to = day(new Date(now.getTime() + 2 * 86400000));

  const report = async (groupBy: Dim[], tz?: string, filter?: Record<string, string>, acc = a) => {
    const res = await gqlAs(app.url, acc.accountId, REPORT, { from, to, groupBy, tz, filter });
    expect(res.errors).toBeUndefined();
    return res.data.report as { rows: Row[]; totals: Row[]; timeZone: string; startsAt: string; endsAt: string };
  };

  async function accepted(params: Record<string, string>, status = 200) {
    const res = await postback(app.url, { secret: a.secret, ...params });
    expect(res.status).toBe(status);
    return res.body;
  }

  beforeAll(async () => {
    app = await startTestConversionService();
    bus = await TestBus.connect(app.config.kafkaTopicPrefix!);
    [a, b] = [await seedAccount(bus, app.ds), await seedAccount(bus, app.ds)];
    const mk = (campaign: string, channel: string, over: Partial<ClickRecordedV1.Value> = {}) =>
      clickValue(a.accountId, {
        campaign_id: campaign,
        traffic_channel_id: channel,
        offer_id: a.offerId,
        offer_source_id: a.offerSourceId,
        ...over,
      });
    for (let i = 0; i < 6; i++) clicks.push(mk('cmp-1', 'tc-1'));
    for (let i = 0; i < 4; i++) clicks.push(mk('cmp-2', i % 2 ? 'tc-1' : 'tc-2'));
    clicks.push(mk('cmp-2', 'tc-2', { clicked_at: lateEvening.toISOString() }));
    clicks.push(mk('cmp-3', 'tc-1', { offer_source_id: null }));
    // Every click message twice (a redelivered message), then the whole batch applied again by hand.
    for (const c of clicks) await bus.publishClick(c);
    for (const c of clicks) await bus.publishClick(c);
    await bus.publishClick(clickValue(b.accountId, { campaign_id: 'cmp-1' }));
    const ids = clicks.map((c) => c.click_id);
    await waitFor(
      async () => {
        const [{ n }] = await app.ds.query(`SELECT count(*)::int AS n FROM click_view WHERE click_id = ANY($1)`, [ids]);
        return n === clicks.length;
      },
      { what: 'clicks in the view' },
    );
    expect(await app.clicks.applyClicks(clicks)).toBe(0);

    const [c0, c1, c2, c3, c4, , c6, , , , c10] = clicks;
    // Purchase: ignore_same_event_id. USD; the second one with the same event id is a duplicate.
    await accepted({ clickid: c0.click_id, type: 'Purchase', sum: '10.25', currency: 'usd', eventid: 'o-1' });
    expect((await accepted({ clickid: c1.click_id, type: 'Purchase', sum: '99', eventid: 'o-1' })).status).toBe(
      'duplicate',
    );
    // Lead: ignore_same_click, no payout (currency: DEFAULT_CURRENCY).
    await accepted({ clickid: c1.click_id, type: 'Lead' });
    expect((await accepted({ clickid: c1.click_id, type: 'Lead', sum: '1' })).status).toBe('duplicate');
    // Deposit: create. EUR (the offer source default), and an exact replay that records nothing.
    const deposit = { clickid: c2.click_id, type: 'Deposit', sum: '5.5' };
    await accepted(deposit);
    expect((await accepted(deposit)).status).toBe('duplicate');
    await accepted({ clickid: c2.click_id, type: 'Deposit', sum: '4.5', eventid: 'd-2' });
    await accepted({ clickid: c6.click_id, type: 'Deposit', sum: '7', currency: 'USD', eventid: 'd-3' });
    await accepted({ clickid: c10.click_id, type: 'Purchase', sum: '20', currency: 'EUR', eventid: 'o-2' });
    await accepted({ clickid: c3.click_id, type: 'Lead', sum: '0.5', currency: 'USD' });
    await accepted({ clickid: c4.click_id, type: 'Purchase', sum: '3', currency: 'USD', eventid: 'o-3' });

    // A postback before its click: pending, attributed when the click arrives (then counted once).
    const late = mk('cmp-1', 'tc-2');
    expect((await accepted({ clickid: late.click_id, type: 'Deposit', sum: '2', currency: 'USD' }, 202)).status).toBe(
      'pending',
    );
    await bus.publishClick(late);
    await bus.publishClick(late);
    clicks.push(late);
    await waitFor(
      async () =>
        (
          await app.ds.query(`SELECT 1 FROM pending_postback WHERE click_id = $1 AND state = 'attributed'`, [
            late.click_id,
          ])
        ).length > 0,
      { what: 'the pending postback attributed' },
    );
    // The other account: one conversion, never in account A's report.
    const bClick = clickValue(b.accountId, { offer_id: b.offerId, offer_source_id: b.offerSourceId });
    await bus.publishClick(bClick);
    await waitFor(
      async () => (await app.ds.query(`SELECT 1 FROM click_view WHERE click_id = $1`, [bClick.click_id])).length > 0,
    );
    expect(
      (await postback(app.url, { secret: b.secret, clickid: bClick.click_id, type: 'Deposit', sum: '1000' })).status,
    ).toBe(200);
  });

  afterAll(async () => {
    await bus?.close();
    await app?.stop();
    await app?.dropDb();
  });

  /** Raw rows of account A, the dimensions computed by PostgreSQL in `tz`. */
  async function raw(tz: string) {
    const rawClicks: Array<Record<string, string | number | null>> = await app.ds.query(
      `SELECT campaign_id AS "campaignId", traffic_channel_id AS "trafficChannelId", offer_id AS "offerId",
         offer_source_id AS "offerSourceId", to_char(clicked_at AT TIME ZONE $2, 'YYYY-MM-DD') AS day,
         extract(hour FROM clicked_at AT TIME ZONE $2)::int AS hour
       FROM click_view WHERE account_id = $1`,
      [a.accountId, tz],
    );
    const rawConversions: Array<Record<string, string | number | null>> = await app.ds.query(
      `SELECT campaign_id AS "campaignId", traffic_channel_id AS "trafficChannelId", offer_id AS "offerId",
         offer_source_id AS "offerSourceId", conversion_type_id AS "conversionTypeId", currency,
         payout::float8 AS payout, to_char(received_at AT TIME ZONE $2, 'YYYY-MM-DD') AS day,
         extract(hour FROM received_at AT TIME ZONE $2)::int AS hour
       FROM conversion WHERE account_id = $1`,
      [a.accountId, tz],
    );
    return { rawClicks, rawConversions };
  }

  /** Every report row against the raw rows of its keys; every raw conversion group is in the report. */
  async function checkAgainstRaw(groupBy: Dim[], tz: string) {
    const { rawClicks, rawConversions } = await raw(tz);
    const fields = groupBy.map((d) => DIMS[d]);
    const clickFields = fields.filter((f) => f !== 'conversionTypeId');
    const key = (r: Record<string, unknown>, fs: string[]) => JSON.stringify(fs.map((f) => r[f] ?? null));
    const { rows, totals } = await report(groupBy, tz);
    expect(rows.length).toBeGreaterThan(0);
    const seen = new Set<string>();
    for (const row of rows) {
      const inGroup = (r: Record<string, unknown>, fs: string[]) => key(r, fs) === key(row as never, fs);
      const clicksOfRow = rawClicks.filter((r) => inGroup(r, clickFields)).length;
      const convs = rawConversions.filter((r) => inGroup(r, fields) && (r.currency ?? null) === row.currency);
      expect({ ...row, clicks: clicksOfRow, conversions: convs.length }).toEqual(row);
      expect(row.revenue).toBeCloseTo(
        convs.reduce((s, r) => s + Number(r.payout ?? 0), 0),
        6,
      );
      expect(row.conversionRate).toBe(clicksOfRow ? convs.length / clicksOfRow : null);
      seen.add(key(row as never, [...fields, 'currency']));
    }
    for (const r of rawConversions) expect(seen).toContain(key(r, [...fields, 'currency']));
    // Totals: all clicks on every currency's row, conversions and revenue per currency.
    const currencies = currenciesOf(rawConversions);
    expect(totals.map((t) => t.currency)).toEqual(currencies);
    for (const t of totals) {
      expect(t.clicks).toBe(rawClicks.length);
      const convs = rawConversions.filter((r) => r.currency === t.currency);
      expect(t.conversions).toBe(convs.length);
      expect(t.revenue).toBeCloseTo(
        convs.reduce((s, r) => s + Number(r.payout ?? 0), 0),
        6,
      );
      expect(t.epc).toBeCloseTo(t.revenue / t.clicks, 9);
    }
    return rows;
  }

  it('the run produced what the duplicate policies allow (the raw side of the comparison)', async () => {
    const { rawClicks, rawConversions } = await raw('UTC');
    expect(rawClicks).toHaveLength(13);
    expect(rawConversions).toHaveLength(9);
    // A postback without a payout has no currency.
    expect(currenciesOf(rawConversions)).toEqual(['EUR', 'USD', null]);
  });

  it('totals equal the raw counts per currency (USD 10.25+7+0.5+3+2, EUR 5.5+4.5+20, no payout)', async () => {
    const { totals } = await report([]);
    expect(totals).toEqual([
      { currency: 'EUR', clicks: 13, conversions: 3, revenue: 30, conversionRate: 3 / 13, epc: 30 / 13 },
      { currency: 'USD', clicks: 13, conversions: 5, revenue: 22.75, conversionRate: 5 / 13, epc: 22.75 / 13 },
      { currency: null, clicks: 13, conversions: 1, revenue: 0, conversionRate: 1 / 13, epc: 0 },
    ]);
  });

  it.each<[Dim[], string]>([
    [['CAMPAIGN'], 'UTC'],
    [['CAMPAIGN', 'TRAFFIC_CHANNEL', 'OFFER', 'OFFER_SOURCE', 'CONVERSION_TYPE', 'DAY'], 'UTC'],
    [['TRAFFIC_CHANNEL', 'CONVERSION_TYPE'], 'UTC'],
    [['DAY', 'HOUR', 'CAMPAIGN'], 'Asia/Kolkata'],
    [['DAY', 'CAMPAIGN', 'CONVERSION_TYPE'], 'Asia/Kathmandu'],
    [['DAY', 'HOUR'], 'America/St_Johns'],
  ])('rows grouped by %j in %s equal the raw rows of their keys', async (groupBy, tz) => {
    await checkAgainstRaw(groupBy, tz);
  });

  it('days follow the time zone: the 20:10 UTC click is on the next day in Kolkata', async () => {
    const utc = await report(['DAY', 'CAMPAIGN'], 'UTC', { campaignId: 'cmp-2' });
    const kolkata = await report(['DAY', 'CAMPAIGN'], 'Asia/Kolkata', { campaignId: 'cmp-2' });
    const yesterday = day(lateEvening);
    const today = day(new Date(lateEvening.getTime() + 86400000));
    expect(utc.rows.find((r) => r.day === yesterday)?.clicks).toBe(1);
    expect(kolkata.rows.find((r) => r.day === yesterday)).toBeUndefined();
    expect(kolkata.startsAt).toBe(new Date(`${from}T00:00:00+05:30`).toISOString());
    expect(kolkata.rows.filter((r) => r.day === today).reduce((s, r) => s + r.clicks, 0)).toBeGreaterThanOrEqual(1);
  });

  it('filters: a conversion type filter keeps every click; entities are federation references', async () => {
    const { rows } = await report(['CAMPAIGN'], undefined, { conversionTypeId: a.types.purchase });
    const cmp2 = rows.find((r) => r.campaignId === 'cmp-2' && r.currency === 'EUR') as Row & {
      campaign: { id: string };
    };
    expect(cmp2).toMatchObject({ clicks: 5, conversions: 1, revenue: 20, campaign: { id: 'cmp-2' } });
    expect(rows.every((r) => r.currency === null || r.conversions > 0)).toBe(true);
  });

  it('another account sees only its own rows; the default time zone is UTC', async () => {
    const res = await report([], undefined, undefined, b);
    expect(res.timeZone).toBe('UTC');
    expect(res.totals).toEqual([
      expect.objectContaining({ currency: 'EUR', clicks: 2, conversions: 1, revenue: 1000 }),
    ]);
  });

  it('refuses bad input with BAD_USER_INPUT', async () => {
    for (const vars of [
      { from, to, tz: 'Mars/Olympus' },
      { from, to, tz: '+05:30' },
      { from, to, tz: 'EST5EDT,M3.2.0' },
      { from: '2026-02-30', to },
      { from: to, to: from },
      { from: '2020-01-01', to: '2026-01-01' },
    ]) {
      const res = await gqlAs(app.url, a.accountId, REPORT, { groupBy: [], ...vars });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('does not count a click older than the click-view retention (its replay could not be recognised)', async () => {
    const old = clickValue(b.accountId, { clicked_at: new Date(Date.now() - 50 * 86400000).toISOString() });
    expect(await app.clicks.applyClicks([old])).toBe(1);
    const [{ n }] = await app.ds.query(
      `SELECT coalesce(sum(clicks), 0)::int AS n FROM report_click_rollup WHERE account_id = $1 AND bucket < $2`,
      [b.accountId, new Date(Date.now() - 49 * 86400000)],
    );
    expect(n).toBe(0);
  });
});
