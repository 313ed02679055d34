import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { ConsumerLagWatcher } from './kafka-lag';
import { ServiceMetrics } from './metrics';

// Real broker (tools/kafka/kafka.sh), as every Kafka test here.
const kafka = new Kafka({
  clientId: 'lag-test',
  brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  logLevel: logLevel.NOTHING,
});

jest.setTimeout(60000);

describe('ConsumerLagWatcher', () => {
  const suffix = randomBytes(4).toString('hex');
  const topic = `t_lag_${suffix}`;
  const configTopic = `t_lag_config_${suffix}`;
  const admin = kafka.admin();
  const producer = kafka.producer();
  let watcher: ConsumerLagWatcher;

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic, numPartitions: 2 },
        { topic: configTopic, numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
    await producer.connect();
    await producer.send({ topic, messages: [0, 1, 2, 3, 4].map((i) => ({ value: `v${i}`, partition: 0 })) });
    await producer.send({ topic, messages: [{ value: 'x', partition: 1 }] });
    await producer.send({ topic: configTopic, messages: [0, 1, 2].map((i) => ({ value: `c${i}` })) });
    // Groups without members: their committed offsets can be set directly.
    await admin.setOffsets({ groupId: `g_${suffix}`, topic, partitions: [{ partition: 0, offset: '2' }] });
    await admin.setOffsets({
      groupId: `gc_${suffix}`,
      topic: configTopic,
      partitions: [{ partition: 0, offset: '2' }],
    });
  });
  afterAll(async () => {
    await watcher?.stop();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic, configTopic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('exposes lag by group, topic and partition, and the config view revision and trail', async () => {
    const m = new ServiceMetrics('s');
    watcher = new ConsumerLagWatcher(kafka, () => [
      { groupId: `g_${suffix}`, topic },
      { groupId: `gc_${suffix}`, topic: configTopic, configView: true },
    ]).register(m);
    const { body } = await m.render();
    const line = (labels: string) => new RegExp(`snaptrack_kafka_consumer_lag\\{${labels},service="s"\\} (\\d+)`);
    expect(body.match(line(`group="g_${suffix}",topic="${topic}",partition="0"`))?.[1]).toBe('3');
    // Nothing committed on partition 1: everything there is lag.
    expect(body.match(line(`group="g_${suffix}",topic="${topic}",partition="1"`))?.[1]).toBe('1');
    expect(body.match(line(`group="gc_${suffix}",topic="${configTopic}",partition="0"`))?.[1]).toBe('1');
    expect(body).toMatch(/^snaptrack_config_view_revision\{service="s"\} 2$/m);
    expect(body).toMatch(/^snaptrack_config_view_lag_messages\{service="s"\} 1$/m);
  });
});
