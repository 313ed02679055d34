/**
 * The public Kafka API. A topic's version is part of its name: an optional field may be added in place; a rename,
 * removal or change of meaning ships as a new `.vN` topic published alongside the old one for a notice period.
 */
export const TOPICS = {
  configEntityV1: 'config.entity.v1',
  clickRecordedV1: 'click.recorded.v1',
  conversionCreatedV1: 'conversion.created.v1',
  deliveryResultV1: 'delivery.result.v1',
  deliveryCommandV1: 'delivery.command.v1',
  deadLetterV1: 'dead-letter.v1',
} as const;
export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export interface TopicSpec {
  name: TopicName;
  partitions: number;
  config: Record<string, string>;
  key: string;
  doc: string;
}

/** Created explicitly (auto-creation is off on our brokers). */
export const TOPIC_SPECS: TopicSpec[] = [
  {
    name: TOPICS.configEntityV1,
    partitions: 3,
    config: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '60000' },
    key: '<entity_type>:<entity id>',
    doc: 'Latest state of every configuration entity (compacted). Replay from the beginning to rebuild a view.',
  },
  {
    name: TOPICS.clickRecordedV1,
    partitions: 6,
    config: { 'retention.ms': String(45 * 24 * 3600 * 1000) },
    key: 'click_id',
    doc: 'One message per tracked click.',
  },
  {
    name: TOPICS.conversionCreatedV1,
    partitions: 6,
    config: { 'retention.ms': String(14 * 24 * 3600 * 1000) },
    key: 'conversion_id',
    doc: 'One message per conversion (at least once; dedupe by conversion_id).',
  },
  {
    name: TOPICS.deliveryResultV1,
    partitions: 6,
    config: {},
    key: 'conversion_id',
    doc: 'Every delivery outcome per (conversion, destination pixel).',
  },
  {
    name: TOPICS.deliveryCommandV1,
    partitions: 3,
    config: {},
    key: 'account_id',
    doc: 'Requests to dispatchers: redeliver failed deliveries, backfill a new pixel.',
  },
  {
    name: TOPICS.deadLetterV1,
    partitions: 1,
    config: {},
    key: 'source topic key',
    doc: 'Messages a consumer could not decode or that broke the contract, with the reason.',
  },
];

/** Tests and multi-tenant clusters isolate themselves with a prefix (config KAFKA_TOPIC_PREFIX). */
export function topicName(prefix: string, topic: TopicName): string {
  return `${prefix}${topic}`;
}

export function topicSpecsWithPrefix(prefix: string): Array<Omit<TopicSpec, 'name'> & { name: string }> {
  return TOPIC_SPECS.map((t) => ({ ...t, name: topicName(prefix, t.name) }));
}
