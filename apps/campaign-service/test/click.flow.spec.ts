import { randomUUID } from 'node:crypto';
import { ClickRecordedV1, TOPICS, topicName } from '@snaptrack/contracts-events';
import { createKafka } from '@snaptrack/util-kafka';
import { createLogger } from '@snaptrack/util-logger';
import { KAFKA_BROKERS, gqlAs, waitFor } from '@snaptrack/util-testing';
import { ConfigFixtures } from './config-entities';
import { startTestCampaignService, type TestCampaignService } from './harness';
import { TopicReader } from './kafka-reader';

const CREATE = `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id key trackingLink } }`;
const UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Snapchat/12.80';

describe('campaign-service click capture (real broker and database)', () => {
  let app: TestCampaignService;
  let config: ConfigFixtures;
  let clicks: TopicReader;
  let clickTopic: string;
  const acc = `acc-${randomUUID().slice(0, 8)}`;
  let channel: string;

  beforeAll(async () => {
    app = await startTestCampaignService({ configWaitMs: 3000 });
    const prefix = app.config.kafkaTopicPrefix ?? '';
    config = new ConfigFixtures(prefix);
    await config.connect();
    clickTopic = topicName(prefix, TOPICS.clickRecordedV1);
    clicks = new TopicReader(clickTopic);
    await clicks.start();
    channel = await config.snapchatChannel(acc);
  });
  afterAll(async () => {
    await clicks?.stop();
    await config?.disconnect();
    await app?.stop();
    await app?.dropDb();
  });

  async function campaign(
    input: Record<string, unknown> = {},
    offerUrl = 'https://offer.example.com/go?cid={clickid}',
  ): Promise<{ id: string; key: string; offerId: string }> {
    const offerId = await config.offer(acc, offerUrl, { offerSourceId: 'src-1' });
    const res = await gqlAs(app.url, acc, CREATE, {
      input: {
        name: 'Click test',
        trafficChannelId: channel,
        offers: [{ offerId }],
        trackingMethod: 'REDIRECT',
        ...input,
      },
    });
    expect(res.errors).toBeUndefined();
    return { ...res.data.createCampaign, offerId };
  }

  /**
   * Every message ever produced to the click topic (sum of high watermarks). Answers are sent only after the ack, so it
   * is exact once a response is in.
   */
  async function topicSize(): Promise<number> {
    const admin = createKafka({
      brokers: KAFKA_BROKERS,
      clientId: 'test-admin',
      logger: createLogger('test', 'error'),
    }).admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicOffsets(clickTopic)).reduce((n, p) => n + Number(p.high), 0);
    } finally {
      await admin.disconnect();
    }
  }

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${app.url}${path}`, { redirect: 'manual', headers });
  const eventFor = async (clickId: string) =>
    (await clicks.waitForJson<ClickRecordedV1.Value>(1, (v) => v.click_id === clickId))[0];

  it(
    'redirect: records the click, answers 302 to the offer with macros filled, and publishes every ' + 'field',
    async () => {
      const c = await campaign(
        {},
        'https://offer.example.com/go?cid={clickid}&s1={sub1}&cmp={campaign_id}&sc={sccid}&none={sub9}',
      );
      const res = await get(`/${c.key}?sub1=snap%20camp&sub2=Spring+Sale&ScCid=abc-123&extra=%E2%9C%93`, {
        'user-agent': UA,
        referer: 'https://www.snapchat.com/',
        'x-forwarded-for': '203.0.113.7',
        'x-forwarded-host': 'trk.example.com',
        'x-forwarded-proto': 'https',
      });
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location') ?? '');
      const clickId = location.searchParams.get('cid') ?? '';
      expect(clickId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(location.origin + location.pathname).toBe('https://offer.example.com/go');
      expect(Object.fromEntries(location.searchParams)).toEqual({
        cid: clickId,
        s1: 'snap camp',
        cmp: c.id,
        sc: 'abc-123',
        none: '',
      });

      const event = await eventFor(clickId);
      expect(() => ClickRecordedV1.contract.assert(event)).not.toThrow();
      expect(event).toEqual({
        schema: 'click.recorded.v1',
        click_id: clickId,
        account_id: acc,
        campaign_id: c.id,
        traffic_channel_id: channel,
        traffic_channel_template: 'snapchat',
        offer_id: c.offerId,
        offer_source_id: 'src-1',
        tracking_method: 'redirect',
        sc_click_id: 'abc-123',
        ip: '203.0.113.7',
        user_agent: UA,
        referrer: 'https://www.snapchat.com/',
        landing_url: `https://trk.example.com/${c.key}?sub1=snap%20camp&sub2=Spring+Sale&ScCid=abc-123&extra=%E2%9C%93`,
        params: { sub1: 'snap camp', sub2: 'Spring Sale', ScCid: 'abc-123', extra: '✓' },
        clicked_at: expect.any(String),
      });
      expect(Math.abs(Date.parse(event.clicked_at) - Date.now())).toBeLessThan(60_000);
      expect(clicks.messages.find((m) => m.value?.includes(clickId))?.key).toBe(clickId);
    },
  );

  it('scrubs e-mail addresses and phone numbers from the published and stored click; IP, UA and ids stay', async () => {
    const c = await campaign({}, 'https://offer.example.com/go?cid={clickid}&s3={sub3}');
    const query =
      `sub1=${c.id}&sub2=120210000123456789&sub3=person%40example.com&sub4=%2B44%2020%207946%200958` +
      `&phone=4155550123&ScCid=sc-pii-1`;
    const res = await get(`/${c.key}?${query}`, {
      'user-agent': UA,
      referer: 'https://mail.example.com/inbox?to=person%2540example.com&tab=1',
      'x-forwarded-for': '203.0.113.8',
      'x-forwarded-host': 'trk.example.com',
      'x-forwarded-proto': 'https',
    });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    // The visitor's own redirect is filled from the raw parameters; only what we keep is scrubbed.
    expect(location.searchParams.get('s3')).toBe('person@example.com');
    const clickId = location.searchParams.get('cid') ?? '';
    const event = await eventFor(clickId);
    expect(() => ClickRecordedV1.contract.assert(event)).not.toThrow();
    expect(event).toMatchObject({
      ip: '203.0.113.8',
      user_agent: UA,
      sc_click_id: 'sc-pii-1',
      referrer: 'https://mail.example.com/inbox?to=[redacted]&tab=1',
      landing_url:
        `https://trk.example.com/${c.key}?sub1=${c.id}&sub2=120210000123456789&sub3=[redacted]&sub4=[redacted]` +
        `&phone=[redacted]&ScCid=sc-pii-1`,
      params: {
        sub1: c.id,
        sub2: '120210000123456789',
        sub3: '[redacted]',
        sub4: '[redacted]',
        phone: '[redacted]',
        ScCid: 'sc-pii-1',
      },
    });
    const raw = clicks.messages.find((m) => m.value?.includes(clickId))?.value ?? '';
    expect(raw).not.toMatch(/person|example\.com%40|7946|4155550123/);

    const q =
      `query($id: ID!) { campaign(id: $id) { clicks(first: 5) { nodes { id ip landingUrl params { name ` +
      `value } } } } }`;
    let stored: { id: string; ip: string; landingUrl: string; params: { name: string; value: string }[] } | undefined;
    await waitFor(
      async () => {
        stored = (await gqlAs(app.url, acc, q, { id: c.id })).data?.campaign.clicks.nodes[0];
        return stored?.id === clickId;
      },
      { what: 'scrubbed click stored' },
    );
    expect(stored?.ip).toBe('203.0.113.8');
    expect(stored?.landingUrl).toBe(event.landing_url);
    expect(stored?.params).toEqual(expect.arrayContaining([{ name: 'sub3', value: '[redacted]' }]));
    expect(JSON.stringify(stored)).not.toMatch(/person|7946|4155550123/);
  });

  it('direct: scrubs the landing page and referrer the script reports', async () => {
    const c = await campaign({ trackingMethod: 'DIRECT', landingPageUrl: 'https://shop.example.com/lp' });
    const lp = `https://shop.example.com/lp?cmpid=${c.key}&email=person%40example.com&sub1=42#/thanks?tel=%2B14155550123`;
    const ref = 'https://www.snapchat.com/u/person@example.com';
    const res = await get(
      `/click?cmpid=${c.key}&sub1=42&_lp=${encodeURIComponent(lp)}&_ref=${encodeURIComponent(ref)}`,
      { 'user-agent': UA },
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { clickid: string };
    const event = await eventFor(body.clickid);
    expect(event).toMatchObject({
      landing_url: `https://shop.example.com/lp?cmpid=${c.key}&email=[redacted]&sub1=42#/thanks?tel=[redacted]`,
      referrer: 'https://www.snapchat.com/u/[redacted]',
      params: { sub1: '42' },
      user_agent: UA,
    });
  });

  it('reads ScCid case-insensitively and survives Snapchat appending &ScCid to a link without "?"', async () => {
    const c = await campaign();
    const lower = await get(`/${c.key}?sccid=lower-1`);
    expect(lower.status).toBe(302);
    const e1 = await eventFor(new URL(lower.headers.get('location') ?? '').searchParams.get('cid') ?? '');
    expect(e1.sc_click_id).toBe('lower-1');
    const appended = await get(`/${c.key}&ScCid=appended-2`);
    expect(appended.status).toBe(302);
    const e2 = await eventFor(new URL(appended.headers.get('location') ?? '').searchParams.get('cid') ?? '');
    expect(e2.sc_click_id).toBe('appended-2');
    expect(e2.params).toEqual({ ScCid: 'appended-2' });
  });

  it('JSON mode: ?format=json answers { clickid, offer_url } and records the click', async () => {
    const c = await campaign();
    const res = await get(`/${c.key}?format=json&sub1=j`);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = (await res.json()) as { clickid: string; offer_url: string };
    expect(body.offer_url).toBe(`https://offer.example.com/go?cid=${body.clickid}`);
    const event = await eventFor(body.clickid);
    expect(event.params).toEqual({ sub1: 'j' });
    expect(event.tracking_method).toBe('redirect');
  });

  it('direct: GET /click?cmpid=… records the click with the landing page and referrer the script reports', async () => {
    const c = await campaign({ trackingMethod: 'DIRECT', landingPageUrl: 'https://shop.example.com/lp' });
    const lp = `https://shop.example.com/lp?cmpid=${c.key}&sub1=x&ScCid=direct-1`;
    const res = await get(
      `/click?cmpid=${c.key}&sub1=x&ScCid=direct-1&_lp=${encodeURIComponent(lp)}&_ref=${encodeURIComponent('https://www.snapchat.com/')}`,
      {
        'user-agent': UA,
        referer: 'https://shop.example.com/',
      },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = (await res.json()) as { clickid: string; offer_url: string };
    expect(body.offer_url).toBe(`https://offer.example.com/go?cid=${body.clickid}`);
    const event = await eventFor(body.clickid);
    expect(event).toMatchObject({
      tracking_method: 'direct',
      campaign_id: c.id,
      sc_click_id: 'direct-1',
      landing_url: lp,
      referrer: 'https://www.snapchat.com/',
      user_agent: UA,
      ip: '127.0.0.1',
      params: { sub1: 'x', ScCid: 'direct-1' },
    });
    const missing = await get('/click?sub1=x');
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: 'bad_request' });
    const preflight = await fetch(`${app.url}/click`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
  });

  it("direct: Snap's _scid cookie becomes sc_cookie1, not a parameter; an implausible one is dropped", async () => {
    const c = await campaign({ trackingMethod: 'DIRECT', landingPageUrl: 'https://shop.example.com/lp' });
    const scid = '3c1a8e0f-5d5e-4b6f-9c55-5a7c6f1f2b10';
    const ok = (await (await get(`/click?cmpid=${c.key}&sub1=x&_scid=${scid}`)).json()) as { clickid: string };
    const event = await eventFor(ok.clickid);
    expect(event.sc_cookie1).toBe(scid);
    expect(event.params).toEqual({ sub1: 'x' });
    const long = (await (await get(`/click?cmpid=${c.key}&_scid=${'x'.repeat(513)}`)).json()) as { clickid: string };
    expect(await eventFor(long.clickid)).not.toHaveProperty('sc_cookie1');
    const none = (await (await get(`/click?cmpid=${c.key}`)).json()) as { clickid: string };
    expect(await eventFor(none.clickid)).not.toHaveProperty('sc_cookie1');
  });

  it('paused, deleted and unknown campaigns get a clean 404 (or the fallback URL) and publish nothing', async () => {
    const paused = await campaign();
    const withFallback = await campaign({ fallbackUrl: 'https://fallback.example.com/home' });
    const deleted = await campaign();
    for (const c of [paused, withFallback]) {
      const r = await gqlAs(app.url, acc, 'mutation($id: ID!) { pauseCampaign(id: $id) { status } }', { id: c.id });
      expect(r.data.pauseCampaign.status).toBe('PAUSED');
    }
    await gqlAs(app.url, acc, 'mutation($id: ID!) { deleteCampaign(id: $id) }', { id: deleted.id });
    const before = await topicSize();

    for (const path of [
      `/${paused.key}?sub1=a`,
      `/${deleted.key}`,
      '/UnknownKey123',
      `/click?cmpid=${paused.key}`,
      '/click?cmpid=UnknownKey123',
    ]) {
      const res = await get(path);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: 'not_found', reason: expect.any(String) });
    }
    const fb = await get(`/${withFallback.key}?sub1=a`);
    expect(fb.status).toBe(302);
    expect(fb.headers.get('location')).toBe('https://fallback.example.com/home');
    expect(await topicSize()).toBe(before);

    await gqlAs(app.url, acc, 'mutation($id: ID!) { resumeCampaign(id: $id) { status } }', { id: paused.id });
    expect((await get(`/${paused.key}`)).status).toBe(302);
  });

  it('rotates offers by weight', async () => {
    const heavy = await config.offer(acc, 'https://heavy.example.com/?c={clickid}');
    const light = await config.offer(acc, 'https://light.example.com/?c={clickid}');
    const res = await gqlAs(app.url, acc, CREATE, {
      input: {
        name: 'Weighted',
        trafficChannelId: channel,
        offers: [
          { offerId: heavy, weight: 3 },
          { offerId: light, weight: 1 },
        ],
        trackingMethod: 'REDIRECT',
      },
    });
    expect(res.errors).toBeUndefined();
    const key = res.data.createCampaign.key;
    const hosts: string[] = [];
    for (let round = 0; round < 10; round++) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, () =>
          get(`/${key}?format=json`).then((r) => r.json() as Promise<{ offer_url: string }>),
        ),
      );
      hosts.push(...batch.map((b) => new URL(b.offer_url).host));
    }
    const share = hosts.filter((h) => h === 'heavy.example.com').length / hosts.length;
    expect(hosts.every((h) => h === 'heavy.example.com' || h === 'light.example.com')).toBe(true);
    expect(share).toBeGreaterThan(0.6);
    expect(share).toBeLessThan(0.9);
  });

  describe('bad input is answered with 4xx, without a Location header, and publishes nothing', () => {
    let c: { id: string; key: string };
    beforeAll(async () => {
      c = await campaign({}, 'https://offer.example.com/p/{sub1}?cid={clickid}');
    });

    it.each([
      ['a 20 KB query string', () => `/${c.key}?sub1=${'a'.repeat(20_000)}`, 414],
      ['a 100 KB query string', () => `/${c.key}?sub1=${'a'.repeat(100_000)}`, 431],
      ['invalid UTF-8 (%C3%28)', () => `/${c.key}?sub1=%C3%28`, 400],
      ['a broken percent-escape', () => `/${c.key}?sub1=%ZZ`, 400],
      ['CR/LF header injection (%0d%0a)', () => `/${c.key}?sub1=x%0d%0aSet-Cookie:%20pwned=1`, 400],
      ['a bare LF (%0A)', () => `/${c.key}?sub1=x%0ALocation:%20https://evil.example`, 400],
      ['a NUL byte', () => `/${c.key}?sub1=%00`, 400],
      ['CR/LF on the JSON endpoint', () => `/click?cmpid=${c.key}&sub1=%0d%0a`, 400],
    ])('%s', async (_label, path, status) => {
      const before = await topicSize();
      const res = await get(path());
      expect(res.status).toBe(status);
      expect(res.headers.get('location')).toBeNull();
      expect(await topicSize()).toBe(before);
    });

    it('refuses a javascript: offer URL (configured or produced by a macro) with 422', async () => {
      const js = await campaign({}, 'javascript:alert(document.cookie)//{clickid}');
      const viaMacro = await campaign({}, '{sub1}');
      const before = await topicSize();
      for (const path of [
        `/${js.key}`,
        `/${js.key}?format=json`,
        `/${viaMacro.key}?sub1=${encodeURIComponent('javascript:alert(1)')}`,
        `/click?cmpid=${js.key}`,
      ]) {
        const res = await get(path);
        expect(res.status).toBe(422);
        expect(res.headers.get('location')).toBeNull();
        expect(await res.json()).toMatchObject({ error: 'invalid_offer_url' });
      }
      expect(await topicSize()).toBe(before);
    });

    it('encodes parameter values that end up in the Location header', async () => {
      const res = await get(`/${c.key}?sub1=${encodeURIComponent('a b/../"<x>')}`);
      expect(res.status).toBe(302);
      const location = res.headers.get('location') ?? '';
      expect(location).toMatch(/^https:\/\/offer\.example\.com\/p\/a%20b%2F\.\.%2F%22%3Cx%3E\?cid=[A-Za-z0-9_-]{22}$/);
    });
  });

  it('believes X-Forwarded-For only from trusted proxies, walking the list from the right', async () => {
    const c = await campaign();
    const viaProxy = await get(`/${c.key}?format=json`, { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' });
    const e1 = await eventFor(((await viaProxy.json()) as { clickid: string }).clickid);
    expect(e1.ip).toBe('203.0.113.9');
    const proxiesOnly = await get(`/${c.key}?format=json`, { 'x-forwarded-for': '198.51.100.1, 127.0.0.1' });
    const e2 = await eventFor(((await proxiesOnly.json()) as { clickid: string }).clickid);
    expect(e2.ip).toBe('198.51.100.1');

    // A second instance (same database and topics) that trusts no local peer ignores the header.
    const strict = await startTestCampaignService({
      databaseUrl: app.config.databaseUrl,
      kafkaTopicPrefix: app.config.kafkaTopicPrefix,
      trustedProxies: ['10.0.0.1'],
    });
    try {
      const res = await fetch(`${strict.url}/${c.key}?format=json`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
      expect(res.status).toBe(200);
      const e3 = await eventFor(((await res.json()) as { clickid: string }).clickid);
      expect(e3.ip).toBe('127.0.0.1');

      // A campaign change made on one instance reaches the other within seconds.
      await gqlAs(app.url, acc, 'mutation($id: ID!) { pauseCampaign(id: $id) { status } }', { id: c.id });
      await waitFor(async () => (await fetch(`${strict.url}/${c.key}`, { redirect: 'manual' })).status === 404, {
        timeoutMs: 10_000,
        what: 'pause to reach the other instance',
      });
    } finally {
      await strict.stop();
      await strict.dropDb(); // the harness's own fresh database, unused here (the instance shared ours)
    }
  });

  it('stores clicks from the topic: counts and a paginated click list in GraphQL', async () => {
    const c = await campaign();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await get(`/${c.key}?format=json&sub1=n${i}&ScCid=sc${i}`, { 'user-agent': UA });
      ids.push(((await res.json()) as { clickid: string }).clickid);
    }
    const q = `query($id: ID!, $after: String) { campaign(id: $id) { clickCount clicks(first: 2, after: $after) {
      totalCount pageInfo { endCursor hasNextPage }
      nodes { id campaignId scClickId ip userAgent landingUrl trackingMethod offer { id } trafficChannel { id } params
        { name value } clickedAt } } } }`;
    await waitFor(async () => (await gqlAs(app.url, acc, q, { id: c.id })).data?.campaign.clickCount === 5, {
      what: 'clicks stored',
    });

    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 3; page++) {
      const res = await gqlAs(app.url, acc, q, { id: c.id, after });
      expect(res.errors).toBeUndefined();
      const conn = res.data.campaign.clicks;
      expect(conn.totalCount).toBe(5);
      expect(conn.pageInfo.hasNextPage).toBe(page < 2);
      seen.push(...conn.nodes.map((n: { id: string }) => n.id));
      after = conn.pageInfo.endCursor;
      if (page === 0) {
        expect(conn.nodes[0]).toMatchObject({
          campaignId: c.id,
          ip: '127.0.0.1',
          userAgent: UA,
          trackingMethod: 'redirect',
          offer: { id: c.offerId },
          trafficChannel: { id: channel },
        });
        expect(conn.nodes[0].params).toEqual(
          expect.arrayContaining([{ name: 'ScCid', value: conn.nodes[0].scClickId }]),
        );
      }
    }
    expect([...seen].sort()).toEqual([...ids].sort());

    // Redelivery is harmless: storing the same events again changes nothing.
    const events = clicks.json<ClickRecordedV1.Value>().filter((e) => e.campaign_id === c.id);
    expect(await app.clickStore.insert(events)).toBe(0);
    expect((await gqlAs(app.url, acc, q, { id: c.id })).data.campaign.clickCount).toBe(5);

    const other = await gqlAs(
      app.url,
      'acc-someone-else',
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Click { id } } }`,
      { reps: [{ __typename: 'Click', id: ids[0] }] },
    );
    expect(other.data._entities).toEqual([null]);
    const mine = await gqlAs(
      app.url,
      acc,
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Click { id scClickId } } }`,
      { reps: [{ __typename: 'Click', id: ids[0] }] },
    );
    expect(mine.data._entities).toEqual([{ id: ids[0], scClickId: 'sc0' }]);
  });

  it('parks a config message that breaks the contract on the dead-letter topic and goes on', async () => {
    const dead = new TopicReader(topicName(app.config.kafkaTopicPrefix ?? '', TOPICS.deadLetterV1));
    await dead.start();
    try {
      await config.publishRaw('offer:broken', 'not json');
      await config.publishRaw(
        'offer:no-url',
        JSON.stringify({
          schema: 'config.entity.v1',
          entity_type: 'offer',
          id: 'no-url',
          account_id: acc,
          version: 1,
          deleted: false,
          updated_at: new Date().toISOString(),
          data: { name: 'x' },
        }),
      );
      const after = await config.offer(acc, 'https://after.example.com/?c={clickid}');
      await waitFor(() => app.view.offer(after, acc), { what: 'the offer after the poisoned messages' });
      const parked = await dead.waitForJson<{ consumer: string; reason: string; original_value: string }>(
        2,
        (v) => v.consumer === 'campaign-service.config-view',
      );
      expect(parked.map((p) => p.original_value)).toEqual(expect.arrayContaining(['not json']));
      expect(parked.some((p) => p.reason.includes('offer.data.url'))).toBe(true);
    } finally {
      await dead.stop();
    }
  });

  it('keeps the highest version of a config entity, and drops deleted ones', async () => {
    const id = randomUUID();
    const marker = randomUUID();
    // All on one partition, so once the marker is in the view, v2 and then v1 have been applied in that order.
    await config.publish(
      'offer',
      acc,
      id,
      { name: 'v2', url: 'https://v2.example.com/', offer_source_id: 's' },
      { version: 2, partition: 0 },
    );
    await config.publish(
      'offer',
      acc,
      id,
      { name: 'v1', url: 'https://v1.example.com/', offer_source_id: 's' },
      { version: 1, partition: 0 },
    );
    await config.publish(
      'offer',
      acc,
      marker,
      { name: 'marker', url: 'https://marker.example.com/', offer_source_id: 's' },
      { partition: 0 },
    );
    await waitFor(() => app.view.offer(marker, acc), { what: 'marker offer' });
    expect(app.view.offer(id, acc)?.url).toBe('https://v2.example.com/');
    await config.publish('offer', acc, id, null, { version: 3, deleted: true, partition: 0 });
    await waitFor(() => app.view.offer(id, acc) === undefined, { what: 'deleted offer gone' });
  });

  // Last: it takes the producer away from this instance.
  it('answers 503 quickly, never a pretend 302, when the broker cannot acknowledge the click', async () => {
    const c = await campaign();
    await app.producer.disconnect();
    const started = Date.now();
    const res = await get(`/${c.key}?sub1=x`);
    expect(res.status).toBe(503);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toMatchObject({ error: 'unavailable' });
    expect(Date.now() - started).toBeLessThan(app.config.clickPublishTimeoutMs + 1000);
  });
});
