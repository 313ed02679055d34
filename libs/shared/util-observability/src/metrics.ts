import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric name Snaptrack exposes besides prom-client's default process metrics (`process_*`, `nodejs_*`).
 * Dashboards and alert rules refer to these; a test checks that every panel's metric is listed here.
 */
export const METRIC_NAMES = {
  httpRequestDuration: 'snaptrack_http_request_duration_seconds',
  postbacks: 'snaptrack_postbacks_total',
  clicks: 'snaptrack_clicks_total',
  kafkaConsumerLag: 'snaptrack_kafka_consumer_lag',
  outboxPending: 'snaptrack_outbox_pending_rows',
  outboxOldestAge: 'snaptrack_outbox_oldest_age_seconds',
  configViewRevision: 'snaptrack_config_view_revision',
  configViewLag: 'snaptrack_config_view_lag_messages',
  deliveries: 'snaptrack_deliveries_total',
  snapRequestDuration: 'snaptrack_snap_request_duration_seconds',
  snapBatchSize: 'snaptrack_snap_batch_size',
  retryQueueDepth: 'snaptrack_delivery_retry_queue_depth',
  pausedTokens: 'snaptrack_paused_tokens',
} as const;

/** Label values must be bounded and free of tokens, ids and customer data: anything else becomes "other". */
const SAFE_LABEL = /^[A-Za-z0-9_.:/-]{1,64}$/;
export function safeLabel(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return 'none';
  const s = String(value);
  return SAFE_LABEL.test(s) ? s : 'other';
}

export type PostbackOutcome = 'accepted' | 'duplicate' | 'pending' | 'ignored' | 'refused';

/**
 * One registry per service instance (in-process tests run several services without collisions), with the default
 * process metrics and Snaptrack's families, each created on first use so a service exposes only what it records.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly families = new Map<string, Counter | Gauge | Histogram>();

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private family<T extends Counter | Gauge | Histogram>(name: string, make: () => T): T {
    let f = this.families.get(name);
    if (!f) {
      f = make();
      this.families.set(name, f);
    }
    return f as T;
  }

  get httpRequestDuration(): Histogram<'method' | 'route' | 'status'> {
    return this.family(
      METRIC_NAMES.httpRequestDuration,
      () =>
        new Histogram({
          name: METRIC_NAMES.httpRequestDuration,
          help: 'HTTP request duration by method, route template and status code',
          labelNames: ['method', 'route', 'status'],
          buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
          registers: [this.registry],
        }),
    );
  }

  /** Postbacks by outcome; `reason` is the refusal's error code (`none` for the other outcomes). */
  postback(outcome: PostbackOutcome, reason?: string): void {
    this.family(
      METRIC_NAMES.postbacks,
      () =>
        new Counter({
          name: METRIC_NAMES.postbacks,
          help: 'Postbacks by outcome (accepted, duplicate, pending, ignored, refused) and refusal reason code',
          labelNames: ['outcome', 'reason'],
          registers: [this.registry],
        }),
    ).inc({ outcome, reason: safeLabel(reason) });
  }

  /** Clicks by outcome: `recorded`, or why not (`unknown_campaign`, `paused`, `no_offer`, `refused`, …). */
  click(outcome: string, method: string): void {
    this.family(
      METRIC_NAMES.clicks,
      () =>
        new Counter({
          name: METRIC_NAMES.clicks,
          help: 'Clicks by outcome and tracking method (redirect or direct)',
          labelNames: ['outcome', 'method'],
          registers: [this.registry],
        }),
    ).inc({ outcome: safeLabel(outcome), method: safeLabel(method) });
  }

  /** Dispatcher: deliveries by final or interim status and reason code. */
  delivery(status: string, reason: string | null | undefined, n = 1): void {
    if (n <= 0) return;
    this.family(
      METRIC_NAMES.deliveries,
      () =>
        new Counter({
          name: METRIC_NAMES.deliveries,
          help: 'Deliveries to Snapchat by status (sent, retry, failed, skipped, …) and reason code',
          labelNames: ['status', 'reason'],
          registers: [this.registry],
        }),
    ).inc({ status: safeLabel(status), reason: safeLabel(reason) }, n);
  }

  /** Dispatcher: one Conversions API request; `status` is the HTTP status, or `network`/`timeout`. */
  snapRequest(status: number | string, seconds: number, batchSize: number): void {
    this.family(
      METRIC_NAMES.snapRequestDuration,
      () =>
        new Histogram({
          name: METRIC_NAMES.snapRequestDuration,
          help: 'Snapchat Conversions API request duration by HTTP status (or network / timeout)',
          labelNames: ['status'],
          buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
          registers: [this.registry],
        }),
    ).observe({ status: safeLabel(status) }, seconds);
    this.family(
      METRIC_NAMES.snapBatchSize,
      () =>
        new Histogram({
          name: METRIC_NAMES.snapBatchSize,
          help: 'Events per Snapchat Conversions API request',
          buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2000],
          registers: [this.registry],
        }),
    ).observe(batchSize);
  }

  /**
   * A gauge whose value is read at scrape time. `read` returns one value, or values by label set (label values must
   * already be safe). A read that fails, or takes longer than `readTimeoutMs` (Kafka or the database unreachable),
   * leaves the gauge without samples (NaN for a gauge without labels) for that scrape, so /metrics answers quickly.
   */
  gaugeFrom<L extends string>(
    name: string,
    help: string,
    labelNames: L[],
    read: () => Promise<number | Array<{ labels: Record<L, string>; value: number }>>,
    readTimeoutMs = 2000,
  ): void {
    if (this.families.has(name)) throw new Error(`metric ${name} is already registered`);
    const gauge: Gauge<L> = new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        gauge.reset();
        let got: Awaited<ReturnType<typeof read>>;
        let timer: NodeJS.Timeout | undefined;
        try {
          got = await Promise.race([
            read(),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error('metric read timed out')), readTimeoutMs);
            }),
          ]);
        } catch {
          // Unknown: no sample (a gauge without labels always has one in prom-client: NaN, never a made-up 0).
          if (!labelNames.length) gauge.set(NaN);
          return;
        } finally {
          clearTimeout(timer);
        }
        if (typeof got === 'number') gauge.set(got);
        else for (const { labels, value } of got) gauge.set(labels as Partial<Record<L, string>>, value);
      },
    });
    this.families.set(name, gauge as unknown as Gauge);
  }
}
