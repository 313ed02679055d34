import { ConversionCreatedV1, TOPICS } from '@snaptrack/contracts-events';
import { waitFor } from '@snaptrack/util-testing';
import { startTestConversionService, type TestConversionService } from './harness';
import {
  TestBus,
  clickValue,
  entity,
  postback,
  publishClickAndWait,
  seedAccount,
  sha256,
  stateCounts,
  type CollectedMessage,
  type SeededAccount,
} from './factories';

describe('pending postbacks, unattributed conversions and the Kafka views', () => {
  let app: TestConversionService;
  let bus: TestBus;
  let acc: SeededAccount;
  let events: CollectedMessage[];
  let deadLetters: CollectedMessage[];

  const resolved = (pendingId: string) =>
    waitFor(
      async () =>
        (await app.ds.query(`SELECT * FROM pending_postback WHERE id = $1 AND state <> 'pending'`, [pendingId]))[0],
      { what: `pending ${pendingId} resolved` },
    );

  beforeAll(async () => {
    app = await startTestConversionService({ pendingAttributionTimeoutMs: 1500 });
    bus = await TestBus.connect(app.config.kafkaTopicPrefix!);
    acc = await seedAccount(bus, app.ds);
    events = await bus.collect(TOPICS.conversionCreatedV1);
    deadLetters = await bus.collect(TOPICS.deadLetterV1);
  });
  afterAll(async () => {
    await bus?.close();
    await app?.stop();
    await app?.dropDb();
  });

  it("stores a postback whose click never arrives as an unattributed conversion of the secret's account", async () => {
    const res = await postback(
      app.url,
      {
        secret: acc.secret,
        clickid: 'neverseen0001',
        type: 'Purchase',
        sum: '12',
        eventid: 'x-1',
        phone: '+44 844 412 4653',
      },
      // The Host header names no tracking domain of this account: the secret decides.
      { host: 'unknown.example.net:8080' },
    );
    expect(res.status).toBe(202);
    const row = await resolved(res.body.pending_id);
    expect(row.state).toBe('unattributed');
    expect(row).toMatchObject({ account_id: acc.accountId, offer_source_id: acc.offerSourceId });
    const ev = await waitFor(() => events.find((m) => m.key === row.conversion_id));
    expect(ConversionCreatedV1.contract.assert(ev.value)).toMatchObject({
      status: 'unattributed',
      account_id: acc.accountId,
      type: 'Purchase',
      payout: 12,
      currency: 'USD', // DEFAULT_CURRENCY: no offer source currency without its click
      attribution: null,
      click: null,
      postback_click_id: 'neverseen0001',
      event_id: 'x-1',
      user_data: { ph: sha256('448444124653') },
    });
  });

  it(
    'keeps a pending postback in the account of its secret, whatever the Host header, and attributes ' +
      'it if its click comes',
    async () => {
      const click = clickValue(acc.accountId, { offer_source_id: acc.offerSourceId, offer_id: acc.offerId });
      const other = await seedAccount(bus, app.ds);
      const res = await postback(
        app.url,
        { secret: acc.secret, clickid: click.click_id, type: 'Deposit' },
        { host: other.host },
      );
      expect(res.status).toBe(202);
      const [row] = await app.ds.query(`SELECT * FROM pending_postback WHERE id = $1`, [res.body.pending_id]);
      expect(row).toMatchObject({ state: 'pending', account_id: acc.accountId, conversion_id: null });

      await bus.publishClick(click);
      const later = await waitFor(
        async () =>
          (
            await app.ds.query(`SELECT * FROM pending_postback WHERE id = $1 AND state = 'attributed'`, [
              res.body.pending_id,
            ])
          )[0],
      );
      const ev = await waitFor(() => events.find((m) => m.key === later.conversion_id));
      expect(ev.value).toMatchObject({ status: 'attributed', account_id: acc.accountId, type: 'Deposit' });
    },
  );

  it('refuses a pending postback without a secret (401) or with a wrong one (403) and stores nothing', async () => {
    const click = clickValue(acc.accountId, { offer_source_id: acc.tokenOfferSourceId, offer_id: acc.tokenOfferId });
    const before = await stateCounts(app.ds);
    const none = await postback(app.url, { clickid: click.click_id, type: 'Deposit' }, { host: acc.host });
    const bad = await postback(app.url, { clickid: click.click_id, type: 'Deposit', token: 'wrong' });
    expect([none.status, bad.status]).toEqual([401, 403]);
    expect(none.body).toEqual({ error: 'missing_secret', reason: expect.any(String) });
    expect(bad.body).toEqual({ error: 'bad_secret', reason: expect.any(String) });
    expect(await stateCounts(app.ds)).toEqual(before);
  });

  it("checks the secret of a pending postback against its click's offer source once the click is known", async () => {
    const click = clickValue(acc.accountId, { offer_source_id: acc.tokenOfferSourceId, offer_id: acc.tokenOfferId });
    // A valid secret of the account, but of another offer source than the click's.
    const otherSource = await postback(app.url, { clickid: click.click_id, type: 'Deposit', secret: acc.secret });
    const good = await postback(app.url, { clickid: click.click_id, type: 'Deposit', token: acc.token, sum: '1' });
    expect([otherSource.status, good.status]).toEqual([202, 202]);
    await bus.publishClick(click);
    expect((await resolved(otherSource.body.pending_id)).state).toBe('rejected');
    expect((await resolved(otherSource.body.pending_id)).reason).toBe('bad_secret');
    expect((await resolved(good.body.pending_id)).state).toBe('attributed');
  });

  it('applies the duplicate policy to pending postbacks too', async () => {
    const click = clickValue(acc.accountId, { offer_source_id: acc.offerSourceId, offer_id: acc.offerId });
    // Different transaction ids: not replays of one request, two conversions under the type's policy.
    const a = await postback(app.url, { secret: acc.secret, clickid: click.click_id, type: 'Lead', txid: 'a' });
    const b = await postback(app.url, { secret: acc.secret, clickid: click.click_id, type: 'Lead', txid: 'b' });
    await bus.publishClick(click);
    const states = [(await resolved(a.body.pending_id)).state, (await resolved(b.body.pending_id)).state].sort();
    expect(states).toEqual(['attributed', 'duplicate']);
    expect(await app.ds.query(`SELECT id FROM conversion WHERE click_id = $1`, [click.click_id])).toHaveLength(1);
  });

  it('dead-letters undecodable and contract-violating messages and goes on', async () => {
    await bus.publish(TOPICS.clickRecordedV1, 'garbage', 'this is not json');
    await bus.publish(TOPICS.clickRecordedV1, 'short', JSON.stringify({ ...clickValue(acc.accountId), click_id: 'x' }));
    await bus.publish(TOPICS.configEntityV1, 'offer:1', JSON.stringify({ schema: 'config.entity.v1' }));
    const good = await publishClickAndWait(bus, app.ds, clickValue(acc.accountId));
    expect(good.click_id).toBeDefined();
    await waitFor(() => deadLetters.length >= 3, { what: 'three dead letters' });
    expect(deadLetters.map((d) => d.value.source_topic).sort()).toEqual(
      [bus.topic(TOPICS.clickRecordedV1), bus.topic(TOPICS.clickRecordedV1), bus.topic(TOPICS.configEntityV1)].sort(),
    );
    expect(deadLetters.find((d) => d.key === 'garbage')?.value).toMatchObject({
      schema: 'dead-letter.v1',
      consumer: 'conversion-service.clicks',
      original_value: 'this is not json',
    });
  });

  it('keeps the highest version of a config entity and honours deletes and tombstones', async () => {
    const id = 'ct-versioned';
    await bus.publishConfig(
      entity('conversion_type', id, acc.accountId, { name: 'V3', duplicate_policy: 'create', is_default: false }, 3),
    );
    await bus.publishConfig(
      entity('conversion_type', id, acc.accountId, { name: 'V2', duplicate_policy: 'create', is_default: false }, 2),
    );
    const marker = 'ct-marker';
    await bus.publishConfig(
      entity('conversion_type', marker, acc.accountId, { name: 'M', duplicate_policy: 'create', is_default: false }, 1),
    );
    await waitFor(
      async () =>
        (await app.ds.query(`SELECT 1 FROM config_entity WHERE key = $1`, [`conversion_type:${marker}`])).length > 0,
    );
    const [row] = await app.ds.query(`SELECT version, data FROM config_entity WHERE key = $1`, [
      `conversion_type:${id}`,
    ]);
    expect(row).toMatchObject({ version: '3', data: { name: 'V3' } });

    const click = await publishClickAndWait(
      bus,
      app.ds,
      clickValue(acc.accountId, { offer_source_id: acc.offerSourceId, offer_id: acc.offerId }),
    );
    expect((await postback(app.url, { secret: acc.secret, clickid: click.click_id, type: 'V3' })).status).toBe(200);

    await bus.publishConfig(entity('conversion_type', id, acc.accountId, null, 4, true));
    await waitFor(
      async () =>
        (await app.ds.query(`SELECT deleted FROM config_entity WHERE key = $1`, [`conversion_type:${id}`]))[0].deleted,
    );
    expect((await postback(app.url, { secret: acc.secret, clickid: click.click_id, type: 'V3' })).status).toBe(400);

    await bus.publish(TOPICS.configEntityV1, `conversion_type:${marker}`, null);
    await waitFor(
      async () =>
        (await app.ds.query(`SELECT deleted FROM config_entity WHERE key = $1`, [`conversion_type:${marker}`]))[0]
          .deleted,
    );
  });

  it('deletes pending postbacks past their TTL and says how many (none when none are due)', async () => {
    await app.pending.expire(); // whatever an earlier test left past the TTL
    expect(await app.pending.expire()).toBe(0);
    const old = [1, 2, 3].map((i) => `expired000${i}`);
    for (const clickId of old)
      await app.ds.query(
        `INSERT INTO pending_postback (id, click_id, state, received_at)
         VALUES (gen_random_uuid(), $1, 'unattributed', now() - interval '10000 hours')`,
        [clickId],
      );
    expect(await app.pending.expire()).toBe(3);
    expect(await app.ds.query(`SELECT 1 FROM pending_postback WHERE click_id = ANY($1)`, [old])).toEqual([]);
    expect(await app.pending.expire()).toBe(0);
  });
});
