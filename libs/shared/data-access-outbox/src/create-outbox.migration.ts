import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Shared by every service that publishes through an outbox; list it in the service's migrations. */
export class CreateOutbox1764400000000 implements MigrationInterface {
  name = 'CreateOutbox1764400000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE outbox_message (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      topic text NOT NULL,
      key text NOT NULL,
      payload jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz NULL
    )`);
    await q.query(`CREATE INDEX outbox_message_unsent ON outbox_message (id) WHERE sent_at IS NULL`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox_message`);
  }
}
