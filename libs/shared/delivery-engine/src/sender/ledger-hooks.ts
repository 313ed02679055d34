import type { ItemOutcome } from '../outcomes';
import type { LedgerPort, LedgerRow } from '../ledger/ledger';
import type { Claim } from './claim';

export interface LeaseGuardOptions {
  ledger: Pick<LedgerPort<LedgerRow>, 'refreshLease'>;
  claim: Pick<Claim<{ id: string }>, 'id' | 'leaseUntil' | 'freshUntil'>;
  lock: { readonly held: boolean };
  leaseMs: number;
  /** The request timeout plus a margin: by then a request started now has certainly ended (`request_deadline`). */
  requestDeadlineMs: number;
}

/**
 * The ledger's part of `deliverBatch`'s `beforeRequest` (called inside the request's credential and global slots,
 * so no wait for a slot can outlive the deadline set here): without the instance lock nothing is sent (the rows come
 * back as `withdrawn`, for the caller to release), since another instance may take unsent rows over at any moment;
 * otherwise the rows' lease is extended and their `request_deadline` set, and only the rows the claim still owns
 * (a lease that ran out may have been taken over) may go. Returns those keys.
 *
 * A request that starts before the claim's `freshUntil` needs no write: the claim's own lease and `request_deadline`
 * cover it, and no other claim can have taken a row over since (that needs the lease or the deadline to pass).
 */
export async function refreshLeaseBeforeRequest(o: LeaseGuardOptions, keys: string[]): Promise<string[]> {
  if (!o.lock.held) return [];
  if (o.claim.freshUntil !== undefined && Date.now() < o.claim.freshUntil) return keys;
  const refreshedAt = Date.now();
  const owned = await o.ledger.refreshLease(o.claim.id, keys, o.leaseMs, o.requestDeadlineMs);
  for (const id of owned) o.claim.leaseUntil.set(id, refreshedAt + o.leaseMs);
  return keys.filter((k) => owned.has(k));
}

/**
 * The ledger's part of `onOutcomes`: items the engine left `retrying` without sending them (their credential is
 * paused after a 429) go back to the ledger unsent, due when the pause ends (the attempt does not count). Returns
 * the outcomes that remain to be recorded.
 */
export async function releaseUnsent(
  ledger: Pick<LedgerPort<LedgerRow>, 'release'>,
  claimId: string,
  out: ItemOutcome[],
  nowMs = Date.now(),
): Promise<ItemOutcome[]> {
  const byUntil = new Map<number, string[]>();
  for (const o of out) {
    if (o.status !== 'retrying' || o.sent) continue;
    const until = nowMs + (o.retryAfterMs ?? 0);
    byUntil.set(until, [...(byUntil.get(until) ?? []), o.key]);
  }
  for (const [until, ids] of byUntil) await ledger.release(claimId, ids, new Date(until));
  return out.filter((o) => o.status !== 'retrying' || o.sent);
}
