import type { Consumer } from 'kafkajs';
import { ConfigEntityV1, PlacementV1, TOPICS, topicName } from '@snaptrack/contracts-events';
import { createConsumer, createKafka } from '@snaptrack/util-kafka';
import { createLogger } from '@snaptrack/util-logger';
import { KAFKA_BROKERS, uniqueName, waitFor } from '@snaptrack/util-testing';
import { M, newPixelId, ok, seedBasics } from './gql';
import { startTestConfigService, type TestConfigService } from './harness';

/**
 * placement.v1 (migration notice period): every pixel change published on config.entity.v1 is published, from the
 * same outbox transaction, as the same placement with destination snapchat-capi on placement.v1 (real broker).
 */
describe('placement.v1: pixel placements with destination snapchat-capi', () => {
  const acc = 'acc-placement-topic';
  let app: TestConfigService;
  const consumers: Consumer[] = [];
  const placements: Array<{ key: string; value: PlacementV1.Value; messageId?: string }> = [];
  const pixels: ConfigEntityV1.Value[] = [];

  beforeAll(async () => {
    app = await startTestConfigService();
    const kafka = createKafka({
      brokers: KAFKA_BROKERS,
      clientId: 'placement-test',
      logger: createLogger('t', 'error'),
    });
    const prefix = app.config.kafkaTopicPrefix ?? '';
    for (const [topic, onValue] of [
      [
        TOPICS.placementV1,
        (key: string, raw: Buffer | null, messageId?: string) =>
          placements.push({ key, value: PlacementV1.contract.decode(raw), messageId }),
      ],
      [
        TOPICS.configEntityV1,
        (_key: string, raw: Buffer | null) => {
          const v = ConfigEntityV1.contract.decode(raw);
          if (v.entity_type === 'pixel') pixels.push(v);
        },
      ],
    ] as const) {
      const consumer = createConsumer(kafka, { groupId: uniqueName('placement-topic') });
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic: topicName(prefix, topic), fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) =>
          void onValue(message.key!.toString(), message.value, message.headers?.['message-id']?.toString()),
      });
    }
  });
  afterAll(async () => {
    for (const c of consumers) await c.disconnect();
    await app?.stop();
    await app?.dropDb();
  });

  it('saving a pixel publishes its placement; deleting it publishes deleted: true with data: null', async () => {
    const f = await seedBasics(app.url, acc);
    const pixelId = newPixelId();
    const px = (
      await ok(app.url, acc, M.setChannelPixel, {
        channelId: f.channel.id,
        input: {
          pixelId,
          accessToken: 'tok-placement-topic-secret',
          limitedDataUse: true,
          eventMapping: [{ conversionTypeId: f.purchase.id, snapEventName: 'PURCHASE' }],
        },
      })
    ).setChannelPixel;
    const key = `placement:${px.id}`;
    await waitFor(() => placements.some((p) => p.key === key), { timeoutMs: 30000, what: 'the saved placement' });
    const saved = placements.find((p) => p.key === key)!;
    expect(saved.messageId).toMatch(/^\d+$/);
    expect(saved.value).toMatchObject({
      schema: 'placement.v1',
      id: px.id,
      deleted: false,
      data: {
        destination: 'snapchat-capi',
        target_id: pixelId,
        placement: { kind: 'channel', traffic_channel_id: f.channel.id },
        test_mode: false,
        event_mapping: { [f.purchase.id]: 'PURCHASE' },
        settings: { limited_data_use: true },
      },
    });
    // The same state, version and ciphertext as the pixel entity of the same transaction; never the clear token.
    await waitFor(() => pixels.some((p) => p.id === px.id), { timeoutMs: 30000, what: 'the pixel entity' });
    const pixel = pixels.find((p) => p.id === px.id)!;
    expect(saved.value.account_id).toBe(pixel.account_id);
    expect(saved.value.version).toBe(pixel.version);
    expect(saved.value.data!.credential).toEqual((pixel.data as ConfigEntityV1.PixelData).token);
    expect(saved.value.data!.credential).not.toBeNull();
    expect(JSON.stringify(saved.value)).not.toContain('tok-placement-topic-secret');

    await ok(app.url, acc, 'mutation($id: ID!) { removePixel(id: $id) }', { id: px.id });
    await waitFor(() => placements.some((p) => p.key === key && p.value.deleted), {
      timeoutMs: 30000,
      what: 'the deleted placement',
    });
    const gone = placements.filter((p) => p.key === key).at(-1)!.value;
    expect(gone).toMatchObject({ id: px.id, deleted: true, data: null, version: saved.value.version + 1 });
    await waitFor(() => pixels.filter((p) => p.id === px.id).length === 2, { what: 'the deleted pixel entity' });
    expect(pixels.filter((p) => p.id === px.id).at(-1)).toMatchObject({ deleted: true, version: gone.version });
  });
});
