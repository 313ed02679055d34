import type { Producer, ProducerBatch } from 'kafkajs';
import { TOPICS, topicName } from '@snaptrack/contracts-events';
import { OutboxRelay } from '@snaptrack/data-access-outbox';
import { createKafka, createProducer } from '@snaptrack/util-kafka';
import { createLogger } from '@snaptrack/util-logger';
import { KAFKA_BROKERS, captureLogs, waitFor } from '@snaptrack/util-testing';
import { ConfigViewService } from '../src/config-view/config-view.service';
import type { ConversionDraft } from '../src/conversion/conversion.service';
import { LazyProducer } from '../src/kafka/lazy-producer';
import { startTestConversionService, type TestConversionService } from './harness';
import {
  TestBus,
  clickValue,
  entity,
  postback,
  publishClickAndWait,
  seedAccount,
  sha256,
  type CollectedMessage,
  type SeededAccount,
} from './factories';

/**
 * The postback fast path: concurrent postbacks share their database round trips (click lookups, conversion +
 * outbox writes), config lookups are served from memory without hiding config changes, and the outbox relay's
 * wake-ups are coalesced without losing any.
 */
describe('postback fast path', () => {
  let app: TestConversionService;
  let bus: TestBus;
  let acc: SeededAccount;
  let events: CollectedMessage[];
  const log = createLogger('test', 'error');

  beforeAll(async () => {
    // A long TTL: only invalidation can make a change visible to this instance's postbacks within a test.
    app = await startTestConversionService({ configCacheTtlMs: 60_000 });
    bus = await TestBus.connect(app.config.kafkaTopicPrefix!);
    acc = await seedAccount(bus, app.ds);
    events = await bus.collect(TOPICS.conversionCreatedV1);
  });

  afterAll(async () => {
    await bus?.close();
    await app?.stop();
    await app?.dropDb();
  });

  const newClick = () =>
    publishClickAndWait(
      bus,
      app.ds,
      clickValue(acc.accountId, { offer_source_id: acc.offerSourceId, offer_id: acc.offerId }),
    );

  it(
    'shares one click query among the lookups of one turn; concurrent postbacks each get exactly one ' +
      'outbox row and one event',
    async () => {
      const n = 40;
      const clicks = Array.from({ length: n }, () =>
        clickValue(acc.accountId, { offer_source_id: acc.offerSourceId, offer_id: acc.offerId }),
      );
      await Promise.all(clicks.map((c) => bus.publishClick(c)));
      const ids = clicks.map((c) => c.click_id);
      await waitFor(
        async () =>
          (await app.ds.query(`SELECT count(*)::int AS n FROM click_view WHERE click_id = ANY($1)`, [ids]))[0].n === n,
        { what: 'the clicks in the view' },
      );

      // The lookups of one event-loop turn share one query (and unknown ids answer null).
      const lookups = app.clicks.lookupBatches;
      const found = await Promise.all([...ids, 'no-such-click'].map((id) => app.clicks.find(id)));
      expect(app.clicks.lookupBatches - lookups).toBe(1);
      expect(found.map((c) => c?.clickId ?? null)).toEqual([...ids, null]);

      const answers = await Promise.all(
        ids.map((clickid, i) =>
          postback(app.url, {
            secret: acc.secret,
            clickid,
            type: 'Deposit',
            sum: String(i + 1),
            email: `user${i}@example.com`,
          }),
        ),
      );
      expect(answers.map((a) => [a.status, a.body.status])).toEqual(ids.map(() => [200, 'accepted']));
      const conversionIds = answers.map((a) => a.body.conversion_id as string);
      expect(new Set(conversionIds).size).toBe(n);

      const stored: Array<{ click_id: string; payout: string }> = await app.ds.query(
        `SELECT click_id, payout FROM conversion WHERE id = ANY($1::uuid[])`,
        [conversionIds],
      );
      expect(new Map(stored.map((r) => [r.click_id, Number(r.payout)]))).toEqual(
        new Map(ids.map((id, i) => [id, i + 1])),
      );
      const outbox: Array<{ key: string; n: number }> = await app.ds.query(
        `SELECT key, count(*)::int AS n FROM outbox_message WHERE key = ANY($1) GROUP BY key`,
        [conversionIds],
      );
      expect(outbox).toHaveLength(n);
      expect(outbox.every((r) => r.n === 1)).toBe(true);
      await waitFor(() => conversionIds.every((id) => events.some((e) => e.key === id)), {
        what: 'every event on the topic',
      });
      for (const id of conversionIds) expect(events.filter((e) => e.key === id)).toHaveLength(1);
      const byKey = new Map(events.map((e) => [e.key, e.value]));
      expect(ids.map((clickId, i) => byKey.get(conversionIds[i])?.postback_click_id === clickId)).toEqual(
        ids.map(() => true),
      );
    },
  );

  it(
    'fails only the conversion the database refuses; its batch neighbours are recorded with their ' + 'outbox rows',
    async () => {
      const draft = (transactionId: string): ConversionDraft => ({
        accountId: acc.accountId,
        status: 'unattributed',
        conversionType: { id: acc.types.deposit, name: 'Deposit', duplicate_policy: 'create' },
        payout: '1',
        currency: 'USD',
        explicitEventId: null,
        transactionId,
        clickId: null,
        click: null,
        offerSourceId: null,
        receivedAt: new Date(),
        userData: {},
        prehashed: [],
        pendingId: null,
      });
      const tag = `batch-${Date.now()}`;
      const writes = app.conversions.writeBatches;
      // Submitted in one turn: one statement for all five, which PostgreSQL refuses (U+0000 cannot be stored).
      const results = await Promise.allSettled(
        [1, 2, 3, 4]
          .map((i) => app.conversions.recordNow(draft(`${tag}-${i}`)))
          .concat(app.conversions.recordNow(draft(`${tag}-\u0000`))),
      );
      expect(app.conversions.writeBatches - writes).toBe(1);
      expect(results.map((r) => (r.status === 'fulfilled' ? r.value.outcome : 'rejected'))).toEqual([
        'accepted',
        'accepted',
        'accepted',
        'accepted',
        'rejected',
      ]);
      const rows: Array<{ id: string }> = await app.ds.query(`SELECT id FROM conversion WHERE transaction_id LIKE $1`, [
        `${tag}-%`,
      ]);
      expect(rows).toHaveLength(4);
      const [{ n }] = await app.ds.query(`SELECT count(*)::int AS n FROM outbox_message WHERE key = ANY($1)`, [
        rows.map((r) => r.id),
      ]);
      expect(n).toBe(4);
    },
  );

  describe('config lookups served from memory', () => {
    it('applies a config change this instance consumed at once, also where the lookup was cached', async () => {
      const click = await newClick();
      expect(
        (await postback(app.url, { secret: acc.secret, clickid: click.click_id, type: 'Deposit' })).body.status,
      ).toBe('accepted'); // offer source now cached
      await bus.publishConfig(
        entity(
          'offer_source',
          acc.offerSourceId,
          acc.accountId,
          {
            name: 'Network A',
            params: { click_id: 'clickid', payout: 'sum', type: 'type', event_id: 'eventid', currency: 'currency' },
            roles: [{ param: 'p_city', role: 'city' }],
            postback_token_sha256: sha256('fresh-token'),
            click_expiration_days: 7,
            default_currency: 'EUR',
            default_phone_country: 'US',
          },
          2,
        ),
      );
      await waitFor(
        async () =>
          (
            await app.ds.query(`SELECT version FROM config_entity WHERE key = $1`, [
              `offer_source:${acc.offerSourceId}`,
            ])
          )[0].version === '2',
        { what: 'version 2 in the view' },
      );
      const refused = await postback(app.url, { secret: acc.secret, clickid: click.click_id, type: 'Deposit' });
      expect([refused.status, refused.body.error]).toEqual([403, 'bad_secret']); // the secret was replaced
      const unsigned = await postback(app.url, { clickid: click.click_id, type: 'Deposit' });
      expect([unsigned.status, unsigned.body.error]).toEqual([401, 'missing_secret']);
      expect(
        // (another amount: the same parameters under another secret would be an exact replay of the first)
        (await postback(app.url, { clickid: click.click_id, type: 'Deposit', sum: '2', token: 'fresh-token' })).body
          .status,
      ).toBe('accepted');
    });

    it('sees a change another instance applied to the view within the cache TTL', async () => {
      const ttlMs = 300;
      const view = new ConfigViewService(app.ds, { cacheTtlMs: ttlMs });
      const key = `offer_source:${acc.offerSourceId}`;
      expect((await view.offerSource(acc.offerSourceId))?.postback_token_sha256).toBe(sha256('fresh-token'));
      // Another instance's config consumer stores version 3 (no token); this service's writes never see it.
      await app.ds.query(
        `UPDATE config_entity SET version = 3, data = jsonb_set(data, '{postback_token_sha256}', ` +
          `'null'::jsonb) WHERE key = $1`,
        [key],
      );
      const changedAt = Date.now();
      await waitFor(async () => (await view.offerSource(acc.offerSourceId))?.postback_token_sha256 === null, {
        timeoutMs: 10 * ttlMs,
        intervalMs: 20,
        what: 'the change to be seen',
      });
      expect(Date.now() - changedAt).toBeLessThan(10 * ttlMs);
    });
  });

  describe('outbox relay wake-ups (wakeDelayMs)', () => {
    const topic = () => topicName(app.config.kafkaTopicPrefix!, TOPICS.deadLetterV1);
    const insertRow = async (key: string) => {
      await app.ds.query(`INSERT INTO outbox_message (topic, key, payload) VALUES ($1, $2, '{}'::jsonb)`, [
        topic(),
        key,
      ]);
    };
    const unsent = async (keys: string[]) =>
      (
        await app.ds.query(`SELECT count(*)::int AS n FROM outbox_message WHERE key = ANY($1) AND sent_at IS NULL`, [
          keys,
        ])
      )[0].n as number;
    let real: Producer;

    beforeAll(async () => {
      // Only the relays below publish from here on.
      await waitFor(async () => (await app.relay.pending()) === 0, { what: 'the service relay to be idle' });
      await app.relay.stop();
      real = createProducer(createKafka({ brokers: KAFKA_BROKERS, clientId: 'relay-test', logger: log }));
      await real.connect();
    });
    afterAll(async () => {
      await real?.disconnect();
    });

    /** The real producer, recording which keys each pass sent; `hold` keeps a pass inside sendBatch. */
    const recording = (hold?: Promise<void>) => {
      const passes: string[][] = [];
      let entered!: () => void;
      const inSend = new Promise<void>((r) => (entered = r));
      const producer = {
        sendBatch: async (batch: ProducerBatch) => {
          entered();
          if (hold && !passes.length) await hold;
          passes.push((batch.topicMessages ?? []).flatMap((t) => t.messages.map((m) => String(m.key))));
          return real.sendBatch(batch);
        },
      } as unknown as Producer;
      return { producer, passes, inSend };
    };

    it('publishes the wakes of a burst in one pass', async () => {
      const { producer, passes } = recording();
      const relay = new OutboxRelay(app.ds, producer, log, { wakeDelayMs: 2000, intervalMs: 60_000 });
      await insertRow('burst-0');
      relay.start();
      await waitFor(async () => (await unsent(['burst-0'])) === 0, { what: 'the first pass' });
      const keys = Array.from({ length: 10 }, (_, i) => `burst-${i + 1}`);
      for (const k of keys) {
        await insertRow(k);
        relay.wake();
      }
      await waitFor(async () => (await unsent(keys)) === 0, { what: 'the burst published' });
      await relay.stop();
      expect(passes).toEqual([['burst-0'], keys]);
    });

    it('does not lose a wake that arrives during a pass (the rows do not wait for the idle poll)', async () => {
      let release!: () => void;
      const { producer, passes, inSend } = recording(new Promise<void>((r) => (release = r)));
      const relay = new OutboxRelay(app.ds, producer, log, { wakeDelayMs: 0, intervalMs: 60_000 });
      await insertRow('during-a');
      relay.start();
      await inSend; // the first pass has claimed its rows and is publishing
      await insertRow('during-b');
      relay.wake();
      release();
      await waitFor(async () => (await unsent(['during-a', 'during-b'])) === 0, {
        timeoutMs: 10_000,
        what: 'both rows published well before the 60 s poll',
      });
      await relay.stop();
      expect(passes).toEqual([['during-a'], ['during-b']]);
    });

    it('does not let wakes cut the back-off short while Kafka is failing', async () => {
      const logs = captureLogs(); // connection errors are expected
      const dead = new LazyProducer(
        createProducer(
          createKafka({ brokers: ['127.0.0.1:1'], clientId: 'relay-test-dead', logger: log, retry: { retries: 0 } }),
        ),
      );
      const failedAt: number[] = [];
      const attemptedAt: number[] = [];
      const producer = {
        sendBatch: async (batch: ProducerBatch) => {
          attemptedAt.push(Date.now());
          try {
            return await dead.sendBatch(batch);
          } finally {
            failedAt.push(Date.now());
          }
        },
      } as unknown as Producer;
      const relay = new OutboxRelay(app.ds, producer, log, { wakeDelayMs: 0, intervalMs: 60_000 });
      try {
        await insertRow('failing-1');
        relay.start();
        // Wake continuously until the second attempt; the first back-off is 500 ms.
        await waitFor(
          () => {
            relay.wake();
            return attemptedAt.length >= 2;
          },
          { intervalMs: 10, what: 'a second attempt' },
        );
        expect(attemptedAt[1] - failedAt[0]).toBeGreaterThanOrEqual(450);
      } finally {
        await relay.stop();
        await dead.close();
        logs.restore();
        await app.ds.query(`DELETE FROM outbox_message WHERE key = 'failing-1'`);
      }
    });
  });
});
