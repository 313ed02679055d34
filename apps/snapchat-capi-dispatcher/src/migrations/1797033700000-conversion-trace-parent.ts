import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The W3C `traceparent` of the conversion.created.v1 message a conversion came with (null when it had none): the
 * Snapchat request span of its deliveries continues that trace (postback → outbox → Kafka → dispatcher → Snap).
 */
export class ConversionTraceParent1797033700000 implements MigrationInterface {
  name = 'ConversionTraceParent1797033700000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conversion ADD COLUMN IF NOT EXISTS trace_parent text NULL`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conversion DROP COLUMN IF EXISTS trace_parent`);
  }
}
