import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Conversion copies are deleted CONVERSION_RETENTION_DAYS after they were consumed, while their ledger rows stay (the
 * ledger holds no customer data and is what keeps a conversion at most once per pixel). So:
 * - the foreign key delivery.conversion_id → conversion.id goes: a ledger row now outlives its conversion's copy
 *   (every reader already LEFT JOINs, and the sender treats a missing copy as "missing from the dispatcher database");
 * - `conversion_consumed_at` indexes the column the retention job deletes by, oldest first, in batches.
 */
export class ConversionRetention1796774400000 implements MigrationInterface {
  name = 'ConversionRetention1796774400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DO $$
      DECLARE c text;
      BEGIN
        FOR c IN SELECT conname FROM pg_constraint
                  WHERE conrelid = 'delivery'::regclass AND confrelid = 'conversion'::regclass AND contype = 'f' LOOP
          EXECUTE format('ALTER TABLE delivery DROP CONSTRAINT %I', c);
        END LOOP;
      END $$`);
    await q.query(`CREATE INDEX IF NOT EXISTS conversion_consumed_at ON conversion (consumed_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS conversion_consumed_at`);
    // NOT VALID: ledger rows whose copy was already deleted stay as they are.
    await q.query(
      `ALTER TABLE delivery ADD CONSTRAINT delivery_conversion_id_fkey
         FOREIGN KEY (conversion_id) REFERENCES conversion (id) NOT VALID`,
    );
  }
}
