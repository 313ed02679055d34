import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `click_clicked_at`: the retention job deletes clicks older than CLICK_RETENTION_DAYS oldest first, in batches; the
 * existing `click_campaign_time` index starts with campaign_id and cannot serve `clicked_at < cutoff ORDER BY
 * clicked_at`. Plain CREATE INDEX (in the migration's transaction): the click hot path never touches the database,
 * so the click store only lags while it is built.
 */
export class ClickRetention1796774400000 implements MigrationInterface {
  name = 'ClickRetention1796774400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS click_clicked_at ON click (clicked_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS click_clicked_at`);
  }
}
