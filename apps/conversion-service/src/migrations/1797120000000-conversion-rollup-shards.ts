import type { MigrationInterface, QueryRunner } from 'typeorm';

const KEY = `account_id, bucket, campaign_id, traffic_channel_id, offer_id, offer_source_id, conversion_type_id,
  currency`;

/**
 * `report_conversion_rollup` gets a `shard` column in its key. Every conversion write adds its counts to one shard of
 * each rollup row it touches (see ROLLUP_SHARDS in conversion.service.ts), so concurrent writes of one account and
 * bucket no longer queue on one row lock until the other commits; the report sums over the shards. Existing rows
 * become shard 0.
 */
export class ConversionRollupShards1797120000000 implements MigrationInterface {
  name = 'ConversionRollupShards1797120000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE report_conversion_rollup ADD COLUMN shard smallint NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE report_conversion_rollup DROP CONSTRAINT report_conversion_rollup_pkey`);
    await q.query(`ALTER TABLE report_conversion_rollup ADD PRIMARY KEY (${KEY}, shard)`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Folds every shard into shard 0, then restores the old key.
    await q.query(`WITH moved AS (
        DELETE FROM report_conversion_rollup WHERE shard <> 0
        RETURNING ${KEY}, conversions, revenue
      )
      INSERT INTO report_conversion_rollup AS r (${KEY}, shard, conversions, revenue)
      SELECT ${KEY}, 0, sum(conversions), sum(revenue) FROM moved GROUP BY ${KEY}
      ON CONFLICT (${KEY}, shard)
        DO UPDATE SET conversions = r.conversions + EXCLUDED.conversions, revenue = r.revenue + EXCLUDED.revenue`);
    await q.query(`ALTER TABLE report_conversion_rollup DROP CONSTRAINT report_conversion_rollup_pkey`);
    await q.query(`ALTER TABLE report_conversion_rollup DROP COLUMN shard`);
    await q.query(`ALTER TABLE report_conversion_rollup ADD PRIMARY KEY (${KEY})`);
  }
}
