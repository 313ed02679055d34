import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rollups of the `report` query, and the index of `Pixel.deliveryStats`.
 *
 * - `report_click_rollup`: clicks per 15-minute UTC bucket (of `clicked_at`) and (account, campaign, traffic channel,
 *   offer, offer source). Incremented by the statement that inserts the click into `click_view`, only for rows that
 *   insert actually added (`ON CONFLICT DO NOTHING ... RETURNING`), so a replayed click message counts once.
 * - `report_conversion_rollup`: conversions and revenue per 15-minute UTC bucket (of `received_at`) and (account,
 *   campaign, traffic channel, offer, offer source, conversion type, currency). Incremented by the statement that
 *   inserts the conversion (duplicates and replays insert nothing, so they count nothing).
 *
 * An absent dimension is stored as '' (not NULL) so the unique keys and the report's joins need no NULL handling.
 * The rollups are filled from the rows the views already hold (clicks still inside the click-view retention, every
 * conversion); migrations run before the consumers start, so nothing is counted twice.
 */
export class ReportRollups1796860800000 implements MigrationInterface {
  name = 'ReportRollups1796860800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE report_click_rollup (
      account_id text NOT NULL,
      bucket timestamptz NOT NULL,
      campaign_id text NOT NULL DEFAULT '',
      traffic_channel_id text NOT NULL DEFAULT '',
      offer_id text NOT NULL DEFAULT '',
      offer_source_id text NOT NULL DEFAULT '',
      clicks bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (account_id, bucket, campaign_id, traffic_channel_id, offer_id, offer_source_id)
    )`);
    await q.query(`CREATE TABLE report_conversion_rollup (
      account_id text NOT NULL,
      bucket timestamptz NOT NULL,
      campaign_id text NOT NULL DEFAULT '',
      traffic_channel_id text NOT NULL DEFAULT '',
      offer_id text NOT NULL DEFAULT '',
      offer_source_id text NOT NULL DEFAULT '',
      conversion_type_id text NOT NULL DEFAULT '',
      currency text NOT NULL DEFAULT '',
      conversions bigint NOT NULL DEFAULT 0,
      revenue numeric(28, 8) NOT NULL DEFAULT 0,
      PRIMARY KEY (account_id, bucket, campaign_id, traffic_channel_id, offer_id, offer_source_id,
        conversion_type_id, currency)
    )`);
    await q.query(`INSERT INTO report_click_rollup (account_id, bucket, campaign_id, traffic_channel_id, offer_id,
        offer_source_id, clicks)
      SELECT account_id, date_bin('15 minutes', clicked_at, 'epoch'), coalesce(campaign_id, ''),
        coalesce(traffic_channel_id, ''), coalesce(offer_id, ''), coalesce(offer_source_id, ''), count(*)
      FROM click_view GROUP BY 1, 2, 3, 4, 5, 6`);
    await q.query(`INSERT INTO report_conversion_rollup (account_id, bucket, campaign_id, traffic_channel_id, offer_id,
        offer_source_id, conversion_type_id, currency, conversions, revenue)
      SELECT account_id, date_bin('15 minutes', received_at, 'epoch'), coalesce(campaign_id, ''),
        coalesce(traffic_channel_id, ''), coalesce(offer_id, ''), coalesce(offer_source_id, ''),
        coalesce(conversion_type_id, ''), coalesce(upper(currency), ''), count(*), coalesce(sum(payout), 0)
      FROM conversion GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`);
    // Pixel.deliveryStats: the deliveries of one pixel of one account.
    await q.query(`CREATE INDEX delivery_by_pixel ON delivery (account_id, pixel_id, updated_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS delivery_by_pixel`);
    await q.query(`DROP TABLE IF EXISTS report_conversion_rollup`);
    await q.query(`DROP TABLE IF EXISTS report_click_rollup`);
  }
}
