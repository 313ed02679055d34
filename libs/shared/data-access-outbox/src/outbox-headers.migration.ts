import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Kafka headers per outbox row (the writer's W3C `traceparent`, so a trace continues through the outbox). Shared like
 * CreateOutbox: list it after CreateOutbox1764400000000 in the service's migrations.
 */
export class OutboxHeaders1797033600000 implements MigrationInterface {
  name = 'OutboxHeaders1797033600000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox_message ADD COLUMN IF NOT EXISTS headers jsonb NULL`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox_message DROP COLUMN IF EXISTS headers`);
  }
}
