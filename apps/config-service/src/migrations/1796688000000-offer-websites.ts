import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Websites: an offer of kind WEBSITE is the advertiser's own site. It keeps its hostname, the origins whose pages may
 * report conversions from the browser, and the SHA-256 (plus a 4-character hint) of the secret its shop backend
 * presents to `POST /conversions`. Existing offers become kind OFFER (nothing changes for them).
 */
export class OfferWebsites1796688000000 implements MigrationInterface {
  name = 'OfferWebsites1796688000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE offer
      ADD COLUMN kind text NOT NULL DEFAULT 'OFFER' CHECK (kind IN ('OFFER', 'WEBSITE')),
      ADD COLUMN domain text NULL,
      ADD COLUMN allowed_origins text[] NOT NULL DEFAULT '{}',
      ADD COLUMN conversion_secret_sha256 text NULL,
      ADD COLUMN conversion_secret_hint text NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE offer DROP COLUMN kind, DROP COLUMN domain, DROP COLUMN allowed_origins,
      DROP COLUMN conversion_secret_sha256, DROP COLUMN conversion_secret_hint`);
  }
}
