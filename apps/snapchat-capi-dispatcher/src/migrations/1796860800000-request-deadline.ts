import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `delivery.request_deadline`: while a row is `sending`, the time by which its Snap request (if one was started) has
 * certainly ended: set right before the request to now + SNAP_REQUEST_TIMEOUT_MS + a margin, NULL while the claim has
 * not sent it yet. When the claimer's instance lock is gone, another instance takes the row over only once this has
 * passed (or the lease has ended), so a request of an instance that lost its lock but lives on is never resent while
 * it may still be running.
 */
export class RequestDeadline1796860800000 implements MigrationInterface {
  name = 'RequestDeadline1796860800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE delivery ADD COLUMN request_deadline timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE delivery DROP COLUMN request_deadline`);
  }
}
