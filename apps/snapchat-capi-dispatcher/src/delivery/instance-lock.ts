import type { DataSource } from 'typeorm';
import { INSTANCE_LOCK_CLASS } from './delivery.service';

/**
 * Each running dispatcher takes an instance number and holds a session advisory lock on it for its whole life, on a
 * connection of its own. Rows it claimed (`claimed_by`) become claimable again the moment that lock is gone — a
 * SIGKILL closes the connection — instead of only when their lease runs out.
 */
export async function acquireInstanceLock(ds: DataSource): Promise<{ instanceNo: number; release(): Promise<void> }> {
  const qr = ds.createQueryRunner();
  await qr.connect();
  const [{ n }] = (await qr.query(`SELECT nextval('dispatcher_instance_seq')::int AS n`)) as Array<{ n: number }>;
  await qr.query(`SELECT pg_advisory_lock($1::int, $2::int)`, [INSTANCE_LOCK_CLASS, n]);
  let released = false;
  return {
    instanceNo: n,
    release: async () => {
      if (released) return;
      released = true;
      await qr.query(`SELECT pg_advisory_unlock($1::int, $2::int)`, [INSTANCE_LOCK_CLASS, n]).catch(() => undefined);
      await qr.release();
    },
  };
}
