import { randomBytes } from 'node:crypto';
import { ConfigResourceTypes } from 'kafkajs';
import { createKafka, createProducer, ensureTopics } from './kafka';

const RequestQueue = require('kafkajs/src/network/requestQueue');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Real broker (util-kafka may not import util-testing): topics with a unique prefix, deleted again.
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const silent = {
  child: () => silent,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

describe('ensureTopics (real Kafka)', () => {
  const kafka = createKafka({ brokers: BROKERS, clientId: 'util-kafka-test', logger: silent as never });
  const prefix = `utilkafka-${randomBytes(4).toString('hex')}.`;
  const admin = kafka.admin();

  beforeAll(() => admin.connect());
  afterAll(async () => {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length) await admin.deleteTopics({ topics: mine });
    await admin.disconnect();
  });

  it('creates a topic with the given replication factor, partitions and configs; an existing one is kept', async () => {
    const name = `${prefix}dead-letter.v1`;
    await ensureTopics(kafka, [
      { name, partitions: 2, replicationFactor: 1, config: { 'min.insync.replicas': '1', 'retention.ms': '86400000' } },
    ]);
    const meta = await admin.fetchTopicMetadata({ topics: [name] });
    expect(meta.topics[0].partitions).toHaveLength(2);
    expect(meta.topics[0].partitions.every((p) => p.replicas.length === 1)).toBe(true);
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name, configNames: ['min.insync.replicas', 'retention.ms'] }],
    });
    const entries = Object.fromEntries(configs.resources[0].configEntries.map((e) => [e.configName, e.configValue]));
    expect(entries).toEqual({ 'min.insync.replicas': '1', 'retention.ms': '86400000' });
    // idempotent: a second call (other partitions asked) neither fails nor changes the topic
    await ensureTopics(kafka, [{ name, partitions: 5, replicationFactor: 1 }]);
    expect((await admin.fetchTopicMetadata({ topics: [name] })).topics[0].partitions).toHaveLength(2);
  });

  it('passes the replication factor to the broker: more replicas than brokers is refused', async () => {
    const brokers = (await admin.describeCluster()).brokers.length;
    await expect(
      ensureTopics(kafka, [{ name: `${prefix}rf`, partitions: 1, replicationFactor: brokers + 1 }]),
    ).rejects.toThrow(/creating Kafka topics failed: .*rf: Replication-factor is invalid/);
  });
});

describe("kafkajs' request queue timer on a live connection (util-kafka's fix, request-queue-timer.ts)", () => {
  it('leaves a connected, idle client without a timer loop (real Kafka)', async () => {
    const kafka = createKafka({ brokers: BROKERS, clientId: 'util-kafka-timer-test', logger: silent as never });
    const producer = createProducer(kafka);
    await producer.connect();
    const checks = jest.spyOn(RequestQueue.prototype, 'checkPendingRequests');
    try {
      await sleep(500);
      // kafkajs 2.2.4 as published checks about once a millisecond per connection: hundreds in 500 ms
      expect(checks.mock.calls.length).toBeLessThan(20);
    } finally {
      checks.mockRestore();
      await producer.disconnect();
    }
  });
});
