import { TOPICS } from '@snaptrack/contracts-events';
import { captureLogs, waitFor } from '@snaptrack/util-testing';
import { startTestConversionService, type TestConversionService } from './harness';
import {
  TestBus,
  clickValue,
  postback,
  publishClickAndWait,
  seedAccount,
  type CollectedMessage,
  type SeededAccount,
} from './factories';

/**
 * The request path never touches Kafka: with the relay's broker unreachable (127.0.0.1:1; the shared broker keeps
 * running) postbacks are still accepted and their outbox rows wait; a relay that can reach Kafka publishes each
 * conversion exactly once.
 */
describe('durable publish through the outbox', () => {
  let bus: TestBus;
  let acc: SeededAccount;
  let events: CollectedMessage[];
  let first: TestConversionService | undefined;
  let second: TestConversionService | undefined;
  let dropDb: (() => Promise<void>) | undefined;

  const sendPostbacks = async (app: TestConversionService, n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const click = await publishClickAndWait(
        bus,
        app.ds,
        clickValue(acc.accountId, { offer_source_id: acc.offerSourceId, offer_id: acc.offerId }),
      );
      const res = await postback(app.url, {
        secret: acc.secret,
        clickid: click.click_id,
        type: 'Deposit',
        sum: String(i + 1),
      });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('accepted');
      ids.push(res.body.conversion_id);
    }
    return ids;
  };
  const countFor = (id: string) => events.filter((m) => m.key === id).length;

  afterAll(async () => {
    await bus?.close();
    await second?.stop();
    await first?.stop().catch(() => undefined);
    await dropDb?.();
  });

  it('accepts postbacks while the relay cannot reach Kafka and publishes each exactly once when it can', async () => {
    const logs = captureLogs(); // the relay's connection errors are expected here
    try {
      await brokerDownThenBack();
    } finally {
      logs.restore();
    }
  });

  async function brokerDownThenBack() {
    first = await startTestConversionService({ outboxKafkaBrokers: ['127.0.0.1:1'] });
    dropDb = first.dropDb;
    bus = await TestBus.connect(first.config.kafkaTopicPrefix!);
    acc = await seedAccount(bus, first.ds);
    events = await bus.collect(TOPICS.conversionCreatedV1);

    const ids = await sendPostbacks(first, 5);
    expect(await first.relay.pending()).toBe(5);
    await expect(first.relay.publishBatch()).rejects.toThrow(); // the broker is unreachable: the pass rolls back
    expect(await first.relay.pending()).toBe(5);
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200); // still ready to take postbacks
    expect(events).toHaveLength(0);

    // "Crash" and come back with a relay that reaches the broker (same database, same topics).
    await first.stop();
    second = await startTestConversionService({
      databaseUrl: first.config.databaseUrl,
      kafkaTopicPrefix: first.config.kafkaTopicPrefix,
    });
    first = undefined;
    await waitFor(async () => (await second!.relay.pending()) === 0, { what: 'outbox drained' });
    await waitFor(() => ids.every((id) => countFor(id) >= 1), { what: 'all five events' });

    // A marker published after the backlog: by the time it is seen, any duplicate of the backlog would be too.
    const [marker] = await sendPostbacks(second, 1);
    await waitFor(() => countFor(marker) === 1, { what: 'marker event' });
    for (const id of ids) expect(countFor(id)).toBe(1);
    expect(
      events
        .map((e) => e.value.payout)
        .slice(0, 5)
        .sort(),
    ).toEqual([1, 2, 3, 4, 5]);
  }

  it('keeps accepting while the relay is stopped and catches up when it starts again', async () => {
    const app = second!;
    await app.relay.stop();
    const ids = await sendPostbacks(app, 3);
    expect(await app.relay.pending()).toBe(3);
    for (const id of ids) expect(countFor(id)).toBe(0);
    app.relay.start();
    await waitFor(() => ids.every((id) => countFor(id) === 1), { what: 'three events after restart' });
    expect(await app.relay.pending()).toBe(0);
  });
});
