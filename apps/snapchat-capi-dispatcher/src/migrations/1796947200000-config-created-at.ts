import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `config_entity.created_at`: when the entity was created, as far as this view knows: the `updated_at` of the first
 * version it applied (a new entity's first version is its creation), kept by later versions. A new or changed pixel
 * placement re-targets the conversions received since then (minus RETARGET_CLOCK_SKEW_MS). Existing rows take their
 * current `updated_at`, the best value known.
 */
export class ConfigCreatedAt1796947200000 implements MigrationInterface {
  name = 'ConfigCreatedAt1796947200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE config_entity ADD COLUMN created_at timestamptz`);
    await q.query(`UPDATE config_entity SET created_at = updated_at`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE config_entity DROP COLUMN created_at`);
  }
}
