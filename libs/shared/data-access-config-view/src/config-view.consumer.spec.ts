import { randomBytes } from 'node:crypto';
import { ConfigEntityV1, DeadLetterV1, TOPICS, topicName } from '@snaptrack/contracts-events';
import { DeadLetters, createConsumer, createKafka, createProducer, ensureTopics } from '@snaptrack/util-kafka';
import type { Logger } from '@snaptrack/util-logger';
import type { Producer } from 'kafkajs';
import { ConfigViewConsumer } from './config-view.consumer';
import type { ConfigChange, ConfigEntry } from './config-view.types';
import { MemoryConfigViewStore } from './memory-store';

// Real broker (libs may not import util-testing): topics with a unique prefix, deleted again.
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const silent = {
  child: () => silent,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
} as unknown as Logger;

const offer = (id: string, version: number, url: string): ConfigEntityV1.Value => ({
  schema: 'config.entity.v1',
  entity_type: 'offer',
  id,
  account_id: 'acc',
  version,
  deleted: false,
  updated_at: new Date().toISOString(),
  data: { name: 'o', url, offer_source_id: 's' },
});

/** A memory store whose writes wait until the test opens the gate. */
class GatedStore extends MemoryConfigViewStore {
  private open!: () => void;
  private gate = new Promise<void>((r) => (this.open = r));
  release(): void {
    this.open();
  }
  override async write(entries: ConfigEntry[]): Promise<ConfigEntry[]> {
    await this.gate;
    return super.write(entries);
  }
}

jest.setTimeout(60_000);

