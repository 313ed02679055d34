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
  placementV1: 'placement.v1',
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
  {
    name: TOPICS.placementV1,
    partitions: 3,
    config: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '60000' },
    key: 'placement:<id>',
    doc: 'Latest state of every placement of any destination (compacted), with its encrypted credential.',
  },
];

/** Tests and multi-tenant clusters isolate themselves with a prefix (config KAFKA_TOPIC_PREFIX). */
export function topicName(prefix: string, topic: TopicName): string {
  return `${prefix}${topic}`;
}

/**
 * How the topics are created in one deployment (config keys KAFKA_REPLICATION_FACTOR, KAFKA_MIN_INSYNC_REPLICAS,
 * KAFKA_TOPIC_PARTITIONS and the KAFKA_*_RETENTION_MS keys). Without it: the broker's default replication factor and
 * the partition counts and configs of TOPIC_SPECS.
 */
export interface TopicDeployment {
  replicationFactor: number;
  minInsyncReplicas: number;
  /** Partition counts by topic name (without prefix). */
  partitions?: Partial<Record<TopicName, number>>;
  /** retention.ms by topic name (without prefix); the compacted config topic takes none. */
  retentionMs?: Partial<Record<TopicName, number>>;
}

/** The config values a service declares (util-config kafkaTopicKeys) → a TopicDeployment; throws on a bad value. */
export function topicDeployment(c: {
  kafkaReplicationFactor: number;
  kafkaMinInsyncReplicas: number;
  kafkaTopicPartitions?: string[];
  kafkaDeliveryResultRetentionMs: number;
  kafkaDeliveryCommandRetentionMs: number;
  kafkaDeadLetterRetentionMs: number;
}): TopicDeployment {
  const problems: string[] = [];
  if (c.kafkaReplicationFactor < 1) problems.push('KAFKA_REPLICATION_FACTOR must be at least 1');
  if (c.kafkaMinInsyncReplicas < 1 || c.kafkaMinInsyncReplicas > c.kafkaReplicationFactor)
    problems.push('KAFKA_MIN_INSYNC_REPLICAS must be between 1 and KAFKA_REPLICATION_FACTOR');
  const names = new Set<string>(Object.values(TOPICS));
  const partitions: Partial<Record<TopicName, number>> = {};
  for (const item of c.kafkaTopicPartitions ?? []) {
    const m = /^([a-z0-9.-]+)=(\d+)$/.exec(item);
    if (!m || !names.has(m[1]) || Number(m[2]) < 1)
      problems.push(
        `KAFKA_TOPIC_PARTITIONS: "${item}" is not <topic>=<count ≥ 1> with a topic of ${[...names].join(', ')}`,
      );
    else partitions[m[1] as TopicName] = Number(m[2]);
  }
  for (const [key, ms] of [
    ['KAFKA_DELIVERY_RESULT_RETENTION_MS', c.kafkaDeliveryResultRetentionMs],
    ['KAFKA_DELIVERY_COMMAND_RETENTION_MS', c.kafkaDeliveryCommandRetentionMs],
    ['KAFKA_DEAD_LETTER_RETENTION_MS', c.kafkaDeadLetterRetentionMs],
  ] as const)
    if (ms < 60_000) problems.push(`${key} must be at least 60000 (one minute)`);
  if (problems.length) throw new Error(`Invalid Kafka topic configuration:\n  - ${problems.join('\n  - ')}`);
  return {
    replicationFactor: c.kafkaReplicationFactor,
    minInsyncReplicas: c.kafkaMinInsyncReplicas,
    partitions,
    retentionMs: {
      [TOPICS.deliveryResultV1]: c.kafkaDeliveryResultRetentionMs,
      [TOPICS.deliveryCommandV1]: c.kafkaDeliveryCommandRetentionMs,
      [TOPICS.deadLetterV1]: c.kafkaDeadLetterRetentionMs,
    },
  };
}

export interface TopicToCreateSpec extends Omit<TopicSpec, 'name'> {
  name: string;
  /** Absent: the broker's default. */
  replicationFactor?: number;
}

export function topicSpecsWithPrefix(prefix: string, deployment?: TopicDeployment): TopicToCreateSpec[] {
  return TOPIC_SPECS.map((t) => {
    if (!deployment) return { ...t, name: topicName(prefix, t.name) };
    const config: Record<string, string> = { ...t.config, 'min.insync.replicas': String(deployment.minInsyncReplicas) };
    const retention = deployment.retentionMs?.[t.name];
    // The compacted topics keep every key's latest state for ever: never a retention on them.
    if (retention !== undefined && t.config['cleanup.policy'] !== 'compact') config['retention.ms'] = String(retention);
    return {
      ...t,
      name: topicName(prefix, t.name),
      partitions: deployment.partitions?.[t.name] ?? t.partitions,
      replicationFactor: deployment.replicationFactor,
      config,
    };
  });
}
