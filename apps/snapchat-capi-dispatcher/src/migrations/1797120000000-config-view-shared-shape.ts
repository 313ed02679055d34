import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `config_entity` takes the shared config view row shape of @snaptrack/data-access-config-view (the dispatcher's view
 * is now written by its PostgresConfigViewStore): a `key` column (`<entity_type>:<id>`) becomes the primary key and
 * `id` is renamed `entity_id`. The rows stay where they are (no replay needed); `created_at` and `received_at` stay
 * as the dispatcher's own columns, stamped after each apply.
 */
export class ConfigViewSharedShape1797120000000 implements MigrationInterface {
  name = 'ConfigViewSharedShape1797120000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE config_entity ADD COLUMN key text`);
    await q.query(`UPDATE config_entity SET key = entity_type || ':' || id`);
    await q.query(`ALTER TABLE config_entity ALTER COLUMN key SET NOT NULL`);
    await q.query(`ALTER TABLE config_entity DROP CONSTRAINT config_entity_pkey`);
    await q.query(`ALTER TABLE config_entity ADD CONSTRAINT config_entity_pkey PRIMARY KEY (key)`);
    await q.query(`ALTER TABLE config_entity RENAME COLUMN id TO entity_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE config_entity RENAME COLUMN entity_id TO id`);
    await q.query(`ALTER TABLE config_entity DROP CONSTRAINT config_entity_pkey`);
    await q.query(`ALTER TABLE config_entity ADD CONSTRAINT config_entity_pkey PRIMARY KEY (entity_type, id)`);
    await q.query(`ALTER TABLE config_entity DROP COLUMN key`);
  }
}
