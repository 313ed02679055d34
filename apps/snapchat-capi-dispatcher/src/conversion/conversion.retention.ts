import type { RetentionRule } from '@snaptrack/util-db';

/** Ledger states in which a delivery may still be sent, so its conversion's copy is still needed. */
const ACTIVE = `'pending', 'retrying', 'sending'`;

/**
 * What the dispatcher deletes, and what it keeps (see the README, "Data retention"):
 *
 * - the conversion copy (`conversion`: the conversion.created.v1 value with raw IP and user agent, landing URL,
 *   tracking parameters and hashed identifiers) CONVERSION_RETENTION_DAYS after it was consumed (default 90), unless a
 *   delivery of it is still active (pending, retrying or sending: the sender needs the copy to build the request);
 * - the ledger row (`delivery`) is never deleted: it holds ids, status, Snap's answer and the event id, no customer
 *   data, and its unique (conversion_id, pixel_id) is what keeps a conversion at most once per pixel should the same
 *   conversion ever come back (a replayed topic, a reset consumer group). Redeliver and backfill commands only act on
 *   conversions whose copy exists (backfill looks back at most 37 days), so a deleted copy is never re-sent.
 */
export function dispatcherRetentionRules(config: { conversionRetentionDays: number }): RetentionRule[] {
  return [
    {
      name: 'conversion',
      table: 'conversion',
      key: 'id',
      column: 'consumed_at',
      days: config.conversionRetentionDays,
      keepUnless: `NOT EXISTS (SELECT 1 FROM delivery d WHERE d.conversion_id = t.id AND d.status IN (${ACTIVE}))`,
    },
  ];
}
