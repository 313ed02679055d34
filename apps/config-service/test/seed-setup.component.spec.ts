import { ConfigEntityV1, PlacementV1 } from '@snaptrack/contracts-events';
import { M, PIXEL_FIELDS, fails, newPixelId, ok } from './gql';
import { startTestConfigService, type TestConfigService } from './harness';

/** The user guide's steps 1-4, through GraphQL as the gateway would call it. */
describe('Snapchat integration setup (seed steps 1-4)', () => {
  let app: TestConfigService;
  const acc = 'acc-setup';
  const TOKEN = 'snap-capi-token-0123456789-abcdefWXYZ';
  beforeAll(async () => {
    app = await startTestConfigService();
  });
  afterAll(async () => {
    await app?.stop();
    await app?.dropDb();
  });

  const state: Record<string, any> = {};

  it('step 0: adds the custom tracking domain (the first one becomes the default)', async () => {
    const d = (await ok(app.url, acc, M.createDomain, { input: { hostname: 'Trk.Example.com.' } }))
      .createTrackingDomain;
    expect(d).toMatchObject({ hostname: 'trk.example.com', isDefault: true, version: 1 });
    state.domain = d;
  });

  it(
    'step 1: creates a Snapchat traffic channel from the template (ScCid + Snapchat URL macros), not ' +
      'configured yet',
    async () => {
      const templates = (await ok(app.url, acc, '{ trafficChannelTemplates { key supportsCapi } }'))
        .trafficChannelTemplates;
      expect(templates.map((t: any) => t.key)).toEqual(expect.arrayContaining(['snapchat', 'custom']));
      const c = (await ok(app.url, acc, M.createChannel, { input: { templateKey: 'snapchat' } }))
        .createTrafficChannelFromTemplate;
      expect(c).toMatchObject({
        name: 'Snapchat',
        templateKey: 'snapchat',
        clickIdParam: 'ScCid',
        integrationStatus: 'NOT_CONFIGURED',
        version: 1,
        pixel: null,
      });
      expect(c.parameters.map((p: any) => p.value)).toEqual([
        '{{campaign.id}}',
        '{{campaign.name}}',
        '{{adSet.id}}',
        '{{adSet.name}}',
        '{{ad.id}}',
        '{{creative.name}}',
      ]);
      state.channel = c;
    },
  );

  it('step 1: the user may edit the parameters (on create and later), and each change bumps the version', async () => {
    const custom = (
      await ok(app.url, acc, M.createChannel, {
        input: {
          templateKey: 'snapchat',
          name: 'Snap EU',
          parameters: [
            { name: 'sub1', value: '{{campaign.id}}' },
            { name: 'geo', value: 'eu' },
          ],
        },
      })
    ).createTrafficChannelFromTemplate;
    expect(custom.parameters).toEqual([
      { name: 'sub1', value: '{{campaign.id}}' },
      { name: 'geo', value: 'eu' },
    ]);
    const updated = (
      await ok(
        app.url,
        acc,
        `mutation($id: ID!, $input: UpdateTrafficChannelInput!) { updateTrafficChannel(id: $id, input: ` +
          `$input) { name parameters { name value } version } }`,
        {
          id: custom.id,
          input: { name: 'Snap EU 2', parameters: [{ name: 'sub1', value: '{{ad.id}}' }] },
        },
      )
    ).updateTrafficChannel;
    expect(updated).toEqual({ name: 'Snap EU 2', parameters: [{ name: 'sub1', value: '{{ad.id}}' }], version: 2 });
    const customTemplate = (
      await ok(app.url, acc, M.createChannel, { input: { templateKey: 'custom', name: 'My network' } })
    ).createTrafficChannelFromTemplate;
    expect(customTemplate).toMatchObject({ clickIdParam: null, parameters: [], integrationStatus: 'NOT_APPLICABLE' });
  });

  it('step 2: adds conversion types: case-sensitive names, duplicate policies, one default', async () => {
    const purchase = (
      await ok(app.url, acc, M.createType, {
        input: { name: 'Purchase', duplicatePolicy: 'IGNORE_SAME_EVENT_ID', isDefault: true },
      })
    ).createConversionType;
    const lead = (
      await ok(app.url, acc, M.createType, { input: { name: 'Lead', duplicatePolicy: 'IGNORE_SAME_CLICK' } })
    ).createConversionType;
    const lower = (await ok(app.url, acc, M.createType, { input: { name: 'purchase' } })).createConversionType;
    expect(purchase).toMatchObject({ name: 'Purchase', duplicatePolicy: 'IGNORE_SAME_EVENT_ID', isDefault: true });
    expect(lead).toMatchObject({ duplicatePolicy: 'IGNORE_SAME_CLICK', isDefault: false });
    expect(lower).toMatchObject({ name: 'purchase', duplicatePolicy: 'CREATE' });
    const dup = await fails(app.url, acc, M.createType, { input: { name: 'Purchase' } }, 'CONFLICT');
    expect(dup.message).toContain('"Purchase" already exists');

    // Making Lead the default un-defaults Purchase (one default per account).
    await ok(app.url, acc, `mutation($id: ID!) { updateConversionType(id: $id, input: { isDefault: true }) { id } }`, {
      id: lead.id,
    });
    const all = (await ok(app.url, acc, '{ conversionTypes { nodes { name isDefault version } } }')).conversionTypes
      .nodes;
    expect(all).toEqual([
      { name: 'Purchase', isDefault: false, version: 2 },
      { name: 'Lead', isDefault: true, version: 2 },
      { name: 'purchase', isDefault: false, version: 1 },
    ]);
    Object.assign(state, { purchase, lead });
  });

  it(
    'step 3: saves pixel ID + access token + event mapping as the channel default data source: READY, ' +
      'token write-only',
    async () => {
      const pixelId = newPixelId();
      const p = (
        await ok(app.url, acc, M.setChannelPixel, {
          channelId: state.channel.id,
          input: {
            pixelId: pixelId.toUpperCase(),
            accessToken: `  ${TOKEN}\n`,
            eventMapping: [
              { conversionTypeId: state.purchase.id, snapEventName: 'PURCHASE' },
              { conversionTypeId: state.lead.id, snapEventName: 'SIGN_UP' },
            ],
          },
        })
      ).setChannelPixel;
      expect(p).toMatchObject({
        pixelId,
        placement: 'CHANNEL',
        trafficChannelId: state.channel.id,
        offerId: null,
        hasToken: true,
        tokenHint: '****WXYZ',
        testMode: false,
        version: 1,
      });
      expect(p.eventMapping).toEqual(
        expect.arrayContaining([
          {
            conversionTypeId: state.purchase.id,
            snapEventName: 'PURCHASE',
            conversionType: { id: state.purchase.id, name: 'Purchase' },
          },
          {
            conversionTypeId: state.lead.id,
            snapEventName: 'SIGN_UP',
            conversionType: { id: state.lead.id, name: 'Lead' },
          },
        ]),
      );
      const ch = (
        await ok(
          app.url,
          acc,
          `query($id: ID!) { trafficChannel(id: $id) { integrationStatus pixel { id pixelId } } }`,
          {
            id: state.channel.id,
          },
        )
      ).trafficChannel;
      expect(ch).toEqual({ integrationStatus: 'READY', pixel: { id: p.id, pixelId } });
      // The stored token is ciphertext, bound to the placement id.
      const [row] = await app.ds.query('SELECT token_key_id, token_ciphertext FROM pixel WHERE id = $1', [p.id]);
      expect(row.token_key_id).toBe('k1');
      expect(row.token_ciphertext).not.toContain(TOKEN);
      state.channelPixel = p;
    },
  );

  it(
    'step 3: a second save replaces the channel data source (at most one per channel); test mode ' + 'shows TEST_MODE',
    async () => {
      const p = (
        await ok(app.url, acc, M.setChannelPixel, {
          channelId: state.channel.id,
          input: { pixelId: state.channelPixel.pixelId, testMode: true },
        })
      ).setChannelPixel;
      expect(p).toMatchObject({
        id: state.channelPixel.id,
        hasToken: true,
        tokenHint: '****WXYZ',
        testMode: true,
        version: 2,
      });
      expect(p.eventMapping).toHaveLength(2); // omitted fields keep their value
      const status = async () =>
        (
          await ok(app.url, acc, `query($id: ID!) { trafficChannel(id: $id) { integrationStatus } }`, {
            id: state.channel.id,
          })
        ).trafficChannel.integrationStatus;
      expect(await status()).toBe('TEST_MODE');
      await ok(app.url, acc, `mutation($id: ID!) { updatePixel(id: $id, input: { testMode: false }) { id } }`, {
        id: p.id,
      });
      expect(await status()).toBe('READY');
      const [{ n }] = await app.ds.query('SELECT count(*)::int AS n FROM pixel WHERE traffic_channel_id = $1', [
        state.channel.id,
      ]);
      expect(n).toBe(1);
    },
  );

  it('step 3: a channel pixel saved without a token keeps the channel NOT_CONFIGURED', async () => {
    const c = (await ok(app.url, acc, M.createChannel, { input: { templateKey: 'snapchat', name: 'No token yet' } }))
      .createTrafficChannelFromTemplate;
    const p = (await ok(app.url, acc, M.setChannelPixel, { channelId: c.id, input: { pixelId: newPixelId() } }))
      .setChannelPixel;
    expect(p).toMatchObject({ hasToken: false, tokenHint: null });
    const ch = (
      await ok(app.url, acc, `query($id: ID!) { trafficChannel(id: $id) { integrationStatus } }`, { id: c.id })
    ).trafficChannel;
    expect(ch.integrationStatus).toBe('NOT_CONFIGURED');
  });

  it('step 4: adds an offer source with the five roles; its postback URL is on the tracking domain', async () => {
    const s = (
      await ok(app.url, acc, M.createSource, {
        input: {
          name: 'My network',
          additionalParameters: [
            { param: 'phone', role: 'PHONE' },
            { param: 'email', role: 'EMAIL' },
            { param: 'fname', role: 'FIRST_NAME' },
            { param: 'lname', role: 'LAST_NAME' },
            { param: 'zip', role: 'ZIP' },
          ],
          defaultPhoneCountry: 'us',
        },
      })
    ).createOfferSource;
    expect(s).toMatchObject({
      clickIdParam: 'clickid',
      payoutParam: 'sum',
      typeParam: 'type',
      eventIdParam: 'eventid',
      currencyParam: 'currency',
      hasPostbackToken: true, // every new offer source has a postback secret
      isOpen: false,
      postbackSecurity: 'SECRET_REQUIRED',
      postbackSecretHint: `****${s.postbackSecret.slice(-4)}`,
      clickExpirationDays: 30,
      defaultCurrency: 'USD',
      defaultPhoneCountry: 'US',
    });
    expect(s.additionalParameters.map((a: any) => a.role)).toEqual([
      'PHONE',
      'EMAIL',
      'FIRST_NAME',
      'LAST_NAME',
      'ZIP',
    ]);
    // The answer of createOfferSource is the one place the secret is shown: in postbackSecret and in the URL.
    expect(s.postbackUrl).toBe(
      'https://trk.example.com/postback?clickid={clickid}&sum={payout}&type={type}&eventid={eventid}&currency={currency}' +
        `&phone={phone}&email={email}&fname={first_name}&lname={last_name}&zip={zip}&secret=${s.postbackSecret}`,
    );
    state.source = s;
  });

  it(
    'step 4: a postback secret of your own (deprecated postbackToken) is write-only (hash + hint) and ' +
      'appears in the URL as a placeholder',
    async () => {
      const s = (
        await ok(
          app.url,
          acc,
          `mutation($id: ID!, $input: UpdateOfferSourceInput!) { updateOfferSource(id: $id, input: $input) ` +
            `{ hasPostbackToken postbackTokenHint postbackUrl clickExpirationDays defaultCurrency version } }`,
          {
            id: state.source.id,
            input: { postbackToken: 'pb-secret-token-42', clickExpirationDays: 7, defaultCurrency: 'eur' },
          },
        )
      ).updateOfferSource;
      expect(s).toMatchObject({
        hasPostbackToken: true,
        postbackTokenHint: '****n-42',
        clickExpirationDays: 7,
        defaultCurrency: 'EUR',
        version: 2,
      });
      expect(s.postbackUrl).toMatch(/&secret=\{secret\}$/);
      const [row] = await app.ds.query('SELECT postback_token_sha256 FROM offer_source WHERE id = $1', [
        state.source.id,
      ]);
      expect(row.postback_token_sha256).toMatch(/^[0-9a-f]{64}$/);
    },
  );

  it('step 4: adds an offer with two pixels (its CAPI tab)', async () => {
    const o = (
      await ok(app.url, acc, M.createOffer, {
        input: {
          name: 'Summer offer',
          url: 'https://offer.example.com/lp?click={clickid}&src=snap',
          offerSourceId: state.source.id,
        },
      })
    ).createOffer;
    expect(o).toMatchObject({
      url: 'https://offer.example.com/lp?click={clickid}&src=snap',
      offerSourceId: state.source.id,
      version: 1,
    });
    const a = (
      await ok(app.url, acc, M.addOfferPixel, {
        offerId: o.id,
        input: {
          pixelId: newPixelId(),
          accessToken: 'offer-token-aaaa-1111',
          limitedDataUse: true,
          eventMapping: [{ conversionTypeId: state.purchase.id, snapEventName: 'PURCHASE' }],
        },
      })
    ).addOfferPixel;
    const b = (
      await ok(app.url, acc, M.addOfferPixel, {
        offerId: o.id,
        input: {
          pixelId: newPixelId(),
          accessToken: 'offer-token-bbbb-2222',
          eventMapping: [{ conversionTypeId: state.lead.id, snapEventName: 'CUSTOM_EVENT_1' }],
        },
      })
    ).addOfferPixel;
    expect(a).toMatchObject({ placement: 'OFFER', offerId: o.id, limitedDataUse: true, tokenHint: '****1111' });
    const offer = (
      await ok(
        app.url,
        acc,
        `query($id: ID!) { offer(id: $id) { name offerSource { id name } pixels { ${PIXEL_FIELDS} } } }`,
        { id: o.id },
      )
    ).offer;
    expect(offer.offerSource).toEqual({ id: state.source.id, name: 'My network' });
    expect(offer.pixels.map((p: any) => p.id)).toEqual([a.id, b.id]);
    expect(offer.pixels[1].eventMapping).toEqual([
      {
        conversionTypeId: state.lead.id,
        snapEventName: 'CUSTOM_EVENT_1',
        conversionType: { id: state.lead.id, name: 'Lead' },
      },
    ]);
    const bySource = (
      await ok(app.url, acc, 'query($s: ID) { offers(offerSourceId: $s) { nodes { id } } }', { s: state.source.id })
    ).offers.nodes;
    expect(bySource).toEqual([{ id: o.id }]);
    state.offer = o;
  });

  it('every change was written to the outbox as a valid config.entity.v1 row with a growing version', async () => {
    const all: Array<{ key: string; topic: string; payload: any }> = await app.ds.query(
      'SELECT topic, key, payload FROM outbox_message ORDER BY id',
    );
    // Each pixel row is followed by its placement.v1 record (test/placement-topic.flow.spec.ts); nothing else.
    const placements = all.filter((r) => r.topic === `${app.config.kafkaTopicPrefix}placement.v1`);
    const rows = all.filter((r) => !placements.includes(r));
    expect(placements.length).toBe(rows.filter((r) => r.payload.entity_type === 'pixel').length);
    for (const r of placements) expect(r.key).toBe(PlacementV1.keyOf(PlacementV1.contract.assert(r.payload)));
    for (const r of rows) {
      expect(r.topic).toBe(`${app.config.kafkaTopicPrefix}config.entity.v1`);
      ConfigEntityV1.contract.assert(r.payload);
      expect(r.key).toBe(ConfigEntityV1.keyOf(r.payload));
    }
    const versions = rows.filter((r) => r.key === `pixel:${state.channelPixel.id}`).map((r) => r.payload.version);
    expect(versions).toEqual([1, 2, 3]);
    const types = new Set(rows.map((r) => r.payload.entity_type));
    expect([...types].sort()).toEqual([
      'conversion_type',
      'offer',
      'offer_source',
      'pixel',
      'tracking_domain',
      'traffic_channel',
    ]);
  });

  it('lists paginate with first/after cursors', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const page: any = (
        await ok(
          app.url,
          acc,
          `query($after: String) { trafficChannels(first: 2, after: $after) { nodes { name } pageInfo { ` +
            `hasNextPage endCursor } } }`,
          { after },
        )
      ).trafficChannels;
      seen.push(...page.nodes.map((n: any) => n.name));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(['Snapchat', 'Snap EU 2', 'My network', 'No token yet']);
    const pixels = (await ok(app.url, acc, '{ pixels(first: 100) { nodes { placement } pageInfo { hasNextPage } } }'))
      .pixels;
    expect(pixels.nodes).toHaveLength(4);
    expect(pixels.pageInfo.hasNextPage).toBe(false);
    await fails(app.url, acc, '{ trafficChannels(first: 0) { nodes { id } } }', {}, 'BAD_USER_INPUT');
    await fails(app.url, acc, '{ trafficChannels(after: "garbage") { nodes { id } } }', {}, 'BAD_USER_INPUT');
  });

  it('resolves federation references for the caller account only', async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) {
      ... on TrafficChannel { id integrationStatus } ... on Pixel { id hasToken } ... on Offer { id name } ... on
        OfferSource { id postbackUrl }
      ... on ConversionType { id name } ... on TrackingDomain { id hostname } } }`;
    const reps = [
      { __typename: 'TrafficChannel', id: state.channel.id },
      { __typename: 'Pixel', id: state.channelPixel.id },
      { __typename: 'Offer', id: state.offer.id },
      { __typename: 'OfferSource', id: state.source.id },
      { __typename: 'ConversionType', id: state.purchase.id },
      { __typename: 'TrackingDomain', id: state.domain.id },
      { __typename: 'Offer', id: 'not-a-uuid' },
    ];
    const mine = (await ok(app.url, acc, query, { r: reps }))._entities;
    expect(mine.slice(0, 6).map((e: any) => e.id)).toEqual(reps.slice(0, 6).map((r) => r.id));
    expect(mine[0].integrationStatus).toBe('READY');
    expect(mine[6]).toBeNull();
    const theirs = (await ok(app.url, 'acc-other', query, { r: reps }))._entities;
    expect(theirs).toEqual(reps.map(() => null));
  });
});
