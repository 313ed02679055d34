import { planRetry, type ItemOutcome, type RetryPolicy } from '@snaptrack/delivery-engine';
import type { Outcome } from '../delivery/delivery.service';
import { TEST_MODE_NOTE, horizonMessage, joinNotes, tooOldMessage } from '../snap-capi/messages';
import { SNAP_MAX_EVENT_AGE_SECONDS } from '../snap-capi/versioning-info';
import type { SenderStats } from './context';
import type { RowItem } from './resolve';

/**
 * The ledger outcome of one engine outcome, with what a person reads: the placement note and the test-mode note on
 * a delivery; for a retryable answer the next attempt (same row, same event_id and event_time) within the retry
 * horizon and before Snap's age limit, else a failure (`too_old` when the age limit is what ran out). `eventTime`
 * is the event's `event_time` (seconds), known for every event that was sent.
 */
export function toLedgerOutcome(
  item: RowItem,
  o: ItemOutcome,
  opts: { policy: RetryPolicy; now: Date; eventTime: number | null; stats: SenderStats },
): Outcome {
  const { row, placements, testMode } = item;
  const base = { id: row.id, httpStatus: o.httpStatus, placements, testMode };
  if (o.status === 'delivered') {
    opts.stats.delivered++;
    return { ...base, status: 'delivered', message: joinNotes(item.note, testMode ? TEST_MODE_NOTE : null) };
  }
  if (o.status === 'failed') {
    opts.stats.failed++;
    return { ...base, status: 'failed', reasonCode: o.reasonCode, message: o.message };
  }
  const plan = planRetry(
    {
      attempts: row.attempts,
      cycleStartedAt: new Date(row.cycle_started_at),
      now: opts.now,
      minDelayMs: o.retryAfterMs ?? 0,
      expiresAt: opts.eventTime === null ? null : new Date((opts.eventTime + SNAP_MAX_EVENT_AGE_SECONDS) * 1000),
    },
    opts.policy,
  );
  if ('giveUp' in plan) {
    opts.stats.failed++;
    if (plan.giveUp === 'too_old') return tooOldOutcome(item, { httpStatus: o.httpStatus, message: o.message });
    const message = horizonMessage(opts.policy.horizonMs, row.attempts, o.message ?? '');
    return { ...base, status: 'failed', reasonCode: o.reasonCode, message };
  }
  opts.stats.retried++;
  return { ...base, status: 'retrying', reasonCode: o.reasonCode, message: o.message, nextAttemptAt: plan.retryAt };
}

/** The event is (or would be by its next attempt) older than Snap accepts: failed `too_old`, never sent again. */
export function tooOldOutcome(
  item: RowItem,
  last: { httpStatus: number | null; message: string | null } | null,
): Outcome {
  return {
    id: item.row.id,
    status: 'failed',
    httpStatus: last?.httpStatus ?? null,
    reasonCode: 'too_old',
    message: tooOldMessage(item.row.attempts, last?.message ?? null),
    placements: item.placements,
    testMode: item.testMode,
  };
}
