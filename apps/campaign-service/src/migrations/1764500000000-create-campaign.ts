import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateCampaign1764500000000 implements MigrationInterface {
  name = 'CreateCampaign1764500000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE campaign (
      id uuid PRIMARY KEY,
      account_id text NOT NULL,
      key text NOT NULL,
      name text NOT NULL,
      traffic_channel_id text NOT NULL,
      offers jsonb NOT NULL,
      tracking_domain text NULL,
      tracking_method text NOT NULL,
      landing_page_url text NULL,
      fallback_url text NULL,
      status text NOT NULL,
      version integer NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      deleted_at timestamptz NULL
    )`);
    await q.query(`CREATE UNIQUE INDEX campaign_key_unique ON campaign (key)`);
    await q.query(`CREATE INDEX campaign_account_created ON campaign (account_id, created_at, id)`);
    await q.query(`CREATE INDEX campaign_updated ON campaign (updated_at)`);
    await q.query(`CREATE TABLE click (
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
      params jsonb NOT NULL,
      clicked_at timestamptz NOT NULL,
      stored_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX click_campaign_time ON click (campaign_id, clicked_at, click_id)`);
    await q.query(`CREATE TABLE campaign_click_count (
      campaign_id text PRIMARY KEY,
      clicks bigint NOT NULL
    )`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE campaign_click_count`);
    await q.query(`DROP TABLE click`);
    await q.query(`DROP TABLE campaign`);
  }
}
