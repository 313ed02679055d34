import { M, dbState, fails, newPixelId, ok, seedBasics } from './gql';
import { startTestConfigService, type TestConfigService } from './harness';

/** Every refused mutation answers a clear error with extensions.code and leaves the database (and outbox) as it was. */
describe('bad inputs, wrong accounts and deletes of things in use', () => {
  let app: TestConfigService;
  const acc = 'acc-bad';
  const other = 'acc-bad-other';
  let f: Awaited<ReturnType<typeof seedBasics>>;
  let theirs: Awaited<ReturnType<typeof seedBasics>>;
  let channelPixel: any;
  beforeAll(async () => {
    app = await startTestConfigService();
    f = await seedBasics(app.url, acc);
    theirs = await seedBasics(app.url, other);
    channelPixel = (
      await ok(app.url, acc, M.setChannelPixel, {
        channelId: f.channel.id,
        input: {
          pixelId: newPixelId(),
          accessToken: 'tok-abcdefgh-1234',
          eventMapping: [{ conversionTypeId: f.purchase.id, snapEventName: 'PURCHASE' }],
        },
      })
    ).setChannelPixel;
    await app.relay.drain();
  });
  afterAll(async () => {
    await app?.stop();
    await app?.dropDb();
  });

  /** Runs the operation, expects `code` and a message matching `message`, and checks that nothing changed. */
  async function refused(
    query: string,
    variables: Record<string, unknown>,
    code: string,
    message: RegExp | string,
    accountId = acc,
  ) {
    const before = await dbState(app.ds);
    const err = await fails(app.url, accountId, query, variables, code);
    if (typeof message === 'string') expect(err.message).toContain(message);
    else expect(err.message).toMatch(message);
    expect(await dbState(app.ds)).toEqual(before);
    return err;
  }

  describe('pixels', () => {
    it.each([
      ['not a uuid', '123456'],
      ['uuid with a typo', '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1fz'],
      ['empty', '   '],
      ['the nil uuid', '00000000-0000-0000-0000-000000000000'],
    ])('refuses a malformed pixel id (%s)', async (_what, pixelId) => {
      const err = await refused(
        M.addOfferPixel,
        { offerId: f.offer.id, input: { pixelId, accessToken: 'tok-abcdefgh-1234' } },
        'BAD_USER_INPUT',
        /Pixel ID/,
      );
      expect(err.extensions?.field).toBe('pixelId');
    });

    it('says what a Snap pixel id looks like', async () => {
      await refused(
        M.setChannelPixel,
        { channelId: f.channel.id, input: { pixelId: 'my-pixel' } },
        'BAD_USER_INPUT',
        'is not a Snapchat pixel ID: it must be a UUID',
      );
    });

    it.each([
      ['empty', ''],
      ['whitespace only', '  \n\t '],
    ])('refuses an empty access token (%s)', async (_what, accessToken) => {
      await refused(
        M.addOfferPixel,
        { offerId: f.offer.id, input: { pixelId: newPixelId(), accessToken } },
        'BAD_USER_INPUT',
        'Access token must not be empty',
      );
      await refused(
        M.updatePixel,
        { id: channelPixel.id, input: { accessToken } },
        'BAD_USER_INPUT',
        'Access token must not be empty',
      );
    });

    it('refuses a token with inner spaces without echoing it', async () => {
      const err = await refused(
        M.updatePixel,
        { id: channelPixel.id, input: { accessToken: 'secret part two' } },
        'BAD_USER_INPUT',
        'must not contain spaces',
      );
      expect(err.message).not.toContain('secret');
    });

    it('refuses an unknown Snapchat event name and suggests the right spelling', async () => {
      const err = await refused(
        'mutation($id: ID!, $m: [PixelEventMappingInput!]!) { setPixelEventMapping(id: $id, mapping: $m) { id } }',
        { id: channelPixel.id, m: [{ conversionTypeId: f.lead.id, snapEventName: 'ADD_TO_CART' }] },
        'BAD_USER_INPUT',
        'Unknown Snapchat event name "ADD_TO_CART" (did you mean ADD_CART?)',
      );
      expect(err.message).toContain('CUSTOM_EVENT_5');
      await refused(
        M.addOfferPixel,
        {
          offerId: f.offer.id,
          input: { pixelId: newPixelId(), eventMapping: [{ conversionTypeId: f.lead.id, snapEventName: 'purchase' }] },
        },
        'BAD_USER_INPUT',
        '(did you mean PURCHASE?)',
      );
    });

    it('refuses mapping one conversion type to two events on one pixel', async () => {
      await refused(
        'mutation($id: ID!, $m: [PixelEventMappingInput!]!) { setPixelEventMapping(id: $id, mapping: $m) { id } }',
        {
          id: channelPixel.id,
          m: [
            { conversionTypeId: f.lead.id, snapEventName: 'SIGN_UP' },
            { conversionTypeId: f.lead.id, snapEventName: 'PURCHASE' },
          ],
        },
        'BAD_USER_INPUT',
        'maps to at most one Snapchat event per pixel',
      );
    });

    it('refuses a pixel on a Custom channel (no Conversions API data source)', async () => {
      const custom = (await ok(app.url, acc, M.createChannel, { input: { templateKey: 'custom' } }))
        .createTrafficChannelFromTemplate;
      await refused(
        M.setChannelPixel,
        { channelId: custom.id, input: { pixelId: newPixelId() } },
        'BAD_USER_INPUT',
        'has no Snapchat Conversions API data source',
      );
    });
  });

  describe('templates, conversion types, offers, offer sources, domains', () => {
    it('refuses an unknown template and lists the available ones', async () => {
      await refused(
        M.createChannel,
        { input: { templateKey: 'tiktok' } },
        'BAD_USER_INPUT',
        'Unknown traffic channel template "tiktok". Available: snapchat, custom',
      );
    });

    it('refuses a blank channel name and a bad parameter name', async () => {
      await refused(
        M.createChannel,
        { input: { templateKey: 'snapchat', name: '  ' } },
        'BAD_USER_INPUT',
        'Traffic channel name must not be empty',
      );
      await refused(
        M.createChannel,
        { input: { templateKey: 'snapchat', parameters: [{ name: 'a b', value: 'x' }] } },
        'BAD_USER_INPUT',
        'is not a valid URL parameter name',
      );
      await refused(
        M.createChannel,
        {
          input: {
            templateKey: 'snapchat',
            parameters: [
              { name: 'a', value: 'x' },
              { name: 'a', value: 'y' },
            ],
          },
        },
        'BAD_USER_INPUT',
        'appears more than once',
      );
    });

    it('refuses the 41st conversion type with a clear limit error (also under concurrency)', async () => {
      const [{ n }] = await app.ds.query('SELECT count(*)::int AS n FROM conversion_type WHERE account_id = $1', [acc]);
      // Fill up to 40 with concurrent creates; the cap must hold even when they race.
      const attempts = await Promise.all(
        Array.from({ length: 45 - n }, (_, i) =>
          fails(app.url, acc, M.createType, { input: { name: `Type ${i}` } }, 'BAD_USER_INPUT').catch(() => 'created'),
        ),
      );
      expect(attempts.filter((a) => a === 'created')).toHaveLength(40 - n);
      const [{ total }] = await app.ds.query(
        'SELECT count(*)::int AS total FROM conversion_type WHERE account_id = $1',
        [acc],
      );
      expect(total).toBe(40);
      await refused(
        M.createType,
        { input: { name: 'Forty-first' } },
        'BAD_USER_INPUT',
        'An account can have at most 40 conversion types',
      );
    });

    it('refuses a blank conversion type name', async () => {
      await refused(
        M.createType,
        { input: { name: ' ' } },
        'BAD_USER_INPUT',
        'Conversion type name must not be empty',
        other,
      );
    });

    it.each([
      ['relative', '/landing?c={clickid}', 'absolute http(s) URL'],
      ['ftp', 'ftp://offer.example.com/?c={clickid}', 'must start with http:// or https://'],
      ['javascript', 'javascript:alert({clickid})', 'must start with http:// or https://'],
      ['no macro', 'https://offer.example.com/landing', 'must contain the {clickid} macro'],
      ['empty', '', 'must not be empty'],
      ['host-macro', 'https://{sub1}/x?c={clickid}', 'must not contain a macro ({…}) in its host'],
      ['subdomain-macro', 'https://{sub1}.example.com/?c={clickid}', 'must not contain a macro ({…}) in its host'],
    ])('refuses a %s offer URL', async (_what, url, message) => {
      await refused(
        M.createOffer,
        { input: { name: 'Bad', url, offerSourceId: f.source.id } },
        'BAD_USER_INPUT',
        message,
      );
      await refused(
        'mutation($id: ID!, $url: String) { updateOffer(id: $id, input: { url: $url }) { id } }',
        { id: f.offer.id, url },
        'BAD_USER_INPUT',
        message,
      );
    });

    it.each([
      [{ defaultCurrency: 'XYZ' }, 'is not an ISO 4217 currency code'],
      [{ defaultPhoneCountry: 'USA' }, 'is not an ISO 3166-1 alpha-2 country code'],
      [{ clickExpirationDays: 0 }, 'between 1 and 365'],
      [{ clickIdParam: 'click id' }, 'is not a valid URL parameter name'],
      [{ additionalParameters: [{ param: 'sum', role: 'EMAIL' }] }, 'Postback parameter "sum" appears more than once'],
      [
        {
          additionalParameters: [
            { param: 'e1', role: 'EMAIL' },
            { param: 'e2', role: 'EMAIL' },
          ],
        },
        'Role "email" appears more than once',
      ],
      [{ additionalParameters: [{ param: 'token', role: 'EMAIL' }] }, '"token" is reserved'],
      [{ postbackToken: 'short' }, 'Postback token must be 8-128 characters'],
    ])('refuses an offer source with %j', async (extra, message) => {
      await refused(M.createSource, { input: { name: 'Bad source', ...extra } }, 'BAD_USER_INPUT', message);
    });

    it.each([
      ['https://trk.example.com', 'without http:// or https://'],
      ['trk.example.com:8080', 'without a port'],
      ['trk', 'at least two labels'],
      ['10.0.0.1', 'real top-level domain'],
      ['bad_label.example.com', 'each label'],
    ])('refuses the tracking domain %s', async (hostname, message) => {
      await refused(M.createDomain, { input: { hostname } }, 'BAD_USER_INPUT', message);
    });

    it('refuses a duplicate tracking domain', async () => {
      await ok(app.url, acc, M.createDomain, { input: { hostname: 'trk.bad.example' } });
      await refused(M.createDomain, { input: { hostname: 'TRK.bad.example' } }, 'CONFLICT', 'is already added');
    });
  });

  describe("another account's ids are NOT_FOUND and change nothing", () => {
    const cases: Array<[string, () => [string, Record<string, unknown>]]> = [
      [
        'setChannelPixel on their channel',
        () => [
          M.setChannelPixel,
          { channelId: theirs.channel.id, input: { pixelId: newPixelId(), accessToken: 'tok-abcdefgh' } },
        ],
      ],
      [
        'addOfferPixel on their offer',
        () => [M.addOfferPixel, { offerId: theirs.offer.id, input: { pixelId: newPixelId() } }],
      ],
      [
        'mapping their conversion type',
        () => [
          M.addOfferPixel,
          {
            offerId: f.offer.id,
            input: {
              pixelId: newPixelId(),
              eventMapping: [{ conversionTypeId: theirs.purchase.id, snapEventName: 'PURCHASE' }],
            },
          },
        ],
      ],
      [
        'a malformed conversion type id',
        () => [
          M.addOfferPixel,
          {
            offerId: f.offer.id,
            input: { pixelId: newPixelId(), eventMapping: [{ conversionTypeId: 'nope', snapEventName: 'PURCHASE' }] },
          },
        ],
      ],
      [
        'updateTrafficChannel',
        () => [
          'mutation($id: ID!) { updateTrafficChannel(id: $id, input: { name: "x" }) { id } }',
          { id: theirs.channel.id },
        ],
      ],
      [
        'deleteTrafficChannel',
        () => ['mutation($id: ID!) { deleteTrafficChannel(id: $id) }', { id: theirs.channel.id }],
      ],
      [
        'updateConversionType',
        () => [
          'mutation($id: ID!) { updateConversionType(id: $id, input: { name: "x" }) { id } }',
          { id: theirs.purchase.id },
        ],
      ],
      ['deleteConversionType', () => ['mutation($id: ID!) { deleteConversionType(id: $id) }', { id: theirs.lead.id }]],
      [
        'createOffer on their offer source',
        () => [
          M.createOffer,
          { input: { name: 'x', url: 'https://x.example.com/?c={clickid}', offerSourceId: theirs.source.id } },
        ],
      ],
      [
        'updateOffer',
        () => ['mutation($id: ID!) { updateOffer(id: $id, input: { name: "x" }) { id } }', { id: theirs.offer.id }],
      ],
      [
        'moving my offer to their source',
        () => [
          'mutation($id: ID!, $s: ID!) { updateOffer(id: $id, input: { offerSourceId: $s }) { id } }',
          { id: f.offer.id, s: theirs.source.id },
        ],
      ],
      ['deleteOffer', () => ['mutation($id: ID!) { deleteOffer(id: $id) }', { id: theirs.offer.id }]],
      [
        'updateOfferSource',
        () => [
          'mutation($id: ID!) { updateOfferSource(id: $id, input: { name: "x" }) { id } }',
          { id: theirs.source.id },
        ],
      ],
      ['deleteOfferSource', () => ['mutation($id: ID!) { deleteOfferSource(id: $id) }', { id: theirs.source.id }]],
      ['a pixel id as another account', () => ['mutation($id: ID!) { removePixel(id: $id) }', { id: channelPixel.id }]],
      ['a malformed id', () => ['mutation($id: ID!) { deleteOffer(id: $id) }', { id: "'; DROP TABLE offer; --" }]],
    ];
    it.each(cases)('%s', async (what, build) => {
      const [query, vars] = build();
      await refused(query, vars, 'NOT_FOUND', /not found/, what === 'a pixel id as another account' ? other : acc);
    });

    it('queries by id answer NOT_FOUND too', async () => {
      for (const [q, id] of [
        ['trafficChannel', theirs.channel.id],
        ['conversionType', theirs.purchase.id],
        ['offer', theirs.offer.id],
        ['offerSource', theirs.source.id],
        ['pixel', channelPixel.id],
      ]) {
        await fails(
          app.url,
          q === 'pixel' ? other : acc,
          `query($id: ID!) { ${q}(id: $id) { id } }`,
          { id },
          'NOT_FOUND',
        );
      }
    });

    it('lists show only the caller account', async () => {
      const mine = await ok(
        app.url,
        acc,
        '{ offers { nodes { id } } offerSources { nodes { id } } pixels { nodes { id } } }',
      );
      expect(mine.offers.nodes.map((n: any) => n.id)).not.toContain(theirs.offer.id);
      expect(mine.offerSources.nodes.map((n: any) => n.id)).not.toContain(theirs.source.id);
      const theirPixels = (await ok(app.url, other, '{ pixels { nodes { id } } }')).pixels.nodes;
      expect(theirPixels.map((n: any) => n.id)).not.toContain(channelPixel.id);
    });
  });

  describe('deleting something in use is a CONFLICT', () => {
    it('a conversion type mapped by a pixel', async () => {
      await refused(
        'mutation($id: ID!) { deleteConversionType(id: $id) }',
        { id: f.purchase.id },
        'CONFLICT',
        /"Purchase" is mapped to a Snapchat event on pixel [0-9a-f-]{36}: remove it from the event mapping first/,
      );
    });

    it('the default conversion type', async () => {
      const t = (await ok(app.url, other, M.createType, { input: { name: 'Default one', isDefault: true } }))
        .createConversionType;
      await refused(
        'mutation($id: ID!) { deleteConversionType(id: $id) }',
        { id: t.id },
        'CONFLICT',
        'make another type the default first',
        other,
      );
    });

    it('an offer source with offers', async () => {
      await refused(
        'mutation($id: ID!) { deleteOfferSource(id: $id) }',
        { id: f.source.id },
        'CONFLICT',
        'is used by 1 offer',
      );
    });

    it('an offer with pixels and a channel with a pixel', async () => {
      await ok(app.url, acc, M.addOfferPixel, { offerId: f.offer.id, input: { pixelId: newPixelId() } });
      await refused(
        'mutation($id: ID!) { deleteOffer(id: $id) }',
        { id: f.offer.id },
        'CONFLICT',
        'still has 1 pixel: remove it first',
      );
      await refused(
        'mutation($id: ID!) { deleteTrafficChannel(id: $id) }',
        { id: f.channel.id },
        'CONFLICT',
        'remove the pixel first',
      );
    });

    it('the default tracking domain while others exist', async () => {
      const a = (await ok(app.url, other, M.createDomain, { input: { hostname: 'a.other.example' } }))
        .createTrackingDomain;
      const b = (await ok(app.url, other, M.createDomain, { input: { hostname: 'b.other.example' } }))
        .createTrackingDomain;
      expect([a.isDefault, b.isDefault]).toEqual([true, false]);
      await refused(
        'mutation($id: ID!) { deleteTrackingDomain(id: $id) }',
        { id: a.id },
        'CONFLICT',
        'make another domain the default first',
        other,
      );
      await ok(
        app.url,
        other,
        'mutation($id: ID!) { updateTrackingDomain(id: $id, input: { isDefault: true }) { id } }',
        { id: b.id },
      );
      await ok(app.url, other, 'mutation($id: ID!) { deleteTrackingDomain(id: $id) }', { id: a.id });
    });

    it('once no longer in use, deletes succeed and publish a deletion', async () => {
      const t = (await ok(app.url, other, M.createType, { input: { name: 'Temporary' } })).createConversionType;
      const id = (await ok(app.url, other, 'mutation($id: ID!) { deleteConversionType(id: $id) }', { id: t.id }))
        .deleteConversionType;
      expect(id).toBe(t.id);
      const [row] = await app.ds.query(`SELECT payload FROM outbox_message WHERE key = $1 ORDER BY id DESC LIMIT 1`, [
        `conversion_type:${t.id}`,
      ]);
      expect(row.payload).toMatchObject({ deleted: true, data: null, version: 2 });
    });
  });
});
