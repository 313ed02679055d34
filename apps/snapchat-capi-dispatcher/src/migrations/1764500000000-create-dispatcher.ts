import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateDispatcher1764500000000 implements MigrationInterface {
  name = 'CreateDispatcher1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE config_entity (
      entity_type text NOT NULL,
      id text NOT NULL,
      account_id text NOT NULL,
      version bigint NOT NULL,
      deleted boolean NOT NULL,
      data jsonb NULL,
      updated_at timestamptz NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (entity_type, id)
    )`);
    await q.query(
      `CREATE INDEX config_entity_live_pixels ON config_entity (account_id) WHERE entity_type = 'pixel' ` +
        `AND NOT deleted`,
    );

    await q.query(`CREATE TABLE conversion (
      id uuid PRIMARY KEY,
      account_id text NOT NULL,
      event_id text NOT NULL,
      status text NOT NULL,
      conversion_type_id text NULL,
      traffic_channel_id text NULL,
      offer_id text NULL,
      occurred_at timestamptz NOT NULL,
      payload jsonb NOT NULL,
      consumed_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(
      `CREATE INDEX conversion_by_channel ON conversion (account_id, traffic_channel_id, occurred_at) ` +
        `WHERE status = 'attributed'`,
    );
    await q.query(
      `CREATE INDEX conversion_by_offer ON conversion (account_id, offer_id, occurred_at) WHERE status = 'attributed'`,
    );

    await q.query(`CREATE TABLE delivery (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      conversion_id uuid NOT NULL REFERENCES conversion (id),
      pixel_id text NOT NULL,
      account_id text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'sending', 'delivered', 'skipped', 'retrying', 'failed')),
      attempts int NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NULL,
      lease_until timestamptz NULL,
      claim_id uuid NULL,
      claimed_by int NULL,
      event_id text NOT NULL,
      event_name text NULL,
      http_status int NULL,
      reason_code text NULL,
      message text NULL,
      placements text[] NOT NULL,
      test_mode boolean NOT NULL DEFAULT false,
      command_id text NULL,
      revision int NOT NULL DEFAULT 0,
      cycle_started_at timestamptz NOT NULL DEFAULT now(),
      delivered_at timestamptz NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT delivery_conversion_pixel UNIQUE (conversion_id, pixel_id)
    )`);
    await q.query(
      `CREATE INDEX delivery_active ON delivery (account_id, pixel_id, next_attempt_at) WHERE status IN ` +
        `('pending', 'retrying', 'sending')`,
    );
    await q.query(
      `CREATE INDEX delivery_due ON delivery (next_attempt_at) WHERE status IN ('pending', 'retrying', 'sending')`,
    );
    await q.query(`CREATE INDEX delivery_by_pixel ON delivery (account_id, pixel_id, status)`);

    await q.query(`CREATE TABLE token_pause (token_key text PRIMARY KEY, paused_until timestamptz NOT NULL)`);
    // Each running instance takes a number and holds an advisory lock on it; a claim whose holder is gone is free.
    await q.query(`CREATE SEQUENCE dispatcher_instance_seq AS int CYCLE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SEQUENCE dispatcher_instance_seq`);
    await q.query(`DROP TABLE token_pause`);
    await q.query(`DROP TABLE delivery`);
    await q.query(`DROP TABLE conversion`);
    await q.query(`DROP TABLE config_entity`);
  }
}
