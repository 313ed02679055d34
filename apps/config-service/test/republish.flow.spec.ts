import {
  CONTRACTS,
  type ConfigEntityV1,
  type PlacementV1,
  TOPICS,
  topicName,
  type TopicName,
} from '@snaptrack/contracts-events';
import { createConsumer, createKafka } from '@snaptrack/util-kafka';
import { createLogger } from '@snaptrack/util-logger';
import { KAFKA_BROKERS, uniqueName, uniqueTopicPrefix, waitFor } from '@snaptrack/util-testing';
import { runRepublishConfig } from '../src/cli';
import { M, newPixelId, ok, seedBasics } from './gql';
import { startTestConfigService, type TestConfigService } from './harness';

/**
 * Reads the whole config topic (or another compacted topic) under `prefix` and folds it the way a consumer does: per
 * key the highest version; a deleted entity is dropped. Returns key → value.
 */
async function foldTopic<T extends { version: number; deleted: boolean } = ConfigEntityV1.Value>(
  prefix: string,
  name: TopicName = TOPICS.configEntityV1,
): Promise<Map<string, T>> {
  const kafka = createKafka({ brokers: KAFKA_BROKERS, clientId: 'republish-test', logger: createLogger('t', 'error') });
  const topic = topicName(prefix, name);
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const toRead = new Map(ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)]));
  const latest = new Map<string, T>();
  const consumer = createConsumer(kafka, { groupId: uniqueName('republish-test'), maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      const value = CONTRACTS[name].decode(message.value) as unknown as T;
      const key = message.key!.toString('utf8');
      const current = latest.get(key);
      if (!current || current.version <= value.version) latest.set(key, value);
      if (Number(message.offset) + 1 >= (toRead.get(partition) ?? 0)) toRead.delete(partition);
    },
  });
  try {
    await waitFor(() => toRead.size === 0, { timeoutMs: 30000, what: `${topic} read to its end` });
  } finally {
    await consumer.disconnect();
  }
  return new Map([...latest].filter(([, v]) => !v.deleted));
}

describe('republish-config: a wiped config topic is rebuilt from the config database', () => {
  let app: TestConfigService;
  const deleted: string[] = [];

  beforeAll(async () => {
    app = await startTestConfigService();
  });
  afterAll(async () => {
    await app?.stop();
    await app?.dropDb();
  });

  it('republishes every live entity with its current version, and none of the deleted ones', async () => {
    for (const acc of ['acc-republish-1', 'acc-republish-2']) {
      const f = await seedBasics(app.url, acc);
      await ok(app.url, acc, M.createDomain, { input: { hostname: `trk.${acc}.example` } });
      await ok(app.url, acc, M.setChannelPixel, {
        channelId: f.channel.id,
        input: {
          pixelId: newPixelId(),
          accessToken: `tok-${acc}-republish`,
          eventMapping: [{ conversionTypeId: f.purchase.id, snapEventName: 'PURCHASE' }],
        },
      });
      await ok(
        app.url,
        acc,
        'mutation($id: ID!) { updateTrafficChannel(id: $id, input: { name: "Renamed" }) { id } }',
        {
          id: f.channel.id,
        },
      );
      await ok(app.url, acc, 'mutation($id: ID!) { deleteConversionType(id: $id) }', { id: f.lead.id });
      deleted.push(`conversion_type:${f.lead.id}`);
    }
    await waitFor(async () => (await app.relay.pending()) === 0, { what: 'outbox drained by the relay' });
    const original = await foldTopic(app.config.kafkaTopicPrefix ?? '');
    expect(original.size).toBe(12); // per account: channel, Purchase, source, offer, domain, pixel

    // A fresh prefix is a wiped topic: nothing is on it until the command has run.
    const wiped = uniqueTopicPrefix();
    const counts = await runRepublishConfig({ ...app.config, kafkaTopicPrefix: wiped });
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(original.size);
    expect(counts).toMatchObject({ traffic_channel: 2, conversion_type: 2, offer_source: 2, offer: 2, pixel: 2 });

    const rebuilt = await foldTopic(wiped);
    expect([...rebuilt.keys()].sort()).toEqual([...original.keys()].sort());
    for (const [key, value] of original) expect(rebuilt.get(key)).toEqual(value);
    for (const key of deleted) expect(rebuilt.has(key)).toBe(false);
    // Each republished pixel is republished on placement.v1 too, with the same id and version (at least once: the
    // app's relay and the command's may both send a row, so keys are compared, not message counts).
    const placements = await foldTopic<PlacementV1.Value>(wiped, TOPICS.placementV1);
    const pixels = [...rebuilt.values()].filter((v) => v.entity_type === 'pixel');
    expect(pixels).toHaveLength(counts.pixel);
    expect([...placements.keys()].sort()).toEqual(pixels.map((p) => `placement:${p.id}`).sort());
    for (const p of pixels) expect(placements.get(`placement:${p.id}`)?.version).toBe(p.version);
  });

  it('republishing onto the live topic adds the messages but changes no consumer view (same versions)', async () => {
    const prefix = app.config.kafkaTopicPrefix ?? '';
    const before = await foldTopic(prefix);
    const messagesBefore = await topicMessages(prefix);
    const counts = await runRepublishConfig(app.config);
    // At least one message per entity: the outbox is at least once (the command's relay pass and the running app's
    // relay may both send a row), so the exact count is not a guarantee; the folded views below are.
    expect((await topicMessages(prefix)) - messagesBefore).toBeGreaterThanOrEqual(
      Object.values(counts).reduce((a, b) => a + b, 0),
    );
    const after = await foldTopic(prefix);
    expect(after).toEqual(before);
  });
});

async function topicMessages(prefix: string): Promise<number> {
  const kafka = createKafka({ brokers: KAFKA_BROKERS, clientId: 'republish-test', logger: createLogger('t', 'error') });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topicName(prefix, TOPICS.configEntityV1));
    return ends.reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}
