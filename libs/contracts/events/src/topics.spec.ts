import { TOPICS, TOPIC_SPECS, topicDeployment, topicSpecsWithPrefix } from './topics';

const DAY = 24 * 3600 * 1000;
const values = {
  kafkaReplicationFactor: 3,
  kafkaMinInsyncReplicas: 2,
  kafkaTopicPartitions: ['click.recorded.v1=12', 'config.entity.v1=6'],
  kafkaDeliveryResultRetentionMs: 14 * DAY,
  kafkaDeliveryCommandRetentionMs: 7 * DAY,
  kafkaDeadLetterRetentionMs: 3 * DAY,
};

describe('topic deployment settings', () => {
  it('applies replication, min ISR, partition overrides and retentions; the config topic stays compacted', () => {
    const specs = topicSpecsWithPrefix('p.', topicDeployment(values));
    const by = (name: string) => specs.find((s) => s.name === `p.${name}`)!;
    for (const s of specs) {
      expect([s.name, s.replicationFactor, s.config['min.insync.replicas']]).toEqual([s.name, 3, '2']);
    }
    expect(by(TOPICS.clickRecordedV1).partitions).toBe(12);
    expect(by(TOPICS.configEntityV1).partitions).toBe(6);
    expect(by(TOPICS.conversionCreatedV1).partitions).toBe(
      TOPIC_SPECS.find((t) => t.name === TOPICS.conversionCreatedV1)!.partitions,
    );
    expect(by(TOPICS.configEntityV1).config['cleanup.policy']).toBe('compact');
    expect(by(TOPICS.configEntityV1).config['retention.ms']).toBeUndefined();
    expect(by(TOPICS.deliveryResultV1).config['retention.ms']).toBe(String(14 * DAY));
    expect(by(TOPICS.deliveryCommandV1).config['retention.ms']).toBe(String(7 * DAY));
    expect(by(TOPICS.deadLetterV1).config['retention.ms']).toBe(String(3 * DAY));
    // the click topic keeps its own retention from TOPIC_SPECS
    expect(by(TOPICS.clickRecordedV1).config['retention.ms']).toBe(String(45 * DAY));
  });

  it('without a deployment the broker defaults apply (no replication factor, no min ISR)', () => {
    for (const s of topicSpecsWithPrefix('')) {
      expect(s.replicationFactor).toBeUndefined();
      expect(s.config['min.insync.replicas']).toBeUndefined();
    }
  });

  it('refuses unknown topics, bad counts, min ISR above the replication factor and tiny retentions', () => {
    expect(() => topicDeployment({ ...values, kafkaTopicPartitions: ['clicks=3'] })).toThrow(/KAFKA_TOPIC_PARTITIONS/);
    expect(() => topicDeployment({ ...values, kafkaTopicPartitions: ['click.recorded.v1=0'] })).toThrow(
      /KAFKA_TOPIC_PARTITIONS/,
    );
    expect(() => topicDeployment({ ...values, kafkaMinInsyncReplicas: 4 })).toThrow(/KAFKA_MIN_INSYNC_REPLICAS/);
    expect(() => topicDeployment({ ...values, kafkaReplicationFactor: 0 })).toThrow(/KAFKA_REPLICATION_FACTOR/);
    expect(() => topicDeployment({ ...values, kafkaDeadLetterRetentionMs: 5 })).toThrow(
      /KAFKA_DEAD_LETTER_RETENTION_MS/,
    );
  });
});
