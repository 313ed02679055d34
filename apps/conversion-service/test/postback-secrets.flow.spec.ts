import { TOPICS } from '@snaptrack/contracts-events';
import { waitFor } from '@snaptrack/util-testing';
import { startTestConversionService, type TestConversionService } from './harness';
import {
  TestBus,
  clickValue,
  entity,
  newSecret,
  offerSourceData,
  postback,
  publishClickAndWait,
  randomId,
  rawRequest,
  seedAccount,
  sha256,
  stateCounts,
  type CollectedMessage,
  type SeededAccount,
} from './factories';

const HOUR = 3600 * 1000;

/** Postback secrets, secret-decided pending postbacks, their expiry and cap, and exact replays. */
describe('postback secrets (real broker and database)', () => {
  let app: TestConversionService;
  let bus: TestBus;
  let acc: SeededAccount;
  let other: SeededAccount;
  let events: CollectedMessage[];
  // The clock of the postback path and the pending job; tests move it instead of sleeping.
  let now = Date.now();

  const clickOf = (a: SeededAccount) =>
    publishClickAndWait(
      bus,
      app.ds,
      clickValue(a.accountId, { offer_source_id: a.offerSourceId, offer_id: a.offerId }),
    );

  /** Publishes an offer source (and an offer on it) of `a` and waits for both in the view. */
  async function publishSource(a: SeededAccount, data: ReturnType<typeof offerSourceData>, version = 1) {
    const sourceId = randomId('os-');
    const offerId = randomId('off-');
    await bus.publishConfig(
      entity('offer_source', sourceId, a.accountId, data, version),
      entity('offer', offerId, a.accountId, { name: 'O', url: 'https://shop.example.com/', offer_source_id: sourceId }),
    );
    await waitFor(
      async () =>
        (
          await app.ds.query(`SELECT 1 FROM config_entity WHERE key = ANY($1)`, [
            [`offer:${offerId}`, `offer_source:${sourceId}`],
          ])
        ).length === 2,
      { what: 'offer source in the view' },
    );
    return { sourceId, offerId };
  }

  beforeAll(async () => {
    app = await startTestConversionService({ pendingAttributionTimeoutMs: 600000 }, { now: () => new Date(now) });
    bus = await TestBus.connect(app.config.kafkaTopicPrefix!);
    acc = await seedAccount(bus, app.ds);
    other = await seedAccount(bus, app.ds);
    events = await bus.collect(TOPICS.conversionCreatedV1);
  });
  afterAll(async () => {
    await bus?.close();
    await app?.stop();
    await app?.dropDb();
  });
  beforeEach(() => {
    now = Date.now();
  });

  it(
    "refuses a postback without the secret (401), with a wrong one or another account's (403), " + 'storing nothing',
    async () => {
      const click = await clickOf(acc);
      const before = await stateCounts(app.ds);
      const params = { clickid: click.click_id, type: 'Deposit', sum: '5' };
      const none = await postback(app.url, params);
      const empty = await postback(app.url, { ...params, secret: '' });
      const wrong = await postback(app.url, { ...params, secret: newSecret() });
      const unfilled = await postback(app.url, { ...params, secret: '{secret}' });
      const otherAccount = await postback(app.url, { ...params, secret: other.secret });
      const otherAccountPost = await postback(app.url, { ...params, secret: other.secret }, { method: 'POST' });
      expect(
        [none, empty, wrong, unfilled, otherAccount, otherAccountPost].map((r) => [r.status, r.body.error]),
      ).toEqual([
        [401, 'missing_secret'],
        [401, 'missing_secret'],
        [403, 'bad_secret'],
        [403, 'bad_secret'],
        [403, 'bad_secret'],
        [403, 'bad_secret'],
      ]);
      for (const r of [none, wrong]) expect(typeof r.body.reason).toBe('string');
      expect(await stateCounts(app.ds)).toEqual(before);

      const ok = await postback(app.url, { ...params, secret: acc.secret });
      expect([ok.status, ok.body.status]).toEqual([200, 'accepted']);
      const ev = await waitFor(() => events.find((m) => m.key === ok.body.conversion_id));
      expect(ev.value).toMatchObject({ account_id: acc.accountId, type: 'Deposit' });
      // The secret never reaches the topic.
      expect(JSON.stringify(ev.value)).not.toContain(acc.secret);
    },
  );

  it('accepts unsigned postbacks on an offer source that opted out, but still refuses a wrong secret', async () => {
    const secret = newSecret();
    const { sourceId, offerId } = await publishSource(
      acc,
      offerSourceData({ secret, accept_unsigned_postbacks: true }),
    );
    const click = await publishClickAndWait(
      bus,
      app.ds,
      clickValue(acc.accountId, { offer_source_id: sourceId, offer_id: offerId }),
    );
    const unsigned = await postback(app.url, { clickid: click.click_id, type: 'Deposit', sum: '1' });
    expect([unsigned.status, unsigned.body.status]).toEqual([200, 'accepted']);
    const signed = await postback(app.url, { clickid: click.click_id, type: 'Deposit', sum: '2', secret });
    expect([signed.status, signed.body.status]).toEqual([200, 'accepted']);
    const before = await stateCounts(app.ds);
    const wrong = await postback(app.url, { clickid: click.click_id, type: 'Deposit', sum: '3', secret: 'nope' });
    expect([wrong.status, wrong.body.error]).toEqual([403, 'bad_secret']);
    expect(await stateCounts(app.ds)).toEqual(before);
  });

  it('accepts the previous secret during the overlap after a rotation and refuses it after', async () => {
    const [oldSecret, newer] = [newSecret(), newSecret()];
    const expiresAt = Date.now() + 24 * HOUR;
    const { sourceId, offerId } = await publishSource(
      acc,
      offerSourceData({
        secret: newer,
        previous_postback_token_sha256: sha256(oldSecret),
        previous_postback_token_expires_at: new Date(expiresAt).toISOString(),
      }),
    );
    const click = await publishClickAndWait(
      bus,
      app.ds,
      clickValue(acc.accountId, { offer_source_id: sourceId, offer_id: offerId }),
    );
    const send = (secret: string, sum: string) =>
      postback(app.url, { clickid: click.click_id, type: 'Deposit', sum, secret });

    now = expiresAt - 60 * 1000; // a minute before the overlap ends
    expect((await send(oldSecret, '1')).body.status).toBe('accepted');
    expect((await send(newer, '2')).body.status).toBe('accepted');

    now = expiresAt; // the overlap is over
    const before = await stateCounts(app.ds);
    const refused = await send(oldSecret, '3');
    expect([refused.status, refused.body.error]).toEqual([403, 'bad_secret']);
    expect(await stateCounts(app.ds)).toEqual(before);
    expect((await send(newer, '4')).body.status).toBe('accepted');
    // An unknown click with the expired secret cannot be kept either.
    const pending = await postback(app.url, { clickid: randomId('late'), type: 'Deposit', secret: oldSecret });
    expect([pending.status, pending.body.error]).toEqual([403, 'bad_secret']);
  });

  it(
    "keeps an unknown-click postback pending in the secret's account (not the Host's); a wrong secret " +
      'stores nothing',
    async () => {
      const clickId = randomId('unk');
      const res = await postback(
        app.url,
        { clickid: clickId, type: 'Purchase', eventid: 'ev-1', secret: acc.secret },
        { host: other.host },
      );
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ status: 'pending', pending_id: expect.any(String), reason: expect.any(String) });
      const [row] = await app.ds.query(`SELECT * FROM pending_postback WHERE id = $1`, [res.body.pending_id]);
      expect(row).toMatchObject({
        account_id: acc.accountId,
        offer_source_id: acc.offerSourceId,
        state: 'pending',
        token_sha256: sha256(acc.secret),
      });

      const before = await stateCounts(app.ds);
      const wrong = await postback(
        app.url,
        { clickid: randomId('unk'), type: 'Purchase', secret: 'guess' },
        { host: acc.host },
      );
      const none = await postback(app.url, { clickid: randomId('unk'), type: 'Purchase' }, { host: acc.host });
      expect([wrong.status, wrong.body.error, none.status, none.body.error]).toEqual([
        403,
        'bad_secret',
        401,
        'missing_secret',
      ]);
      expect(await stateCounts(app.ds)).toEqual(before);
    },
  );

  it(
    'answers an exact replay (parameters in any order) with the first conversion, whatever the ' + 'duplicate policy',
    async () => {
      const click = await clickOf(acc);
      // Deposit has the "create" policy: without replay detection each of these would be a new conversion.
      const q = (order: string[]) => {
        const p: Record<string, string> = {
          clickid: click.click_id,
          type: 'Deposit',
          sum: '19.99',
          email: 'Replay@Example.com',
          secret: acc.secret,
        };
        return `/postback?${order.map((k) => `${k}=${encodeURIComponent(p[k])}`).join('&')}`;
      };
      const first = await rawRequest(app.url, { path: q(['clickid', 'type', 'sum', 'email', 'secret']) });
      expect([first.status, first.body.status]).toEqual([200, 'accepted']);
      const before = await stateCounts(app.ds);
      const replay = await rawRequest(app.url, { path: q(['secret', 'email', 'sum', 'type', 'clickid']) });
      expect(replay.status).toBe(200);
      expect(replay.body).toEqual({
        status: 'duplicate',
        reason: expect.stringContaining('replay'),
        conversion_id: first.body.conversion_id,
      });
      // A concurrent burst of the same retry: all duplicates of the first.
      const burst = await Promise.all(
        Array.from({ length: 6 }, () =>
          rawRequest(app.url, { path: q(['type', 'clickid', 'secret', 'sum', 'email']) }),
        ),
      );
      expect(burst.map((r) => [r.body.status, r.body.conversion_id])).toEqual(
        burst.map(() => ['duplicate', first.body.conversion_id]),
      );
      expect(await stateCounts(app.ds)).toEqual(before);
      // Only a digest of the request is kept, never the parameters (they carry customer data).
      const keys: Array<{ request_key: string }> = await app.ds.query(
        `SELECT request_key FROM postback_request WHERE conversion_id = $1`,
        [first.body.conversion_id],
      );
      expect(keys).toHaveLength(1);
      expect(keys[0].request_key).toMatch(/^[0-9a-f]{64}$/);

      // Another amount is another postback; the same one after the 24-hour window is a new conversion.
      const changed = await postback(app.url, {
        clickid: click.click_id,
        type: 'Deposit',
        sum: '20',
        secret: acc.secret,
      });
      expect(changed.body.status).toBe('accepted');
      now = Date.now() + 24 * HOUR + 1000;
      const later = await rawRequest(app.url, { path: q(['clickid', 'type', 'sum', 'email', 'secret']) });
      now = Date.now();
      expect(later.body.status).toBe('accepted');
      expect(later.body.conversion_id).not.toBe(first.body.conversion_id);
    },
  );

  it('answers a concurrent burst of one postback with one conversion even under the "create" policy', async () => {
    const click = await clickOf(acc);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        postback(app.url, { clickid: click.click_id, type: 'Deposit', sum: '7', secret: acc.secret }),
      ),
    );
    const accepted = answers.filter((a) => a.body.status === 'accepted');
    expect(accepted).toHaveLength(1);
    for (const a of answers) expect(a.body.conversion_id).toBe(accepted[0].body.conversion_id);
    expect(await app.ds.query(`SELECT id FROM conversion WHERE click_id = $1`, [click.click_id])).toHaveLength(1);
    expect(
      await app.ds.query(`SELECT 1 FROM outbox_message WHERE key = $1`, [accepted[0].body.conversion_id]),
    ).toHaveLength(1);
  });

  it('answers a replay of a pending postback with the same pending postback', async () => {
    const params = { clickid: randomId('unk'), type: 'Purchase', eventid: 'p-1', secret: acc.secret };
    const a = await postback(app.url, params);
    const b = await postback(app.url, params, { method: 'POST' });
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(b.body.pending_id).toBe(a.body.pending_id);
    const rows = await app.ds.query(`SELECT id FROM pending_postback WHERE click_id = $1`, [params.clickid]);
    expect(rows).toEqual([{ id: a.body.pending_id }]);
  });

  it('deletes pending postbacks once their TTL is over, and only those', async () => {
    const t0 = Date.now() + 100 * HOUR; // clear of the rows other tests left
    now = t0;
    const due = await postback(app.url, { clickid: randomId('ttl'), type: 'Purchase', secret: acc.secret });
    now = t0 + 23 * HOUR;
    const young = await postback(app.url, { clickid: randomId('ttl'), type: 'Purchase', secret: other.secret });
    expect([due.status, young.status]).toEqual([202, 202]);
    const exists = async (id: string) =>
      (await app.ds.query(`SELECT 1 FROM pending_postback WHERE id = $1`, [id])).length === 1;
    // Between the two TTLs: the first goes (by the periodic job or this call), the second stays.
    now = t0 + 24 * HOUR;
    await app.pending.expire();
    await waitFor(async () => !(await exists(due.body.pending_id)), { what: 'the due pending postback deleted' });
    expect(await exists(young.body.pending_id)).toBe(true);
    now = t0 + 47 * HOUR - 1000;
    await app.pending.expire();
    expect(await exists(young.body.pending_id)).toBe(true);
    now = t0 + 47 * HOUR;
    // (a row the sweep holds locked at that moment is skipped, and deleted by the next pass)
    await app.pending.expire();
    await waitFor(async () => !(await exists(young.body.pending_id)), { what: 'the second pending postback deleted' });
  });
});

