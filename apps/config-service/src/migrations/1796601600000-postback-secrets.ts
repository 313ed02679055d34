import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Postback secrets by default. The optional postback token becomes the offer source's postback secret (same hash and
 * hint columns); a rotation keeps the previous hash until it expires; `accept_unsigned_postbacks` is the explicit
 * opt-out. Offer sources that existed without a token keep accepting unsigned postbacks (flagged open), those with a
 * token keep requiring it: nothing that worked before breaks.
 */
export class PostbackSecrets1796601600000 implements MigrationInterface {
  name = 'PostbackSecrets1796601600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE offer_source
      ADD COLUMN previous_postback_token_sha256 text NULL,
      ADD COLUMN previous_postback_token_expires_at timestamptz(3) NULL,
      ADD COLUMN accept_unsigned_postbacks boolean NOT NULL DEFAULT false`);
    await q.query(`UPDATE offer_source SET accept_unsigned_postbacks = true WHERE postback_token_sha256 IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE offer_source
      DROP COLUMN previous_postback_token_sha256,
      DROP COLUMN previous_postback_token_expires_at,
      DROP COLUMN accept_unsigned_postbacks`);
  }
}
