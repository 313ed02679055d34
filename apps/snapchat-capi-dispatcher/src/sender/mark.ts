import { markDurably as markWithinLease } from '@snaptrack/delivery-engine';
import type { Outcome } from '../delivery/delivery.service';
import type { Claim, SendContext } from './context';

export { leaseDeadline } from '@snaptrack/delivery-engine';

/**
 * Records outcomes through the engine's markDurably: retried while the database is unreachable, never past the
 * rows' lease (another instance may then take them over), nor long after stop().
 */
export function markDurably(ctx: SendContext, claim: Claim, outcomes: Outcome[]): Promise<void> {
  const { service, log, metrics } = ctx.deps;
  return markWithinLease(claim, outcomes, {
    mark: (claimId, o) => service.mark(claimId, o),
    log,
    network: 'Snapchat',
    stoppedAt: ctx.stoppedAt,
    onMarked: (o) => o.forEach((x) => metrics?.delivery(x.status, x.reasonCode)),
  });
}