describe('pending postbacks per account are capped', () => {
  let app: TestConversionService;
  let bus: TestBus;
  let acc: SeededAccount;
  let other: SeededAccount;

  beforeAll(async () => {
    app = await startTestConversionService({ pendingPostbacksMaxPerAccount: 3 });
    bus = await TestBus.connect(app.config.kafkaTopicPrefix!);
    acc = await seedAccount(bus, app.ds);
    other = await seedAccount(bus, app.ds);
  });
  afterAll(async () => {
    await bus?.close();
    await app?.stop();
    await app?.dropDb();
  });

  it('answers 429 with a reason beyond the cap and stores nothing; other accounts are not affected', async () => {
    const send = (a: SeededAccount) =>
      postback(app.url, { clickid: randomId('cap'), type: 'Purchase', secret: a.secret });
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => send(acc)));
    expect(concurrent.map((r) => r.status).sort()).toEqual([202, 202, 202, 429, 429]);
    const refused = concurrent.find((r) => r.status === 429)!;
    expect(refused.body).toEqual({ error: 'too_many_pending', reason: expect.stringContaining('3') });
    const [{ n }] = await app.ds.query(`SELECT count(*)::int AS n FROM pending_postback WHERE account_id = $1`, [
      acc.accountId,
    ]);
    expect(n).toBe(3);
    expect((await send(other)).status).toBe(202);
    // A known click is not a pending postback: the cap does not apply.
    const click = await publishClickAndWait(
      bus,
      app.ds,
      clickValue(acc.accountId, { offer_source_id: acc.offerSourceId, offer_id: acc.offerId }),
    );
    expect((await postback(app.url, { clickid: click.click_id, type: 'Deposit', secret: acc.secret })).status).toBe(
      200,
    );
  });
});
