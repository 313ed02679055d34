import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tracking domains: a hostname belongs to at most one account (unique across accounts), and serves traffic only once
 * the account proved it controls it (DNS TXT record `_snaptrack.<hostname>` = `snaptrack-verification=<token>`).
 *
 * Existing domains become PENDING with a fresh random token (nobody proved them). Where several accounts had added
 * the same hostname, the oldest claim keeps it and every later claim is renamed to `<id>.released.invalid` (a reserved
 * top-level domain that never resolves, so it can never be verified), bumping its version; the account sees the
 * renamed domain and can delete it.
 */
export class TrackingDomainVerification1796604900000 implements MigrationInterface {
  name = 'TrackingDomainVerification1796604900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tracking_domain
      ADD COLUMN verification_token text NULL,
      ADD COLUMN verification_status text NOT NULL DEFAULT 'PENDING'
        CHECK (verification_status IN ('PENDING', 'VERIFIED')),
      ADD COLUMN verified_at timestamptz(3) NULL`);
    // gen_random_uuid() is built in since PostgreSQL 13 and draws from the strong random source.
    await q.query(`UPDATE tracking_domain SET verification_token = replace(gen_random_uuid()::text, '-', '')`);
    await q.query(`ALTER TABLE tracking_domain ALTER COLUMN verification_token SET NOT NULL`);
    await q.query(`UPDATE tracking_domain d SET hostname = d.id::text || '.released.invalid',
        version = d.version + 1, updated_at = now()
      WHERE EXISTS (SELECT 1 FROM tracking_domain o WHERE lower(o.hostname) = lower(d.hostname)
        AND (o.created_at, o.id) < (d.created_at, d.id))`);
    await q.query(`CREATE UNIQUE INDEX tracking_domain_hostname_global ON tracking_domain (lower(hostname))`);
    await q.query(`DROP INDEX tracking_domain_account_hostname`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE UNIQUE INDEX tracking_domain_account_hostname ON tracking_domain (account_id, hostname)`);
    await q.query(`DROP INDEX tracking_domain_hostname_global`);
    await q.query(`ALTER TABLE tracking_domain DROP COLUMN verification_token, DROP COLUMN verification_status,
      DROP COLUMN verified_at`);
  }
}
