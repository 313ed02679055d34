import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `click_view.sc_cookie1`: Snapchat's first-party `_scid` cookie as /track.js read it with the click
 * (click.recorded.v1 `sc_cookie1`), copied onto conversion.created.v1 `click.sc_cookie1`. Nullable, no default: adding
 * it rewrites nothing.
 */
export class ClickViewScCookie1796947200000 implements MigrationInterface {
  name = 'ClickViewScCookie1796947200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE click_view ADD COLUMN IF NOT EXISTS sc_cookie1 text NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE click_view DROP COLUMN IF EXISTS sc_cookie1`);
  }
}