describe('ConfigViewConsumer (real Kafka)', () => {
  const kafka = createKafka({ brokers: BROKERS, clientId: 'config-view-test', logger: silent });
  const prefix = `configview-${randomBytes(4).toString('hex')}.`;
  const topic = topicName(prefix, TOPICS.configEntityV1);
  const admin = kafka.admin();
  let producer: Producer;
  const running: ConfigViewConsumer[] = [];

  const send = (messages: Array<{ key: string | null; value: string | Buffer | null; partition?: number }>) =>
    producer.send({ topic, acks: -1, messages });
  const sendValue = (v: ConfigEntityV1.Value, partition = 0) =>
    send([{ key: ConfigEntityV1.keyOf(v), value: ConfigEntityV1.contract.encode(v), partition }]);
  const start = async (store: MemoryConfigViewStore, groupId: string, extra: { onApplied?: typeof noop } = {}) => {
    const c = new ConfigViewConsumer({
      kafka,
      topic,
      groupId,
      store,
      deadLetters: new DeadLetters(producer, prefix, 'config-view-test', silent),
      log: silent,
      check: (v) => (v.entity_type === 'offer' && !(v.data as { url?: unknown })?.url ? 'offer without url' : null),
      ...extra,
    });
    running.push(c);
    await c.start();
    return c;
  };
  const noop = (_c: ConfigChange[]) => undefined;

  beforeAll(async () => {
    await admin.connect();
    await ensureTopics(kafka, [
      { name: topic, partitions: 2, config: { 'cleanup.policy': 'compact' } },
      { name: topicName(prefix, TOPICS.deadLetterV1), partitions: 1, config: {} },
    ]);
    producer = createProducer(kafka);
    await producer.connect();
  });
  afterAll(async () => {
    for (const c of running) await c.stop();
    await producer.disconnect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length) await admin.deleteTopics({ topics: mine });
    await admin.disconnect();
  });

  it('replays from the start, parks bad messages, applies tombstones, and is ready only after catch-up', async () => {
    await sendValue(offer('o1', 1, 'https://v1/'), 0);
    await sendValue(offer('o2', 1, 'https://two/'), 1);
    await send([{ key: 'offer:o3', value: Buffer.from('{not json'), partition: 0 }]);
    await sendValue({ ...offer('o4', 1, 'x'), data: { name: 'o', offer_source_id: 's' } } as ConfigEntityV1.Value, 1);
    await sendValue(offer('o1', 3, 'https://v3/'), 0);
    await sendValue(offer('o1', 2, 'https://v2/'), 0); // older, arrives later: refused
    await send([{ key: 'offer:o2', value: null, partition: 1 }]);
    await sendValue(offer('o2', 1, 'https://two/'), 1); // the value the tombstone removed, replayed: refused
    await sendValue(offer('o5', 1, 'https://five/'), 1); // the last record of partition 1 before start

    const store = new GatedStore();
    const changes: ConfigChange[] = [];
    const c = await start(store, `${prefix}view-a`, { onApplied: (ch) => void changes.push(...ch) });
    // Nothing is stored while the gate is shut: the consumer must not call itself ready.
    expect(await c.whenReady(1500)).toBe(false);
    expect(c.isReady).toBe(false);
    store.release();
    expect(await c.whenReady(20_000)).toBe(true);
    // Ready means everything produced before start is in the view.
    expect((store.live('offer:o1')?.data as { url: string }).url).toBe('https://v3/');
    expect(store.get('offer:o2')).toMatchObject({ deleted: true, version: 1 });
    expect(store.live('offer:o5')).toBeDefined();
    expect(store.get('offer:o3')).toBeUndefined();
    expect(store.get('offer:o4')).toBeUndefined();
    expect(changes.some((ch) => ch.key === 'offer:o5')).toBe(true);
    expect(c.deadLettered).toBe(2);

    const dead: DeadLetterV1.Value[] = [];
    const keys: string[] = [];
    const reader = createConsumer(kafka, { groupId: `${prefix}dead-reader` });
    await reader.connect();
    await reader.subscribe({ topic: topicName(prefix, TOPICS.deadLetterV1), fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        dead.push(DeadLetterV1.contract.decode(message.value));
        keys.push(message.key!.toString());
      },
    });
    for (let i = 0; i < 200 && dead.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    await reader.disconnect();
    expect(keys.sort()).toEqual(['offer:o3', 'offer:o4']);
    expect(dead.every((d) => d.consumer === 'config-view-test' && d.source_topic === topic)).toBe(true);
    expect(dead.find((d) => d.original_value?.includes('o4'))?.reason).toMatch(/offer without url/);

    // Records produced after readiness reach the view too.
    await sendValue(offer('o1', 4, 'https://v4/'), 0);
    for (let i = 0; i < 200 && store.live('offer:o1')?.version !== 4; i++) await new Promise((r) => setTimeout(r, 50));
    expect((store.live('offer:o1')?.data as { url: string }).url).toBe('https://v4/');
  });

  it('a durable group that has committed up to the end is ready at once after a restart', async () => {
    const groupId = `${prefix}view-durable`;
    const first = await start(new MemoryConfigViewStore(), groupId);
    expect(await first.whenReady(20_000)).toBe(true);
    // Commits happen after each batch; give the last one a moment to land, then restart the same group.
    await new Promise((r) => setTimeout(r, 500));
    await first.stop();
    const store = new MemoryConfigViewStore();
    const again = await start(store, groupId);
    expect(await again.whenReady(5000)).toBe(true);
    expect(store.size).toBe(0); // nothing replayed: it resumed from its committed offsets
  });

  it('an empty topic is ready at once', async () => {
    const emptyTopic = `${prefix}empty.config.entity.v1`;
    await ensureTopics(kafka, [{ name: emptyTopic, partitions: 1, config: {} }]);
    const c = new ConfigViewConsumer({
      kafka,
      topic: emptyTopic,
      groupId: `${prefix}view-empty`,
      store: new MemoryConfigViewStore(),
      deadLetters: new DeadLetters(producer, prefix, 'config-view-test', silent),
      log: silent,
      deleteGroupOnStop: true,
    });
    running.push(c);
    await c.start();
    expect(c.isReady).toBe(true);
  });
});
