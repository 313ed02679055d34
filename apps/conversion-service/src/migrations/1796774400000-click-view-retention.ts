import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `click_view_clicked_at`: the retention job deletes clicks of the view older than CLICK_RETENTION_DAYS, oldest first
 * in batches, by `clicked_at`. Plain CREATE INDEX in the migration's transaction: click inserts wait while it builds.
 */
export class ClickViewRetention1796774400000 implements MigrationInterface {
  name = 'ClickViewRetention1796774400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS click_view_clicked_at ON click_view (clicked_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS click_view_clicked_at`);
  }
}
