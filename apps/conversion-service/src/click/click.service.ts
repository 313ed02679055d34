import type { DataSource } from 'typeorm';
import { preparedQuery } from '@snaptrack/util-db';
import type { ClickRecordedV1 } from '@snaptrack/contracts-events';
import { Batcher } from '../batching/batcher';
import { ClickView } from './click.entity';

type Waiter = () => void;

/** The click view: bulk, idempotent inserts from the clicks topic; lookups by click id for attribution. */
export class ClickService {
  private readonly waiters = new Map<string, Set<Waiter>>();
  /** Plain indexed reads: several may run at once (the pool has DATABASE_POOL_SIZE connections, 10 by default). */
  private readonly lookups = new Batcher<string, ClickView | null>((ids) => this.findMany(ids), { maxConcurrent: 4 });

  /**
   * `retentionDays`: clicks older than this (CLICK_RETENTION_DAYS) are not counted in the report rollup: the retention
   * job may already have deleted such a click from the view, so its replay would otherwise count it a second time.
   */
  constructor(
    private readonly ds: DataSource,
    private readonly retentionDays = 45,
  ) {}

  /**
   * Inserts a batch of clicks; an already known click id is left as it is (redelivery is harmless). The same
   * statement adds the clicks it inserted to `report_click_rollup` (15-minute UTC buckets), so a click counts once
   * however often its message is processed, and only if its insert commits.
   */
  async applyClicks(values: ClickRecordedV1.Value[]): Promise<number> {
    if (!values.length) return 0;
    const rows = values.map((v) => ({
      click_id: v.click_id,
      account_id: v.account_id,
      campaign_id: v.campaign_id,
      traffic_channel_id: v.traffic_channel_id,
      traffic_channel_template: v.traffic_channel_template,
      offer_id: v.offer_id,
      offer_source_id: v.offer_source_id ?? null,
      tracking_method: v.tracking_method,
      sc_click_id: v.sc_click_id ?? null,
      sc_cookie1: v.sc_cookie1 ?? null,
      ip: v.ip ?? null,
      user_agent: v.user_agent ?? null,
      referrer: v.referrer ?? null,
      landing_url: v.landing_url ?? null,
      params: v.params ?? {},
      clicked_at: v.clicked_at,
    }));
    const inserted: unknown[] = await this.ds.query(
      `WITH inserted AS (
       INSERT INTO click_view (click_id, account_id, campaign_id, traffic_channel_id, traffic_channel_template,
         offer_id,
         offer_source_id, tracking_method, sc_click_id, sc_cookie1, ip, user_agent, referrer, landing_url, params,
         clicked_at)
       SELECT x.click_id, x.account_id, x.campaign_id, x.traffic_channel_id, x.traffic_channel_template, x.offer_id,
         x.offer_source_id, x.tracking_method, x.sc_click_id, x.sc_cookie1, x.ip, x.user_agent, x.referrer,
           x.landing_url, x.params,
           x.clicked_at
       FROM jsonb_to_recordset($1::jsonb) AS x(click_id text, account_id text, campaign_id text,
         traffic_channel_id text,
         traffic_channel_template text, offer_id text, offer_source_id text, tracking_method text, sc_click_id text,
           sc_cookie1 text, ip text,
         user_agent text, referrer text, landing_url text, params jsonb, clicked_at timestamptz)
       ON CONFLICT (click_id) DO NOTHING
       RETURNING click_id, account_id, campaign_id, traffic_channel_id, offer_id, offer_source_id, clicked_at
       ), rolled AS (
         INSERT INTO report_click_rollup AS r (account_id, bucket, campaign_id, traffic_channel_id, offer_id,
           offer_source_id, clicks)
         SELECT account_id, date_bin('15 minutes', clicked_at, 'epoch'), coalesce(campaign_id, ''),
           coalesce(traffic_channel_id, ''), coalesce(offer_id, ''), coalesce(offer_source_id, ''), count(*)
         FROM inserted WHERE clicked_at >= now() - make_interval(days => $2)
         GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
         ON CONFLICT (account_id, bucket, campaign_id, traffic_channel_id, offer_id, offer_source_id)
           DO UPDATE SET clicks = r.clicks + EXCLUDED.clicks
       )
       SELECT click_id FROM inserted`,
      [JSON.stringify(rows), this.retentionDays],
    );
    return inserted.length;
  }

  /** Queries the click lookups used so far (tests and metrics). */
  get lookupBatches(): number {
    return this.lookups.calls;
  }

  /**
   * The click, or null. Lookups of concurrent postbacks share one query (see {@link Batcher}); plain SQL, because
   * this runs on every postback and the query builder costs more CPU than the read.
   */
  find(clickId: string): Promise<ClickView | null> {
    return this.lookups.submit(clickId);
  }

  private async findMany(clickIds: string[]): Promise<Array<ClickView | null>> {
    const rows = await preparedQuery<ClickView>(
      this.ds,
      `SELECT click_id AS "clickId", account_id AS "accountId", campaign_id AS "campaignId",
         traffic_channel_id AS "trafficChannelId",
         traffic_channel_template AS "trafficChannelTemplate", offer_id AS "offerId",
           offer_source_id AS "offerSourceId",
         tracking_method AS "trackingMethod", sc_click_id AS "scClickId", sc_cookie1 AS "scCookie1", ip,
         user_agent AS "userAgent", referrer,
         landing_url AS "landingUrl", params, clicked_at AS "clickedAt", recorded_at AS "recordedAt"
       FROM click_view WHERE click_id = ANY($1::text[])`,
      [[...new Set(clickIds)]],
    );
    const byId = new Map(rows.map((r) => [r.clickId, r]));
    return clickIds.map((id) => {
      const row = byId.get(id);
      return row ? Object.assign(new ClickView(), row) : null;
    });
  }

  /** Wakes postbacks waiting in {@link waitForClick} for these ids (called after each committed click batch). */
  notifyArrived(clickIds: Iterable<string>): void {
    for (const id of clickIds) {
      const set = this.waiters.get(id);
      if (!set) continue;
      this.waiters.delete(id);
      for (const w of set) w();
    }
  }

  /**
   * Polls the view for up to `ms` (the click consumer may be a moment behind the postback), waking early when this
   * instance's consumer stores the click. Returns null if it did not arrive in time.
   */
  async waitForClick(clickId: string, ms: number, pollMs = 200): Promise<ClickView | null> {
    const deadline = Date.now() + ms;
    for (;;) {
      const click = await this.find(clickId);
      if (click) return click;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        let set = this.waiters.get(clickId);
        if (!set) this.waiters.set(clickId, (set = new Set()));
        const done = () => {
          clearTimeout(timer);
          set!.delete(done);
          if (!set!.size && this.waiters.get(clickId) === set) this.waiters.delete(clickId);
          resolve();
        };
        const timer = setTimeout(done, Math.min(pollMs, left));
        set.add(done);
      });
    }
  }
}
