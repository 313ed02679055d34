import type { Consumer } from 'kafkajs';
import { ConfigEntityV1, TOPICS, topicName } from '@snaptrack/contracts-events';
import { createConsumer, createKafka } from '@snaptrack/util-kafka';
import { createLogger } from '@snaptrack/util-logger';
import { KAFKA_BROKERS, uniqueName, waitFor } from '@snaptrack/util-testing';
import { M, fails, newPixelId, ok, seedBasics } from './gql';
import { startTestConfigService, type TestConfigService } from './harness';

/**
 * PixelInput.backfillDays: the pixel version a save with backfillDays > 0 makes carries `backfill_days` on
 * config.entity.v1 (the dispatcher delivers the placement's conversions of the last n days when it applies it); every
 * other version carries none. 0-37 only.
 */
describe('PixelInput.backfillDays on config.entity.v1', () => {
  const acc = 'acc-backfill-days';
  let app: TestConfigService;
  let consumer: Consumer | undefined;
  const pixels: ConfigEntityV1.Value[] = [];

  beforeAll(async () => {
    app = await startTestConfigService();
    const kafka = createKafka({
      brokers: KAFKA_BROKERS,
      clientId: 'backfill-days-test',
      logger: createLogger('t', 'error'),
    });
    consumer = createConsumer(kafka, { groupId: uniqueName('backfill-days') });
    await consumer.connect();
    await consumer.subscribe({
      topic: topicName(app.config.kafkaTopicPrefix ?? '', TOPICS.configEntityV1),
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const value = message.value ? ConfigEntityV1.contract.decode(message.value) : null;
        if (value?.entity_type === 'pixel') pixels.push(value);
      },
    });
  });
  afterAll(async () => {
    await consumer?.disconnect();
    await app?.stop();
    await app?.dropDb();
  });

  const versionsOf = async (id: string, n: number) => {
    await waitFor(async () => pixels.filter((p) => p.id === id).length >= n, { what: `${n} versions of pixel ${id}` });
    return pixels
      .filter((p) => p.id === id)
      .sort((a, b) => a.version - b.version)
      .map((p) => (p.data as ConfigEntityV1.PixelData).backfill_days ?? null);
  };

  it('publishes backfill_days only on the versions saved with it', async () => {
    const f = await seedBasics(app.url, acc);
    const mapping = [{ conversionTypeId: f.purchase.id, snapEventName: 'PURCHASE' }];
    // Offer level, saved with a backfill of 7 days.
    const offerPixel = (
      await ok(app.url, acc, M.addOfferPixel, {
        offerId: f.offer.id,
        input: {
          pixelId: newPixelId(),
          accessToken: 'tok-backfill-offer-0123',
          eventMapping: mapping,
          backfillDays: 7,
        },
      })
    ).addOfferPixel;
    // Channel level without one (default 0), then saved again unchanged but with backfillDays 30: a new version that
    // carries it, although nothing else changed; then a token change without it.
    const pixelId = newPixelId();
    const save = (input: Record<string, unknown>) =>
      ok(app.url, acc, M.setChannelPixel, { channelId: f.channel.id, input: { pixelId, ...input } });
    const channelPixel = (await save({ accessToken: 'tok-backfill-channel-0123', eventMapping: mapping }))
      .setChannelPixel;
    await save({ backfillDays: 30 });
    await save({ accessToken: 'tok-backfill-channel-4567' });
    await save({}); // nothing changed, nothing asked: no new version

    expect(await versionsOf(offerPixel.id, 1)).toEqual([7]);
    expect(await versionsOf(channelPixel.id, 3)).toEqual([null, 30, null]);
    await waitFor(async () => (await app.relay.pending()) === 0, { what: 'outbox drained by the relay' });
    await new Promise((r) => setTimeout(r, 500));
    expect(pixels.filter((p) => p.id === channelPixel.id)).toHaveLength(3);
  });

  it('refuses backfillDays outside 0-37 with BAD_USER_INPUT and stores nothing', async () => {
    const f = await seedBasics(app.url, `${acc}-2`);
    for (const days of [38, -1]) {
      const err = await fails(
        app.url,
        `${acc}-2`,
        M.addOfferPixel,
        {
          offerId: f.offer.id,
          input: { pixelId: newPixelId(), accessToken: 'tok-backfill-bad-0123', backfillDays: days },
        },
        'BAD_USER_INPUT',
      );
      expect(err.message).toMatch(/backfillDays must be between 0 and 37/);
    }
    const list = await ok(app.url, `${acc}-2`, '{ pixels { nodes { id } } }');
    expect(list.pixels.nodes).toEqual([]);
  });
});
