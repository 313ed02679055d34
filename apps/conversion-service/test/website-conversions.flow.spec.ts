import { randomBytes } from 'node:crypto';
import { TOPICS } from '@snaptrack/contracts-events';
import { waitFor } from '@snaptrack/util-testing';
import { startTestConversionService, type TestConversionService } from './harness';
import {
  TestBus,
  clickValue,
  entity,
  publishClickAndWait,
  randomId,
  rawRequest,
  seedAccount,
  sha256,
  stateCounts,
  type CollectedMessage,
  type SeededAccount,
} from './factories';

const SITE = 'https://shop.example.com';
// Snap's test vector for Person@Example.com (libs/shared/util-pii/test/fixtures/snap-hash-vectors.json).
const EMAIL_SHA256 = '542d240129883c019e106e3b1b2d3f3cb3537c43c425364de8e951d5a3083345';

async function post(
  baseUrl: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; cors: string | null; body: any }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, cors: res.headers.get('access-control-allow-origin'), body: await res.json() };
}

/** Website conversions: the shop backend (website secret) and the thank-you page (allowed origin), one path. */
describe('website conversions: POST /conversions and /conversions/browser (real broker and database)', () => {
  let app: TestConversionService;
  let bus: TestBus;
  let acc: SeededAccount;
  let events: CollectedMessage[];
  const websiteId = randomId('web-');
  const secret = `wss_${randomBytes(24).toString('base64url')}`;

  const websiteClick = (overrides = {}) =>
    publishClickAndWait(
      bus,
      app.ds,
      clickValue(acc.accountId, { offer_source_id: acc.offerSourceId, offer_id: websiteId, ...overrides }),
    );
  const eventsOf = (conversionId: string) => events.filter((e) => e.value.conversion_id === conversionId);

  beforeAll(async () => {
    app = await startTestConversionService({ browserConversionsPerClickPerMinute: 3 });
    bus = await TestBus.connect(app.config.kafkaTopicPrefix!);
    acc = await seedAccount(bus, app.ds);
    await bus.publishConfig(
      entity('offer', websiteId, acc.accountId, {
        name: 'Shop',
        url: `${SITE}/landing`,
        offer_source_id: acc.offerSourceId,
        kind: 'website',
        domain: 'shop.example.com',
        allowed_origins: [SITE],
        conversion_secret_sha256: sha256(secret),
      }),
    );
    await waitFor(
      async () => (await app.ds.query(`SELECT 1 FROM config_entity WHERE key = $1`, [`offer:${websiteId}`])).length > 0,
      { what: 'the website in the view' },
    );
    events = await bus.collect(TOPICS.conversionCreatedV1);
  });
  afterAll(async () => {
    await bus?.close();
    await app?.stop();
    await app?.dropDb();
  });

  it('the backend reports an order with the secret; the answer names the event id the event carries', async () => {
    const scid = '3c1a8e0f-5d5e-4b6f-9c55-5a7c6f1f2b10';
    const click = await websiteClick({ sc_cookie1: scid });
    const orderId = randomId('order-');
    const res = await post(
      app.url,
      '/conversions',
      {
        click_id: click.click_id,
        type: 'Purchase',
        value: 49.9,
        currency: 'eur',
        order_id: orderId,
        customer: { email: 'Person@Example.com', first_name: 'John' },
        secret: 'ignored',
      },
      { authorization: `Bearer ${secret}` },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'accepted', conversion_status: 'attributed', event_id: orderId });
    const [ev] = await waitFor(
      async () => (eventsOf(res.body.conversion_id).length ? eventsOf(res.body.conversion_id) : null),
      {
        what: 'conversion.created.v1',
      },
    );
    expect(ev.value).toMatchObject({
      event_id: orderId,
      explicit_event_id: true,
      transaction_id: orderId,
      payout: 49.9,
      currency: 'EUR',
      type: 'Purchase',
      postback_click_id: click.click_id,
    });
    expect(ev.value.user_data.em).toBe(EMAIL_SHA256);
    expect(ev.value.click.sc_cookie1).toBe(scid);
    expect(ev.value.click.sc_click_id).toBe(click.sc_click_id);

    // The thank-you page reporting the same order: the type's policy (same event id) makes it a duplicate, and the
    // page still learns the event id to give the Snap Pixel.
    const page = await post(
      app.url,
      '/conversions/browser',
      { click_id: click.click_id, type: 'Purchase', value: 49.9, currency: 'EUR', event_id: orderId },
      { origin: SITE },
    );
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ status: 'duplicate', conversion_id: res.body.conversion_id, event_id: orderId });
    expect(page.cors).toBe(SITE);
  });

  it('the page reports with its own event id; the answer and the event carry it verbatim', async () => {
    const click = await websiteClick();
    const eventId = `evt-${randomId()}`;
    const res = await post(
      app.url,
      '/conversions/browser',
      { click_id: click.click_id, type: 'Purchase', value: '12.5', event_id: eventId, phone: '+44 844 412 4653' },
      { origin: SITE },
    );
    expect(res).toMatchObject({ status: 200, cors: SITE });
    expect(res.body).toMatchObject({ status: 'accepted', event_id: eventId });
    const [ev] = await waitFor(
      async () => (eventsOf(res.body.conversion_id).length ? eventsOf(res.body.conversion_id) : null),
      {
        what: 'conversion.created.v1',
      },
    );
    expect(ev.value.event_id).toBe(eventId);
    expect(ev.value.user_data.ph).toBe('dc008fda46e2e64002cf2f82a4906236282d431c4f75e5b60bfe79fc48546383');
    expect(ev.value.click).not.toHaveProperty('sc_cookie1');
  });

  it('refuses bad or no secrets, foreign or no origins, unknown clicks and offers; stores nothing', async () => {
    const click = await websiteClick();
    const offerClick = await publishClickAndWait(
      bus,
      app.ds,
      clickValue(acc.accountId, { offer_source_id: acc.offerSourceId, offer_id: acc.offerId }),
    );
    const body = { click_id: click.click_id, type: 'Purchase', value: 10, event_id: randomId('e-') };
    const before = await stateCounts(app.ds);
    const answers = [
      await post(app.url, '/conversions', body),
      await post(app.url, '/conversions', body, { authorization: 'Bearer wss_wrong' }),
      // The offer source's postback secret is not the website's secret.
      await post(app.url, '/conversions', body, { authorization: `Bearer ${acc.secret}` }),
      await post(app.url, '/conversions/browser', body, { origin: 'https://evil.example.net' }),
      await post(app.url, '/conversions/browser', body, { origin: 'https://shop.example.com.evil.example.net' }),
      await post(app.url, '/conversions/browser', body),
      await post(app.url, '/conversions/browser', { ...body, click_id: 'unknownclick123' }, { origin: SITE }),
      await post(app.url, '/conversions/browser', { ...body, click_id: offerClick.click_id }, { origin: SITE }),
      await post(app.url, '/conversions', { ...body, value: 'abc' }, { authorization: `Bearer ${secret}` }),
      await post(app.url, '/conversions', '[1]', { authorization: `Bearer ${secret}` }),
    ];
    expect(answers.map((a) => [a.status, a.body.error])).toEqual([
      [401, 'missing_secret'],
      [403, 'bad_secret'],
      [403, 'bad_secret'],
      [403, 'origin_not_allowed'],
      [403, 'origin_not_allowed'],
      [403, 'origin_not_allowed'],
      [404, 'unknown_click'],
      [403, 'not_a_website'],
      [400, 'malformed_payout'],
      [400, 'invalid_json'],
    ]);
    // A refused origin's page cannot even read the answer.
    expect(answers[3].cors).toBeNull();
    expect(answers[4].cors).toBeNull();
    expect(await stateCounts(app.ds)).toEqual(before);
  });

  it("serves no conversion on an unverified tracking domain, and ignores one on another account's", async () => {
    const click = await websiteClick();
    const other = await seedAccount(bus, app.ds);
    const unverified = `${randomId('unv')}.example.com`;
    await bus.publishConfig(
      entity('tracking_domain', randomId('td-'), acc.accountId, { hostname: unverified, is_default: false }),
    );
    await waitFor(
      async () =>
        (await app.ds.query(`SELECT 1 FROM config_entity WHERE data->>'hostname' = $1`, [unverified])).length > 0,
      { what: 'the unverified domain in the view' },
    );
    const before = await stateCounts(app.ds);
    const send = (path: string, host: string, headers: Record<string, string>) =>
      rawRequest(app.url, {
        method: 'POST',
        path,
        headers: { host, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ click_id: click.click_id, type: 'Deposit', event_id: randomId('e-') }),
      });
    const answers = [
      await send('/conversions', unverified, { authorization: `Bearer ${secret}` }),
      await send('/conversions/browser', unverified, { origin: SITE }),
      await send('/conversions', other.host, { authorization: `Bearer ${secret}` }),
      await send('/conversions/browser', other.host, { origin: SITE }),
    ];
    expect(answers.map((a) => [a.status, a.body.error ?? a.body.status])).toEqual([
      [404, 'domain_not_verified'],
      [404, 'domain_not_verified'],
      [200, 'ignored'],
      [200, 'ignored'],
    ]);
    expect(await stateCounts(app.ds)).toEqual(before);
    const own = await send('/conversions', acc.host, { authorization: `Bearer ${secret}` });
    expect([own.status, own.body.status]).toEqual([200, 'accepted']);
  });

  it('answers the CORS preflight and limits conversions per click id', async () => {
    const pre = await fetch(`${app.url}/conversions/browser`, {
      method: 'OPTIONS',
      headers: { origin: SITE, 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-methods')).toBe('POST');
    expect(pre.headers.get('access-control-allow-headers')).toBe('content-type');

    const click = await websiteClick();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await post(
        app.url,
        '/conversions/browser',
        { click_id: click.click_id, type: 'Deposit', event_id: `e-${i}` },
        { origin: SITE },
      );
      statuses.push(r.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});
