import { METRIC_NAMES, type ServiceMetrics } from './metrics';

/** What the outbox gauges read (data-access-outbox's `OutboxRelay.stats()`). */
export interface OutboxStatsSource {
  stats(): Promise<{ pending: number; oldestAgeSeconds: number }>;
}

/** Outbox depth and the age of its oldest unsent row, read at scrape time. */
export function observeOutbox(metrics: ServiceMetrics, outbox: OutboxStatsSource): void {
  let last: Promise<{ pending: number; oldestAgeSeconds: number }> | null = null;
  // Both gauges are collected in the same scrape: one query serves both.
  const read = () => {
    if (!last) {
      last = outbox.stats();
      const clear = () => setTimeout(() => (last = null), 500).unref();
      last.then(clear, clear);
    }
    return last;
  };
  metrics.gaugeFrom(METRIC_NAMES.outboxPending, 'Outbox rows not yet published to Kafka', [], async () => {
    return (await read()).pending;
  });
  metrics.gaugeFrom(
    METRIC_NAMES.outboxOldestAge,
    'Age in seconds of the oldest outbox row not yet published (0 when none)',
    [],
    async () => (await read()).oldestAgeSeconds,
  );
}
