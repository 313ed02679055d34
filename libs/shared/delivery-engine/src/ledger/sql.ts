/**
 * True when the instance that claimed row `d` no longer holds its advisory lock (shared mode, as instances hold it,
 * instance-lock.ts): it crashed or stopped, or lost its lock's connections while it lives on. Right after Postgres
 * itself (re)started nobody holds a lock yet, while the instances that live on are about to take theirs back: for
 * `graceSeconds` after a start, only an expired lease frees a row.
 */
export function ownerGone(lockClass: number, graceSeconds: number): string {
  return `(NOT EXISTS (
  SELECT 1 FROM pg_locks l
   WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.mode = 'ShareLock'
     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
     AND l.classid = ${Math.trunc(lockClass)}::oid AND l.objid = d.claimed_by::oid)
  AND pg_postmaster_start_time() < now() - interval '${Math.trunc(graceSeconds)} seconds')`;
}

/** Row `d` waits or is in flight: the states a due row is in, and those of the partial indexes over them. */
export const ACTIVE_ROW = `d.status IN ('pending', 'retrying', 'sending')`;

/**
 * A row is due when it waits and its time has come, or when it is `sending` and may be taken over: its lease has
 * ended, or its claimer's lock is gone and no request of it may still be running (`request_deadline` NULL: none
 * may have started; or the deadline, set by the claim or right before a request, has passed). A lost lock does not
 * tell a dead process (SIGKILL: its requests died with it) from a live one whose lock connections were cut (its
 * requests still run and will be answered and marked), so a started request is always waited for.
 */
export function dueCondition(lockClass: number, graceSeconds: number): string {
  return `${ACTIVE_ROW}
  AND (d.next_attempt_at <= now()
       OR (d.status = 'sending' AND (d.request_deadline IS NULL OR d.request_deadline < now())
           AND ${ownerGone(lockClass, graceSeconds)}))`;
}
