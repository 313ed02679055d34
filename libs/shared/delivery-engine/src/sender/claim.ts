import type { Logger } from '@snaptrack/util-logger';

/** One claim being worked on: its rows, and which of them may have reached the network. */
export interface Claim<R extends { id: string }> {
  id: string;
  rows: R[];
  /** The claim took as many rows as it could: the backlog is larger, so requests are full-sized. */
  full: boolean;
  /** Rows that were part of a request (they may have landed, so they are never handed back unsent). */
  sent: Set<string>;
  /**
   * When each row's lease ends (epoch ms on this clock, a lower bound: taken before the statement that set
   * `lease_until`): after it, another instance may claim the row and send it again.
   */
  leaseUntil: Map<string, number>;
  /**
   * Until when (epoch ms on this clock, taken before the claim's statement) a request may start without refreshing
   * the lease: the claim set `request_deadline` for such a request (SchedulerOptions `freshClaim`). Unset: every
   * request refreshes.
   */
  freshUntil?: number;
}

/** The earliest lease end among these rows (a row without a known lease counts as ended). */
export function leaseDeadline(claim: Pick<Claim<never>, 'leaseUntil'>, outcomes: Array<{ id: string }>): number {
  return Math.min(...outcomes.map((o) => claim.leaseUntil.get(String(o.id)) ?? 0));
}

export interface DurableMarkOptions<O> {
  mark(claimId: string, outcomes: O[]): Promise<unknown>;
  log: Logger;
  /** The network's name in log lines ("could not record Snapchat's answer"). */
  network: string;
  /** When the sender began stopping (0 while it runs): marking gives up 10 s after that. */
  stoppedAt(): number;
  /** After a successful write (metrics). */
  onMarked?(outcomes: O[]): void;
}

/**
 * Records outcomes, retrying while the database is unreachable: a request the network answered must not be sent
 * again only because the answer could not be written at once. Gives up (throws) when the rows' lease ends, since
 * another instance may then take the rows over, or 10 s after the sender began stopping.
 */
export async function markDurably<O extends { id: string }>(
  claim: Pick<Claim<never>, 'id' | 'leaseUntil'>,
  outcomes: O[],
  opts: DurableMarkOptions<O>,
): Promise<void> {
  if (!outcomes.length) return;
  const deadline = leaseDeadline(claim, outcomes);
  let wait = 100;
  for (;;) {
    try {
      await opts.mark(claim.id, outcomes);
      opts.onMarked?.(outcomes);
      return;
    } catch (e) {
      const stoppedAt = opts.stoppedAt();
      const late = Date.now() + wait > deadline || (stoppedAt > 0 && Date.now() - stoppedAt > 10_000);
      const fields = { err: e, claim_id: claim.id, rows: outcomes.length };
      if (late) {
        opts.log.error(
          `could not record ${opts.network}'s answer; the rows will be claimed again when their lease ends`,
          fields,
        );
        throw e;
      }
      opts.log.warn(`recording ${opts.network}'s answer failed; retrying`, { ...fields, retry_in_ms: wait });
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 2000);
    }
  }
}
