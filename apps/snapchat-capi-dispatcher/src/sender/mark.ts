import type { Outcome } from '../delivery/delivery.service';
import type { Claim, SendContext } from './context';

/** The earliest lease end among these rows (a row without a known lease counts as ended). */
export function leaseDeadline(claim: Pick<Claim, 'leaseUntil'>, outcomes: Array<Pick<Outcome, 'id'>>): number {
  return Math.min(...outcomes.map((o) => claim.leaseUntil.get(String(o.id)) ?? 0));
}

/**
 * Records outcomes, retrying while the database is unreachable: a request that Snapchat answered must not be sent
 * again only because the answer could not be written at once. Gives up when the rows' lease (`lease_until`, set at
 * the claim and extended right before the request) ends, since another instance may then take the rows over, or
 * shortly after stop().
 */
export async function markDurably(ctx: SendContext, claim: Claim, outcomes: Outcome[]): Promise<void> {
  if (!outcomes.length) return;
  const { service, metrics, log } = ctx.deps;
  const deadline = leaseDeadline(claim, outcomes);
  let wait = 100;
  for (;;) {
    try {
      await service.mark(claim.id, outcomes);
      for (const o of outcomes) metrics?.delivery(o.status, o.reasonCode);
      return;
    } catch (e) {
      const stoppedAt = ctx.stoppedAt();
      const late = Date.now() + wait > deadline || (stoppedAt > 0 && Date.now() - stoppedAt > 10_000);
      if (late) {
        log.error("could not record Snapchat's answer; the rows will be claimed again when their lease ends", {
          err: e,
          claim_id: claim.id,
          rows: outcomes.length,
        });
        throw e;
      }
      log.warn("recording Snapchat's answer failed; retrying", {
        err: e,
        claim_id: claim.id,
        rows: outcomes.length,
        retry_in_ms: wait,
      });
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 2000);
    }
  }
}
