import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAccounts1764400100000 implements MigrationInterface {
  name = 'CreateAccounts1764400100000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE account (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE api_key (
      id text PRIMARY KEY,
      account_id uuid NOT NULL REFERENCES account(id) ON DELETE CASCADE,
      name text NOT NULL,
      secret_sha256 text NOT NULL,
      hint text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz NULL,
      last_used_at timestamptz NULL
    )`);
    await q.query(`CREATE INDEX api_key_account ON api_key (account_id)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_key`);
    await q.query(`DROP TABLE account`);
  }
}
