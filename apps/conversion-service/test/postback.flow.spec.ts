import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { TOPICS, ConversionCreatedV1 } from '@snaptrack/contracts-events';
import { captureLogs, waitFor } from '@snaptrack/util-testing';
import { startTestConversionService, type TestConversionService } from './harness';
import {
  TestBus,
  clickValue,
  postback,
  publishClickAndWait,
  seedAccount,
  sha256,
  stateCounts,
  type CollectedMessage,
  type SeededAccount,
} from './factories';

interface Vector {
  field: string;
  input: string;
  sha256: string;
}
const VECTORS: Vector[] = JSON.parse(
  readFileSync(path.resolve(__dirname, '../../../libs/shared/util-pii/test/fixtures/snap-hash-vectors.json'), 'utf8'),
);
const vector = (field: string, input: string) => {
  const v = VECTORS.find((x) => x.field === field && x.input === input);
  if (!v) throw new Error(`no vector ${field} ${input}`);
  return v.sha256;
};

describe('postbacks → conversions (real broker and database)', () => {
  let app: TestConversionService;
  let bus: TestBus;
  let acc: SeededAccount;
  let events: CollectedMessage[];

  const eventOf = (conversionId: string) =>
    waitFor(() => events.find((m) => m.key === conversionId), { what: `conversion.created.v1 for ${conversionId}` });

  beforeAll(async () => {
    app = await startTestConversionService();
    bus = await TestBus.connect(app.config.kafkaTopicPrefix!);
    acc = await seedAccount(bus, app.ds);
    events = await bus.collect(TOPICS.conversionCreatedV1);
  });
  afterAll(async () => {
    await bus?.close();
    await app?.stop();
    await app?.dropDb();
  });

  it(
    'hashes the five seed roles exactly like the Snap vectors, end to end, and never keeps the raw ' + 'values',
    async () => {
      const logs = captureLogs();
      try {
        const click = await publishClickAndWait(
          bus,
          app.ds,
          clickValue(acc.accountId, { offer_source_id: acc.offerSourceId, offer_id: acc.offerId }),
        );
        const res = await postback(app.url, {
          secret: acc.secret,
          clickid: click.click_id,
          sum: '49.90',
          type: 'Purchase',
          eventid: 'ord-10042',
          email: 'Person@Example.com',
          phone: '+44 844 412 4653',
          fname: 'John',
          lname: 'Raphaël',
          zip: '00000',
        });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          status: 'accepted',
          conversion_id: expect.any(String),
          conversion_status: 'attributed',
        });

        const msg = await eventOf(res.body.conversion_id);
        const ev = ConversionCreatedV1.contract.assert(msg.value);
        expect(ev.user_data).toEqual({
          em: vector('em', 'Person@Example.com'),
          ph: vector('ph', '+44 844 412 4653'),
          fn: vector('fn', 'John'),
          ln: vector('fn', 'Raphaël'), // same name rule for first and last names
          zp: vector('zp', '00000'),
        });
        expect(ev).toMatchObject({
          account_id: acc.accountId,
          status: 'attributed',
          conversion_type_id: acc.types.purchase,
          type: 'Purchase',
          payout: 49.9,
          currency: 'EUR', // the offer source's default
          transaction_id: 'ord-10042',
          event_id: 'ord-10042', // explicit event id, verbatim
          postback_click_id: click.click_id,
          attribution: {
            campaign_id: 'cmp-1',
            traffic_channel_id: 'tc-1',
            traffic_channel_template: 'snapchat',
            offer_id: acc.offerId,
            offer_source_id: acc.offerSourceId,
          },
          click: {
            click_id: click.click_id,
            sc_click_id: click.sc_click_id,
            ip: '203.0.113.7',
            user_agent: click.user_agent,
            landing_url: click.landing_url,
            params: click.params,
          },
          prehashed: [],
        });
        expect(msg.headers['message-id']).toBeDefined();

        const stored = JSON.stringify([
          await app.ds.query(`SELECT * FROM conversion`),
          await app.ds.query(`SELECT payload FROM outbox_message`),
          msg.value,
        ]);
        for (const raw of [
          'Person@Example.com',
          'person@example.com',
          '844 412',
          '448444124653',
          'John',
          'Raphaël',
          'raphaël',
        ]) {
          expect(stored).not.toContain(raw);
          expect(logs.lines.join('\n')).not.toContain(raw);
        }
      } finally {
        logs.restore();
      }
    },
  );

  it('uses the offer source role names, passes pre-hashed values through and records them as prehashed', async () => {
    const click = await publishClickAndWait(
      bus,
      app.ds,
      clickValue(acc.accountId, { offer_source_id: acc.offerSourceId, offer_id: acc.offerId }),
    );
    const hashedEmail = sha256('someone@example.com').toUpperCase();
    const res = await postback(
      app.url,
      {
        secret: acc.secret,
        clickid: click.click_id,
        type: 'Deposit',
        email: hashedEmail,
        p_city: 'Menlo Park',
        phone: '(415) 555-0132',
      },
      { method: 'POST' },
    );
    expect(res.status).toBe(200);
    const ev = (await eventOf(res.body.conversion_id)).value as ConversionCreatedV1.Value;
    expect(ev.user_data.em).toBe(hashedEmail.toLowerCase());
    expect(ev.user_data.ct).toBe(sha256('menlopark'));
    expect(ev.user_data.ph).toBe(sha256('14155550132')); // national number + the offer source's phone country (US)
    expect(ev.prehashed).toEqual(['email']);
    expect(ev.payout).toBeNull();
    expect(ev.currency).toBeNull();
    // derived event id: sha256(clickId|type|conversionId)
    expect(ev.event_id).toBe(sha256(`${click.click_id}|Deposit|${res.body.conversion_id}`));
  });

  it('accepts a JSON POST and the account default type when type is absent', async () => {
    const click = await publishClickAndWait(
      bus,
      app.ds,
      clickValue(acc.accountId, { offer_source_id: acc.offerSourceId, offer_id: acc.offerId }),
    );
    const res = await postback(
      app.url,
      { secret: acc.secret, clickid: click.click_id, sum: '10', currency: 'usd', txid: 'T-1' },
      { method: 'POST', json: true },
    );
    expect(res.status).toBe(200);
    const ev = (await eventOf(res.body.conversion_id)).value as ConversionCreatedV1.Value;
    expect(ev).toMatchObject({
      type: 'Lead',
      conversion_type_id: acc.types.lead,
      payout: 10,
      currency: 'USD',
      transaction_id: 'T-1',
    });
    expect(ev.event_id).toBe(sha256(`${click.click_id}|Lead|T-1`));
  });

  it('waits briefly for a click the consumer has not stored yet and attributes it at once', async () => {
    const slow = await startTestConversionService({
      kafkaTopicPrefix: app.config.kafkaTopicPrefix,
      databaseUrl: app.config.databaseUrl,
      clickWaitMs: 2000,
      kafkaGroupId: 'second-instance',
    });
    try {
      const click = clickValue(acc.accountId, { offer_source_id: acc.offerSourceId, offer_id: acc.offerId });
      const answer = postback(slow.url, { secret: acc.secret, clickid: click.click_id, type: 'Deposit' });
      await bus.publishClick(click);
      const res = await answer;
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('accepted');
    } finally {
      await slow.stop();
    }
  });

  it(
    'keeps a postback that arrives before its click pending (202) and attributes it once the click ' + 'arrives',
    async () => {
      const click = clickValue(acc.accountId, { offer_source_id: acc.offerSourceId, offer_id: acc.offerId });
      const res = await postback(app.url, {
        secret: acc.secret,
        clickid: click.click_id,
        type: 'Purchase',
        sum: '5.5',
        eventid: 'late-1',
        email: 'Late@Example.com',
      });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ status: 'pending', pending_id: expect.any(String), reason: expect.any(String) });
      const [pending] = await app.ds.query(`SELECT state, user_data FROM pending_postback WHERE id = $1`, [
        res.body.pending_id,
      ]);
      expect(pending.state).toBe('pending');
      expect(pending.user_data).toEqual({ em: sha256('late@example.com') });
      expect(await app.ds.query(`SELECT 1 FROM conversion WHERE click_id = $1`, [click.click_id])).toHaveLength(0);

      await bus.publishClick(click);
      const row = await waitFor(
        async () =>
          (
            await app.ds.query(`SELECT * FROM pending_postback WHERE id = $1 AND state <> 'pending'`, [
              res.body.pending_id,
            ])
          )[0],
        { what: 'pending postback resolved' },
      );
      expect(row.state).toBe('attributed');
      const ev = (await eventOf(row.conversion_id)).value as ConversionCreatedV1.Value;
      expect(ev).toMatchObject({
        status: 'attributed',
        type: 'Purchase',
        payout: 5.5,
        currency: 'EUR',
        event_id: 'late-1',
        user_data: { em: sha256('late@example.com') },
      });
      expect(ev.attribution?.campaign_id).toBe('cmp-1');
      expect(new Date(ev.received_at).getTime()).toBeLessThanOrEqual(Date.now());
      expect(events.filter((m) => m.key === row.conversion_id)).toHaveLength(1);
    },
  );

  it(
    'marks a conversion on a click older than the offer source allows as expired_click (stored and ' + 'published)',
    async () => {
      const old = new Date(Date.now() - 8 * 24 * 3600 * 1000).toISOString(); // offer source: 7 days
      const click = await publishClickAndWait(
        bus,
        app.ds,
        clickValue(acc.accountId, { offer_source_id: acc.offerSourceId, offer_id: acc.offerId, clicked_at: old }),
      );
      const res = await postback(app.url, { secret: acc.secret, clickid: click.click_id, type: 'Deposit', sum: '1' });
      expect(res.status).toBe(200);
      expect(res.body.conversion_status).toBe('expired_click');
      const ev = (await eventOf(res.body.conversion_id)).value as ConversionCreatedV1.Value;
      expect(ev.status).toBe('expired_click');
      expect(ev.click?.clicked_at).toBe(old);
    },
  );

  it('checks the postback token of an offer source that has one', async () => {
    const click = await publishClickAndWait(
      bus,
      app.ds,
      clickValue(acc.accountId, { offer_source_id: acc.tokenOfferSourceId, offer_id: acc.tokenOfferId }),
    );
    const before = await stateCounts(app.ds);
    const missing = await postback(app.url, { clickid: click.click_id, type: 'Deposit' });
    const wrong = await postback(app.url, { clickid: click.click_id, type: 'Deposit', token: 'nope' });
    // The secret of another offer source of the same account is not this one's.
    const otherSource = await postback(app.url, { secret: acc.secret, clickid: click.click_id, type: 'Deposit' });
    expect([missing.status, wrong.status, otherSource.status]).toEqual([401, 403, 403]);
    expect(missing.body).toEqual({ error: 'missing_secret', reason: expect.any(String) });
    expect(wrong.body).toEqual({ error: 'bad_secret', reason: expect.any(String) });
    expect(await stateCounts(app.ds)).toEqual(before);
    // URLs made before postback secrets carry it as token=…; secret=… works as well.
    const ok = await postback(app.url, { clickid: click.click_id, type: 'Deposit', token: acc.token });
    expect(ok.status).toBe(200);
    const ok2 = await postback(app.url, { clickid: click.click_id, type: 'Deposit', secret: acc.token, sum: '2' });
    expect(ok2.status).toBe(200);
  });
});
