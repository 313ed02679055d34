import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Traffic channels, conversion types, pixel placements (+ event mapping), offer sources, offers, tracking domains.
 * Every row carries account_id, created_at/updated_at (millisecond precision, so keyset cursors round-trip through
 * JS Dates exactly) and a version that grows on every change (the version published on config.entity.v1).
 */
export class CreateConfigSchema1764500000000 implements MigrationInterface {
  name = 'CreateConfigSchema1764500000000';

  async up(q: QueryRunner): Promise<void> {
    // Needed for the exclusion constraint below; a trusted extension since PostgreSQL 13 (the database owner may create
    // it).
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
    const audit =
      `created_at timestamptz(3) NOT NULL, updated_at timestamptz(3) NOT NULL, version integer NOT NULL ` +
      `CHECK (version > 0)`;

    await q.query(`CREATE TABLE traffic_channel (
      id uuid PRIMARY KEY,
      account_id text NOT NULL,
      name text NOT NULL,
      template_key text NOT NULL,
      click_id_param text NULL,
      parameters jsonb NOT NULL DEFAULT '[]',
      ${audit}
    )`);
    await q.query(`CREATE INDEX traffic_channel_page ON traffic_channel (account_id, created_at, id)`);

    await q.query(`CREATE TABLE conversion_type (
      id uuid PRIMARY KEY,
      account_id text NOT NULL,
      name text NOT NULL,
      duplicate_policy text NOT NULL CHECK (duplicate_policy IN ('create', 'ignore_same_click',
        'ignore_same_event_id')),
      is_default boolean NOT NULL DEFAULT false,
      ${audit}
    )`);
    await q.query(`CREATE UNIQUE INDEX conversion_type_account_name ON conversion_type (account_id, name)`);
    await q.query(`CREATE UNIQUE INDEX conversion_type_one_default ON conversion_type (account_id) WHERE is_default`);
    await q.query(`CREATE INDEX conversion_type_page ON conversion_type (account_id, created_at, id)`);

    await q.query(`CREATE TABLE tracking_domain (
      id uuid PRIMARY KEY,
      account_id text NOT NULL,
      hostname text NOT NULL,
      is_default boolean NOT NULL DEFAULT false,
      ${audit}
    )`);
    await q.query(`CREATE UNIQUE INDEX tracking_domain_account_hostname ON tracking_domain (account_id, hostname)`);
    await q.query(`CREATE UNIQUE INDEX tracking_domain_one_default ON tracking_domain (account_id) WHERE is_default`);
    await q.query(`CREATE INDEX tracking_domain_page ON tracking_domain (account_id, created_at, id)`);

    await q.query(`CREATE TABLE offer_source (
      id uuid PRIMARY KEY,
      account_id text NOT NULL,
      name text NOT NULL,
      click_id_param text NOT NULL DEFAULT 'clickid',
      payout_param text NOT NULL DEFAULT 'sum',
      type_param text NOT NULL DEFAULT 'type',
      event_id_param text NOT NULL DEFAULT 'eventid',
      currency_param text NOT NULL DEFAULT 'currency',
      additional_params jsonb NOT NULL DEFAULT '[]',
      postback_token_sha256 text NULL,
      postback_token_hint text NULL,
      click_expiration_days integer NOT NULL DEFAULT 30 CHECK (click_expiration_days BETWEEN 1 AND 365),
      default_currency text NOT NULL DEFAULT 'USD' CHECK (default_currency ~ '^[A-Z]{3}$'),
      default_phone_country text NULL CHECK (default_phone_country ~ '^[A-Z]{2}$'),
      ${audit}
    )`);
    await q.query(`CREATE INDEX offer_source_page ON offer_source (account_id, created_at, id)`);

    await q.query(`CREATE TABLE offer (
      id uuid PRIMARY KEY,
      account_id text NOT NULL,
      name text NOT NULL,
      url text NOT NULL,
      offer_source_id uuid NOT NULL REFERENCES offer_source (id) ON DELETE RESTRICT,
      ${audit}
    )`);
    await q.query(`CREATE INDEX offer_page ON offer (account_id, created_at, id)`);
    await q.query(`CREATE INDEX offer_offer_source ON offer (offer_source_id)`);

    await q.query(`CREATE TABLE pixel (
      id uuid PRIMARY KEY,
      account_id text NOT NULL,
      pixel_id uuid NOT NULL,
      placement_kind text NOT NULL CHECK (placement_kind IN ('channel', 'offer')),
      traffic_channel_id uuid NULL REFERENCES traffic_channel (id) ON DELETE RESTRICT,
      offer_id uuid NULL REFERENCES offer (id) ON DELETE RESTRICT,
      token_key_id text NULL,
      token_ciphertext text NULL,
      token_hint text NULL,
      test_mode boolean NOT NULL DEFAULT false,
      limited_data_use boolean NOT NULL DEFAULT false,
      ${audit},
      CONSTRAINT pixel_placement_target CHECK (
        (placement_kind = 'channel' AND traffic_channel_id IS NOT NULL AND offer_id IS NULL)
        OR (placement_kind = 'offer' AND offer_id IS NOT NULL AND traffic_channel_id IS NULL)),
      CONSTRAINT pixel_token_complete CHECK ((token_key_id IS NULL) = (token_ciphertext IS NULL)),
      -- The no-duplicate-pixel rule: within an account a Snap pixel sits on channels or on offers, never both.
      CONSTRAINT pixel_one_level_per_account EXCLUDE USING gist (account_id WITH =, pixel_id WITH =,
        placement_kind WITH <>)
    )`);
    // The channel's "default data source": at most one per channel.
    await q.query(
      `CREATE UNIQUE INDEX pixel_one_per_channel ON pixel (traffic_channel_id) WHERE traffic_channel_id IS NOT NULL`,
    );
    // The same pixel twice on one offer.
    await q.query(`CREATE UNIQUE INDEX pixel_once_per_offer ON pixel (offer_id, pixel_id) WHERE offer_id IS NOT NULL`);
    await q.query(`CREATE INDEX pixel_page ON pixel (account_id, created_at, id)`);

    await q.query(`CREATE TABLE pixel_event_mapping (
      placement_id uuid NOT NULL REFERENCES pixel (id) ON DELETE CASCADE,
      conversion_type_id uuid NOT NULL REFERENCES conversion_type (id) ON DELETE RESTRICT,
      account_id text NOT NULL,
      snap_event_name text NOT NULL,
      PRIMARY KEY (placement_id, conversion_type_id)
    )`);
    await q.query(`CREATE INDEX pixel_event_mapping_type ON pixel_event_mapping (conversion_type_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'pixel_event_mapping',
      'pixel',
      'offer',
      'offer_source',
      'tracking_domain',
      'conversion_type',
      'traffic_channel',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
