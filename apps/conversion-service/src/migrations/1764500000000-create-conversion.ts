import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * conversion-service's own tables: the two views fed from Kafka (clicks, config entities), conversions, postbacks
 * waiting for their click, and the delivery-status view fed by the dispatchers.
 */
export class CreateConversion1764500000000 implements MigrationInterface {
  name = 'CreateConversion1764500000000';

  async up(q: QueryRunner): Promise<void> {
    // View of click.recorded.v1 (this service never reads campaign-service's database).
    await q.query(`CREATE TABLE click_view (
      click_id text PRIMARY KEY,
      account_id text NOT NULL,
      campaign_id text NOT NULL,
      traffic_channel_id text NOT NULL,
      traffic_channel_template text NOT NULL,
      offer_id text NOT NULL,
      offer_source_id text NULL,
      tracking_method text NOT NULL,
      sc_click_id text NULL,
      ip text NULL,
      user_agent text NULL,
      referrer text NULL,
      landing_url text NULL,
      params jsonb NOT NULL DEFAULT '{}'::jsonb,
      clicked_at timestamptz NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now()
    )`);

    // View of config.entity.v1: per entity key, the highest version seen.
    await q.query(`CREATE TABLE config_entity (
      key text PRIMARY KEY,
      entity_type text NOT NULL,
      entity_id text NOT NULL,
      account_id text NOT NULL,
      version bigint NOT NULL,
      deleted boolean NOT NULL,
      data jsonb NULL,
      updated_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX config_entity_by_account ON config_entity (entity_type, account_id) WHERE NOT deleted`);
    await q.query(
      `CREATE INDEX config_entity_hostname ON config_entity (lower(data->>'hostname')) WHERE ` +
        `entity_type = 'tracking_domain' AND NOT deleted`,
    );

    await q.query(`CREATE TABLE conversion (
      id uuid PRIMARY KEY,
      account_id text NOT NULL,
      event_id text NOT NULL,
      status text NOT NULL CHECK (status IN ('attributed', 'unattributed', 'expired_click')),
      conversion_type_id text NULL,
      type text NOT NULL,
      duplicate_policy text NOT NULL,
      dedup_key text NULL,
      payout numeric(20, 8) NULL,
      currency text NULL,
      transaction_id text NULL,
      occurred_at timestamptz NOT NULL,
      received_at timestamptz NOT NULL,
      click_id text NULL,
      clicked_at timestamptz NULL,
      campaign_id text NULL,
      traffic_channel_id text NULL,
      traffic_channel_template text NULL,
      offer_id text NULL,
      offer_source_id text NULL,
      user_data jsonb NOT NULL DEFAULT '{}'::jsonb,
      prehashed text[] NOT NULL DEFAULT '{}',
      pending_id uuid NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    // Duplicate policies are enforced by this index: dedup_key is null for policy "create".
    await q.query(
      `CREATE UNIQUE INDEX conversion_dedup ON conversion (account_id, dedup_key) WHERE dedup_key IS NOT NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX conversion_from_pending ON conversion (pending_id) WHERE pending_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX conversion_by_account ON conversion (account_id, received_at DESC, id DESC)`);
    await q.query(`CREATE INDEX conversion_by_campaign ON conversion (account_id, campaign_id, received_at DESC)`);
    await q.query(`CREATE INDEX conversion_by_offer ON conversion (account_id, offer_id, received_at DESC)`);
    await q.query(
      `CREATE INDEX conversion_by_channel ON conversion (account_id, traffic_channel_id, received_at DESC)`,
    );

    // Postbacks that arrived before their click. Hashed customer data only.
    await q.query(`CREATE TABLE pending_postback (
      id uuid PRIMARY KEY,
      click_id text NOT NULL,
      account_id text NULL,
      host text NULL,
      state text NOT NULL CHECK (state IN ('pending', 'orphaned', 'attributed', 'unattributed', 'duplicate',
        'rejected')),
      type text NULL,
      payout numeric(20, 8) NULL,
      currency text NULL,
      explicit_event_id text NULL,
      transaction_id text NULL,
      token_sha256 text NULL,
      user_data jsonb NOT NULL DEFAULT '{}'::jsonb,
      prehashed text[] NOT NULL DEFAULT '{}',
      received_at timestamptz NOT NULL,
      resolved_at timestamptz NULL,
      reason text NULL,
      conversion_id uuid NULL
    )`);
    await q.query(
      `CREATE INDEX pending_postback_open ON pending_postback (click_id) WHERE state IN ('pending', 'orphaned')`,
    );
    await q.query(`CREATE INDEX pending_postback_due ON pending_postback (received_at) WHERE state = 'pending'`);

    // View of delivery.result.v1: per (conversion, destination, pixel) the highest revision.
    await q.query(`CREATE TABLE delivery (
      conversion_id text NOT NULL,
      destination text NOT NULL,
      pixel_id text NOT NULL,
      account_id text NOT NULL,
      status text NOT NULL,
      reason_code text NULL,
      message text NULL,
      attempts integer NOT NULL,
      http_status integer NULL,
      event_name text NULL,
      event_id text NULL,
      test_mode boolean NOT NULL DEFAULT false,
      placements text[] NOT NULL DEFAULT '{}',
      next_attempt_at timestamptz NULL,
      delivered_at timestamptz NULL,
      updated_at timestamptz NOT NULL,
      revision bigint NOT NULL,
      command_id text NULL,
      PRIMARY KEY (conversion_id, destination, pixel_id)
    )`);

    // Commands this service issued (redeliver, backfill) and the results that named them.
    await q.query(`CREATE TABLE delivery_command (
      id uuid PRIMARY KEY,
      account_id text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('redeliver', 'backfill')),
      conversion_count integer NULL,
      pixel_id text NULL,
      pixel_config_id text NULL,
      since_days integer NULL,
      requested_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX delivery_command_by_account ON delivery_command (account_id, requested_at DESC)`);
    await q.query(`CREATE TABLE delivery_command_result (
      command_id text NOT NULL,
      conversion_id text NOT NULL,
      destination text NOT NULL,
      pixel_id text NOT NULL,
      status text NOT NULL,
      revision bigint NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (command_id, conversion_id, destination, pixel_id)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'delivery_command_result',
      'delivery_command',
      'delivery',
      'pending_postback',
      'conversion',
      'config_entity',
      'click_view',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
