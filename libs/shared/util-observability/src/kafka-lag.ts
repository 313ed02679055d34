import type { Admin, Kafka } from 'kafkajs';
import { METRIC_NAMES, type ServiceMetrics } from './metrics';

export interface WatchedGroup {
  groupId: string;
  topic: string;
  /** This group feeds the service's config view: its committed offsets are the view's revision. */
  configView?: boolean;
}

interface Lag {
  groupId: string;
  topic: string;
  partition: number;
  lag: number;
  committed: number;
  configView: boolean;
}

/**
 * Consumer lag by group, topic and partition, read with the Kafka admin API (committed offsets against the topic's
 * high watermarks) when Prometheus scrapes, at most once per `minIntervalMs`. For the config view's group it also
 * gives the view's revision (config.entity.v1 records applied and committed, summed over partitions) and how far it
 * trails (records not yet applied).
 */
export class ConsumerLagWatcher {
  private admin: Admin | null = null;
  private last: { at: number; lags: Promise<Lag[]>; settled: boolean } | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly groups: () => WatchedGroup[],
    private readonly minIntervalMs = 2000,
  ) {}

  register(metrics: ServiceMetrics): this {
    metrics.gaugeFrom(
      METRIC_NAMES.kafkaConsumerLag,
      'Kafka consumer lag (records) by consumer group, topic and partition',
      ['group', 'topic', 'partition'],
      async () =>
        (await this.read()).map((l) => ({
          labels: { group: l.groupId, topic: l.topic, partition: String(l.partition) },
          value: l.lag,
        })),
    );
    if (this.groups().some((g) => g.configView)) {
      metrics.gaugeFrom(
        METRIC_NAMES.configViewRevision,
        "The config view's revision: config.entity.v1 records applied (committed offsets summed over partitions)",
        [],
        async () => sum((await this.read()).filter((l) => l.configView).map((l) => l.committed)),
      );
      metrics.gaugeFrom(
        METRIC_NAMES.configViewLag,
        'How far the config view trails: config.entity.v1 records published but not yet applied',
        [],
        async () => sum((await this.read()).filter((l) => l.configView).map((l) => l.lag)),
      );
    }
    return this;
  }

  /** The latest lags; one fetch at a time (a slow broker never piles up admin requests), at most one per interval. */
  async read(): Promise<Lag[]> {
    const now = Date.now();
    if (!this.last || (this.last.settled && now - this.last.at >= this.minIntervalMs)) {
      const entry = { at: now, lags: this.fetch(), settled: false };
      this.last = entry;
      entry.lags.then(
        () => {
          entry.settled = true;
        },
        () => {
          if (this.last === entry) this.last = null;
        },
      );
    }
    return this.last.lags;
  }

  async stop(): Promise<void> {
    const admin = this.admin;
    this.admin = null;
    await admin?.disconnect().catch(() => undefined);
  }

  private async fetch(): Promise<Lag[]> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    const admin = this.admin;
    const out: Lag[] = [];
    const ends = new Map<string, Map<number, number>>();
    for (const g of this.groups()) {
      let end = ends.get(g.topic);
      if (!end) {
        end = new Map((await admin.fetchTopicOffsets(g.topic)).map((p) => [p.partition, Number(p.high)]));
        ends.set(g.topic, end);
      }
      const [committed] = await admin.fetchOffsets({ groupId: g.groupId, topics: [g.topic] });
      for (const p of committed?.partitions ?? []) {
        const high = end.get(p.partition) ?? 0;
        const at = Number(p.offset) >= 0 ? Number(p.offset) : 0;
        out.push({
          groupId: g.groupId,
          topic: g.topic,
          partition: p.partition,
          lag: Math.max(0, high - at),
          committed: at,
          configView: !!g.configView,
        });
      }
    }
    return out;
  }
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
