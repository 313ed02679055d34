import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `delivery.event_id_fixed`: whether the row's Snap `event_id` is final. The sender decides it (docs/snap-capi.md
 * "Event ID and deduplication", including the PURCHASE → transaction id rule that depends on the pixel's mapping)
 * when it first claims the row, and never changes it afterwards. Rows that exist before this migration keep the id
 * they may already have been sent with.
 */
export class EventIdFixed1764600000000 implements MigrationInterface {
  name = 'EventIdFixed1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE delivery ADD COLUMN event_id_fixed boolean NOT NULL DEFAULT true`);
    await q.query(`ALTER TABLE delivery ALTER COLUMN event_id_fixed SET DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE delivery DROP COLUMN event_id_fixed`);
  }
}
