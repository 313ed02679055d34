import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Postback secrets decide the account of a pending postback (its offer source, found by secret hash); pending
 * postbacks expire; exact replays of a postback are recognised by the SHA-256 of the canonical request.
 */
export class PostbackSecrets1796601600000 implements MigrationInterface {
  name = 'PostbackSecrets1796601600000';

  async up(q: QueryRunner): Promise<void> {
    // Offer sources by current / previous postback secret hash (unknown-click postbacks look them up).
    await q.query(`CREATE INDEX config_entity_postback_secret ON config_entity ((data->>'postback_token_sha256'))
      WHERE entity_type = 'offer_source'`);
    await q.query(`CREATE INDEX config_entity_previous_postback_secret
      ON config_entity ((data->>'previous_postback_token_sha256')) WHERE entity_type = 'offer_source'`);

    await q.query(
      `ALTER TABLE pending_postback ADD COLUMN offer_source_id text NULL, ADD COLUMN request_key text NULL`,
    );
    await q.query(`CREATE UNIQUE INDEX pending_postback_request ON pending_postback (request_key)
      WHERE request_key IS NOT NULL`);
    await q.query(`CREATE INDEX pending_postback_by_account ON pending_postback (account_id)
      WHERE state IN ('pending', 'orphaned')`);
    await q.query(`CREATE INDEX pending_postback_received ON pending_postback (received_at)`);

    // One row per postback request that recorded (or was answered with) a conversion, for 24 hours.
    await q.query(`CREATE TABLE postback_request (
      request_key text PRIMARY KEY,
      account_id text NOT NULL,
      conversion_id uuid NOT NULL,
      received_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX postback_request_received ON postback_request (received_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE postback_request`);
    await q.query(`DROP INDEX pending_postback_received`);
    await q.query(`DROP INDEX pending_postback_by_account`);
    await q.query(`DROP INDEX pending_postback_request`);
    await q.query(`ALTER TABLE pending_postback DROP COLUMN offer_source_id, DROP COLUMN request_key`);
    await q.query(`DROP INDEX config_entity_previous_postback_secret`);
    await q.query(`DROP INDEX config_entity_postback_secret`);
  }
}
