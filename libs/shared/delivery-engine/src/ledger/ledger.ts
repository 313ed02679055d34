/**
 * The delivery ledger, destination-neutral: one row per (conversion, target), claimed by one instance at a time under
 * a lease, marked with each outcome. `PostgresLedger` (postgres-ledger.ts) is the adapter a dispatcher uses; the
 * row's network-specific parts (event id rule, payloads, what is published) come from the app through its options.
 *
 *   pending | retrying ──claim──▶ sending ──mark──▶ delivered | retrying | failed | skipped
 *                                    └──release──▶ pending | retrying (unsent: the attempt does not count)
 */

/** What a claim yields at least (the adapter's `returning` columns may add more). */
export interface LedgerRow {
  id: string;
  status: string;
  attempts: number;
  event_id: string;
  cycle_started_at: Date;
}

export type FinalStatus = 'delivered' | 'skipped' | 'retrying' | 'failed';

/** One outcome to record on a claimed row. */
export interface Outcome {
  id: string;
  status: FinalStatus;
  httpStatus?: number | null;
  reasonCode?: string | null;
  message?: string | null;
  /** Required for `retrying`. */
  nextAttemptAt?: Date | null;
  testMode?: boolean;
  placements?: string[];
}

/** A target with due work: the scope columns' values (account, target id). */
export interface DueTarget {
  scope: string;
  target: string;
}

/** The ledger operations the sender side of a dispatcher uses (PostgresLedger implements them). */
export interface LedgerPort<R extends LedgerRow> {
  dueTargets(limit?: number): Promise<DueTarget[]>;
  claim(
    scope: string,
    target: string,
    limit: number,
    instanceNo: number,
    leaseMs: number,
    claimId?: string,
    requestDeadlineMs?: number,
  ): Promise<{ claimId: string; rows: R[] }>;
  refreshLease(claimId: string, ids: string[], leaseMs: number, requestMs: number): Promise<Set<string>>;
  release(claimId: string, ids: string[], until: Date): Promise<void>;
  releaseClaim(claimId: string): Promise<number>;
  mark(claimId: string, outcomes: Outcome[]): Promise<unknown[]>;
  failWaiting(
    scope: string,
    target: string,
    ids: string[],
    outcome: { httpStatus: number | null; reasonCode: string; message: string },
  ): Promise<number>;
  deferWaiting(scope: string, target: string, ids: string[], until: Date): Promise<void>;
  pauseCredential(key: string, until: Date): Promise<void>;
  activePauses(): Promise<Map<string, number>>;
  cleanupPauses(): Promise<void>;
}

/** TypeORM answers UPDATE/DELETE … RETURNING with [rows, count] and INSERT/SELECT with rows. */
export function rowsOf<T>(res: unknown): T[] {
  if (Array.isArray(res) && res.length === 2 && Array.isArray(res[0]) && typeof res[1] === 'number')
    return res[0] as T[];
  return (res as T[]) ?? [];
}
