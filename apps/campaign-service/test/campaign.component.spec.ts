import { randomUUID } from 'node:crypto';
import { gqlAs } from '@snaptrack/util-testing';
import { ConfigFixtures } from './config-entities';
import { startTestCampaignService, type TestCampaignService } from './harness';

const FIELDS = `id key name status trackingMethod trackingDomain landingPageUrl fallbackUrl version trackingLink
  scriptTag clickCount
  trafficChannel { id } offers { offer { id } weight }`;
const CREATE = `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateCampaignInput!) {
  updateCampaign(id: $id, input: $input) { ${FIELDS} } }`;
const GET = `query($id: ID!) { campaign(id: $id) { ${FIELDS} } }`;
const SNAP_PARAMS =
  'sub1={{campaign.id}}&sub2={{campaign.name}}&sub3={{adSet.id}}&sub4={{adSet.name}}&sub5={{ad.id}}' +
  '&sub6={{creative.name}}';

describe('campaign-service GraphQL: campaigns and tracking links', () => {
  let app: TestCampaignService;
  let config: ConfigFixtures;
  const acc = `acc-${randomUUID().slice(0, 8)}`;
  const other = `acc-${randomUUID().slice(0, 8)}`;
  let channel: string;
  let offerA: string;
  let offerB: string;
  let otherOffer: string;

  beforeAll(async () => {
    app = await startTestCampaignService({ configWaitMs: 1000 });
    config = new ConfigFixtures(app.config.kafkaTopicPrefix ?? '');
    await config.connect();
    channel = await config.snapchatChannel(acc);
    offerA = await config.offer(acc, 'https://offer-a.example.com/go?cid={clickid}');
    offerB = await config.offer(acc, 'https://offer-b.example.com/go?cid={clickid}');
    otherOffer = await config.offer(other, 'https://other.example.com/?c={clickid}');
  });
  afterAll(async () => {
    await config?.disconnect();
    await app?.stop();
    await app?.dropDb();
  });

  const create = (input: Record<string, unknown>, account = acc) => gqlAs(app.url, account, CREATE, { input });
  const base = () => ({
    name: 'Snap spring',
    trafficChannelId: channel,
    offers: [{ offerId: offerA }],
    trackingMethod: 'REDIRECT',
  });

  it('answers liveness and readiness (database, Kafka, config view)', async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${app.url}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: true, kafka: true, config_view: true } });
  });

  it('refuses GraphQL requests that did not come through the gateway', async () => {
    const res = await gqlAs(app.url, null, '{ campaigns { nodes { id } } }');
    expect(res.status).toBe(401);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it(
    'creates a redirect campaign whose link carries the channel parameters with Snapchat macros ' + 'unencoded',
    async () => {
      const res = await create(base());
      expect(res.errors).toBeUndefined();
      const c = res.data.createCampaign;
      expect(c.key).toMatch(/^[A-Za-z0-9]{12}$/);
      expect(c).toMatchObject({
        name: 'Snap spring',
        status: 'ACTIVE',
        trackingMethod: 'REDIRECT',
        trackingDomain: null,
        version: 1,
        scriptTag: null,
        clickCount: 0,
        trafficChannel: { id: channel },
        offers: [{ offer: { id: offerA }, weight: 100 }],
      });
      expect(c.trackingLink).toBe(`http://track.example.test/${c.key}?${SNAP_PARAMS}`);
      // Snapchat appends its click id; the link stays a valid URL with every parameter intact.
      const u = new URL(`${c.trackingLink}&ScCid=abc`);
      expect(u.searchParams.get('ScCid')).toBe('abc');
      expect(u.searchParams.get('sub1')).toBe('{{campaign.id}}');
    },
  );

  it('creates a direct campaign: landing page + cmpid + parameters, and the script tag', async () => {
    const res = await create({
      ...base(),
      trackingMethod: 'DIRECT',
      landingPageUrl: 'https://shop.example.com/lp?utm_source=snap',
    });
    expect(res.errors).toBeUndefined();
    const c = res.data.createCampaign;
    expect(c.trackingLink).toBe(`https://shop.example.com/lp?utm_source=snap&cmpid=${c.key}&${SNAP_PARAMS}`);
    expect(c.scriptTag).toBe('<script src="http://track.example.test/track.js" async></script>');
    const u = new URL(`${c.trackingLink}&ScCid=xyz`);
    expect(u.searchParams.get('cmpid')).toBe(c.key);
    expect(u.searchParams.get('utm_source')).toBe('snap');
  });

  it("sends traffic to a website directly: DIRECT only, landing on the website's URL unless given", async () => {
    const site = await config.website(acc, 'https://shop.example.com/landing');
    const res = await create({ ...base(), offers: [{ offerId: site }], trackingMethod: 'DIRECT' });
    expect(res.errors).toBeUndefined();
    const c = res.data.createCampaign;
    expect(c.landingPageUrl).toBe('https://shop.example.com/landing');
    expect(c.trackingLink).toBe(`https://shop.example.com/landing?cmpid=${c.key}&${SNAP_PARAMS}`);
    expect(c.scriptTag).toBe('<script src="http://track.example.test/track.js" async></script>');

    const redirect = await create({ ...base(), offers: [{ offerId: site }] });
    expect(redirect.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'trackingMethod' });
    const toRedirect = await gqlAs(app.url, acc, UPDATE, { id: c.id, input: { trackingMethod: 'REDIRECT' } });
    expect(toRedirect.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'trackingMethod' });
    // A plain offer keeps its redirect; moving that campaign to a website needs DIRECT too.
    const plain = (await create(base())).data.createCampaign;
    const moved = await gqlAs(app.url, acc, UPDATE, { id: plain.id, input: { offers: [{ offerId: site }] } });
    expect(moved.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'trackingMethod' });
    const ok = await gqlAs(app.url, acc, UPDATE, {
      id: plain.id,
      input: { offers: [{ offerId: site }], trackingMethod: 'DIRECT' },
    });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.updateCampaign.landingPageUrl).toBe('https://shop.example.com/landing');
  });

  it('uses the tracking domain given, or the account default one when none is given', async () => {
    const explicit = `t1.${acc}.example.com`;
    await config.trackingDomain(acc, explicit, false);
    await config.trackingDomain(acc, `default.${acc}.example.com`, true);
    const res = await create({ ...base(), trackingDomain: explicit.toUpperCase() });
    expect(res.errors).toBeUndefined();
    expect(res.data.createCampaign.trackingDomain).toBe(explicit);
    expect(res.data.createCampaign.trackingLink).toBe(
      `https://${explicit}/${res.data.createCampaign.key}?${SNAP_PARAMS}`,
    );
    const dflt = await create({ ...base(), trackingMethod: 'DIRECT', landingPageUrl: 'https://shop.example.com/' });
    expect(dflt.errors).toBeUndefined();
    expect(dflt.data.createCampaign.trackingDomain).toBe(`default.${acc}.example.com`);
    expect(dflt.data.createCampaign.scriptTag).toBe(
      `<script src="https://default.${acc}.example.com/track.js" async></script>`,
    );
  });

  it('waits briefly for a channel or offer config-service has only just published', async () => {
    const fresh = randomUUID();
    expect(app.view.offer(fresh, acc)).toBeUndefined();
    const pending = create({ ...base(), offers: [{ offerId: fresh }] });
    await config.offer(acc, 'https://fresh.example.com/?c={clickid}', { id: fresh });
    const res = await pending;
    expect(res.errors).toBeUndefined();
    expect(res.data.createCampaign.offers).toEqual([{ offer: { id: fresh }, weight: 100 }]);
  });

  it.each([
    ['no name', { name: '  ' }, 'BAD_USER_INPUT', 'name'],
    ['no offers', { offers: [] }, 'BAD_USER_INPUT', 'offers'],
    ['two offers without weights', { offers: [{ offerId: 'x1' }, { offerId: 'x2' }] }, 'BAD_USER_INPUT', 'offers'],
    ['a zero weight', { offers: [{ offerId: 'x1', weight: 0 }] }, 'BAD_USER_INPUT', 'offers'],
    [
      'the same offer twice',
      {
        offers: [
          { offerId: 'x1', weight: 1 },
          { offerId: 'x1', weight: 2 },
        ],
      },
      'BAD_USER_INPUT',
      'offers',
    ],
    ['DIRECT without landing page', { trackingMethod: 'DIRECT' }, 'BAD_USER_INPUT', 'landingPageUrl'],
    [
      'a javascript: landing page',
      { trackingMethod: 'DIRECT', landingPageUrl: 'javascript:alert(1)' },
      'BAD_USER_INPUT',
      'landingPageUrl',
    ],
    [
      'a relative landing page',
      { trackingMethod: 'DIRECT', landingPageUrl: '/lp' },
      'BAD_USER_INPUT',
      'landingPageUrl',
    ],
    [
      'a landing page with a #fragment',
      { trackingMethod: 'DIRECT', landingPageUrl: 'https://shop.example.com/#top' },
      'BAD_USER_INPUT',
      'landingPageUrl',
    ],
    ['a data: fallback URL', { fallbackUrl: 'data:text/html,hi' }, 'BAD_USER_INPUT', 'fallbackUrl'],
    [
      'a fallback URL with a macro host',
      { fallbackUrl: 'https://{sub1}/x?c={clickid}' },
      'BAD_USER_INPUT',
      'fallbackUrl',
    ],
    [
      'a landing page with a macro subdomain',
      { trackingMethod: 'DIRECT', landingPageUrl: 'https://{sub1}.example.com/' },
      'BAD_USER_INPUT',
      'landingPageUrl',
    ],
    ['an unknown traffic channel', { trafficChannelId: 'nope' }, 'NOT_FOUND', 'trafficChannelId'],
    ['an unknown tracking domain', { trackingDomain: 'not-mine.example.com' }, 'NOT_FOUND', 'trackingDomain'],
  ])('refuses %s and stores nothing', async (_label, patch, code, field) => {
    const before = await gqlAs(app.url, acc, '{ campaigns(first: 100) { nodes { id } } }');
    const res = await create({ ...base(), ...patch });
    expect(res.errors?.[0].extensions).toMatchObject({ code, field });
    const after = await gqlAs(app.url, acc, '{ campaigns(first: 100) { nodes { id } } }');
    expect(after.data.campaigns.nodes).toHaveLength(before.data.campaigns.nodes.length);
  });

  it("refuses another account's offer or channel as NOT_FOUND", async () => {
    const offer = await create({ ...base(), offers: [{ offerId: otherOffer }] });
    expect(offer.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const ch = await create({ ...base() }, other);
    expect(ch.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('updates, pauses, resumes and deletes, with optimistic versions', async () => {
    const c = (await create(base())).data.createCampaign;
    const upd = await gqlAs(app.url, acc, UPDATE, {
      id: c.id,
      input: {
        name: 'Renamed',
        offers: [
          { offerId: offerA, weight: 3 },
          { offerId: offerB, weight: 1 },
        ],
        fallbackUrl: 'https://fallback.example.com/',
      },
    });
    expect(upd.errors).toBeUndefined();
    expect(upd.data.updateCampaign).toMatchObject({
      name: 'Renamed',
      version: 2,
      key: c.key,
      fallbackUrl: 'https://fallback.example.com/',
      offers: [
        { offer: { id: offerA }, weight: 3 },
        { offer: { id: offerB }, weight: 1 },
      ],
    });

    const stale = await gqlAs(app.url, acc, UPDATE, { id: c.id, input: { name: 'Stale', expectedVersion: 1 } });
    expect(stale.errors?.[0].extensions?.code).toBe('CONFLICT');

    const toDirect = await gqlAs(app.url, acc, UPDATE, { id: c.id, input: { trackingMethod: 'DIRECT' } });
    expect(toDirect.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const unchanged = await gqlAs(app.url, acc, GET, { id: c.id });
    expect(unchanged.data.campaign).toMatchObject({ name: 'Renamed', version: 2, trackingMethod: 'REDIRECT' });

    const paused = await gqlAs(app.url, acc, `mutation($id: ID!) { pauseCampaign(id: $id) { status version } }`, {
      id: c.id,
    });
    expect(paused.data.pauseCampaign).toEqual({ status: 'PAUSED', version: 3 });
    const resumed = await gqlAs(app.url, acc, `mutation($id: ID!) { resumeCampaign(id: $id) { status version } }`, {
      id: c.id,
    });
    expect(resumed.data.resumeCampaign).toEqual({ status: 'ACTIVE', version: 4 });

    const del = await gqlAs(app.url, acc, `mutation($id: ID!) { deleteCampaign(id: $id) }`, { id: c.id });
    expect(del.data.deleteCampaign).toBe(c.id);
    const gone = await gqlAs(app.url, acc, GET, { id: c.id });
    expect(gone.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const list = await gqlAs(app.url, acc, '{ campaigns(first: 100) { nodes { id } } }');
    expect(list.data.campaigns.nodes.map((n: { id: string }) => n.id)).not.toContain(c.id);
  });

  it("answers NOT_FOUND for another account's campaign, whatever the operation", async () => {
    const c = (await create(base())).data.createCampaign;
    const ops: Array<[string, Record<string, unknown>]> = [
      [GET, { id: c.id }],
      [UPDATE, { id: c.id, input: { name: 'Hijack' } }],
      ['mutation($id: ID!) { pauseCampaign(id: $id) { id } }', { id: c.id }],
      ['mutation($id: ID!) { resumeCampaign(id: $id) { id } }', { id: c.id }],
      ['mutation($id: ID!) { deleteCampaign(id: $id) }', { id: c.id }],
      [GET, { id: 'not-a-uuid' }],
    ];
    for (const [query, vars] of ops) {
      const res = await gqlAs(app.url, other, query, vars);
      expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    }
    const mine = await gqlAs(app.url, acc, GET, { id: c.id });
    expect(mine.data.campaign).toMatchObject({ name: 'Snap spring', status: 'ACTIVE', version: 1 });
    const theirs = await gqlAs(app.url, other, '{ campaigns { nodes { id } } }');
    expect(theirs.data.campaigns.nodes).toEqual([]);
  });

  it('paginates campaigns newest first with opaque cursors', async () => {
    const pager = `acc-${randomUUID().slice(0, 8)}`;
    const ch = await config.customChannel(pager);
    const off = await config.offer(pager, 'https://o.example.com/?c={clickid}');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await create(
        { name: `C${i}`, trafficChannelId: ch, offers: [{ offerId: off }], trackingMethod: 'REDIRECT' },
        pager,
      );
      expect(res.errors).toBeUndefined();
      ids.push(res.data.createCampaign.id);
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 3; page++) {
      const res = await gqlAs(
        app.url,
        pager,
        'query($after: String) { campaigns(first: 2, after: $after) { nodes { id name } pageInfo { ' +
          'endCursor hasNextPage } } }',
        { after },
      );
      expect(res.errors).toBeUndefined();
      seen.push(...res.data.campaigns.nodes.map((n: { id: string }) => n.id));
      expect(res.data.campaigns.pageInfo.hasNextPage).toBe(page < 2);
      after = res.data.campaigns.pageInfo.endCursor;
    }
    expect(seen).toEqual([...ids].reverse());
    const paused = await gqlAs(app.url, pager, '{ campaigns(status: PAUSED) { nodes { id } } }');
    expect(paused.data.campaigns.nodes).toEqual([]);
    const bad = await gqlAs(app.url, pager, '{ campaigns(first: 0) { nodes { id } } }');
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const badCursor = await gqlAs(app.url, pager, '{ campaigns(after: "garbage") { nodes { id } } }');
    expect(badCursor.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('resolves Campaign entities for the gateway (_entities), only within the account', async () => {
    const c = (await create(base())).data.createCampaign;
    const query =
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Campaign { id name key ` +
      `trackingLink trafficChannel { id } } } }`;
    const reps = [{ __typename: 'Campaign', id: c.id }];
    const mine = await gqlAs(app.url, acc, query, { reps });
    expect(mine.errors).toBeUndefined();
    expect(mine.data._entities).toEqual([
      { id: c.id, name: 'Snap spring', key: c.key, trackingLink: c.trackingLink, trafficChannel: { id: channel } },
    ]);
    const theirs = await gqlAs(app.url, other, query, { reps });
    expect(theirs.data._entities).toEqual([null]);
    const sdl = await gqlAs(app.url, acc, '{ _service { sdl } }');
    expect(sdl.data._service.sdl).toMatch(/type Campaign\s+@key\(fields: "id"\)/);
    expect(sdl.data._service.sdl).toMatch(/type Offer\s+@key\(fields: "id", resolvable: false\)/);
  });
});
