import { M, dbState, fails, gql, newPixelId, ok, seedBasics } from './gql';
import { startTestConfigService, type TestConfigService } from './harness';

/** The no-duplicate-pixel rule: one Snap pixel on a traffic channel AND on an offer would double every conversion. */
describe('no duplicate pixel at configuration time', () => {
  let app: TestConfigService;
  const acc = 'acc-dup';
  let f: Awaited<ReturnType<typeof seedBasics>>;
  let offer2: any;
  let channel2: any;
  beforeAll(async () => {
    app = await startTestConfigService();
    f = await seedBasics(app.url, acc);
    offer2 = (
      await ok(app.url, acc, M.createOffer, {
        input: { name: 'Second offer', url: 'https://b.example.com/?c={clickid}', offerSourceId: f.source.id },
      })
    ).createOffer;
    channel2 = (await ok(app.url, acc, M.createChannel, { input: { templateKey: 'snapchat', name: 'Snapchat 2' } }))
      .createTrafficChannelFromTemplate;
  });
  afterAll(async () => {
    await app?.stop();
    await app?.dropDb();
  });

  const pixelInput = (pixelId: string) => ({ pixelId, accessToken: 'tok-abcdefgh-1234' });

  it(
    'refuses an offer pixel that is already the channel data source, naming the channel, and changes ' + 'nothing',
    async () => {
      const pixelId = newPixelId();
      await ok(app.url, acc, M.setChannelPixel, { channelId: f.channel.id, input: pixelInput(pixelId) });
      const before = await dbState(app.ds);
      const err = await fails(
        app.url,
        acc,
        M.addOfferPixel,
        { offerId: f.offer.id, input: pixelInput(pixelId.toUpperCase()) },
        'DUPLICATE_PIXEL',
      );
      expect(err.message).toContain(`Pixel ${pixelId} is already configured on traffic channel "Snapchat"`);
      expect(err.message).toMatch(/traffic channel OR on the offer, not both/);
      expect(err.message).toMatch(/duplicated conversions/);
      expect(err.extensions).toMatchObject({
        pixelId,
        configuredOn: { kind: 'CHANNEL', id: f.channel.id, name: 'Snapchat' },
      });
      expect(await dbState(app.ds)).toEqual(before);
      await ok(app.url, acc, 'mutation($id: ID!) { removePixel(id: $id) }', {
        id: (await channelPixelId(f.channel.id))!,
      });
    },
  );

  it('refuses a channel pixel that is already on an offer, naming the offer, and changes nothing', async () => {
    const pixelId = newPixelId();
    await ok(app.url, acc, M.addOfferPixel, { offerId: f.offer.id, input: pixelInput(pixelId) });
    // two offers may share a pixel
    await ok(app.url, acc, M.addOfferPixel, { offerId: offer2.id, input: pixelInput(pixelId) });
    const before = await dbState(app.ds);
    const err = await fails(
      app.url,
      acc,
      M.setChannelPixel,
      { channelId: f.channel.id, input: pixelInput(pixelId) },
      'DUPLICATE_PIXEL',
    );
    expect(err.message).toContain(`Pixel ${pixelId} is already configured on offer "Offer" (and 1 more)`);
    expect(err.extensions).toMatchObject({ configuredOn: { kind: 'OFFER', id: f.offer.id, name: 'Offer' } });
    expect(await dbState(app.ds)).toEqual(before);
  });

  it('refuses the same pixel twice on one offer', async () => {
    const pixelId = newPixelId();
    await ok(app.url, acc, M.addOfferPixel, { offerId: offer2.id, input: pixelInput(pixelId) });
    const before = await dbState(app.ds);
    const err = await fails(
      app.url,
      acc,
      M.addOfferPixel,
      { offerId: offer2.id, input: pixelInput(pixelId) },
      'DUPLICATE_PIXEL',
    );
    expect(err.message).toContain(`Pixel ${pixelId} is already configured on this offer ("Second offer")`);
    expect(await dbState(app.ds)).toEqual(before);
  });

  it('refuses moving a placement onto a duplicate with updatePixel, in both directions', async () => {
    const onOffer = newPixelId();
    const onChannel = newPixelId();
    const offerPixel = (await ok(app.url, acc, M.addOfferPixel, { offerId: offer2.id, input: pixelInput(onOffer) }))
      .addOfferPixel;
    const channelPixel = (
      await ok(app.url, acc, M.setChannelPixel, { channelId: channel2.id, input: pixelInput(onChannel) })
    ).setChannelPixel;
    const before = await dbState(app.ds);
    await fails(app.url, acc, M.updatePixel, { id: channelPixel.id, input: { pixelId: onOffer } }, 'DUPLICATE_PIXEL');
    await fails(app.url, acc, M.updatePixel, { id: offerPixel.id, input: { pixelId: onChannel } }, 'DUPLICATE_PIXEL');
    expect(await dbState(app.ds)).toEqual(before);
  });

  it(
    'allows one pixel on two traffic channels and on two offers (a conversion has one channel and one ' + 'offer)',
    async () => {
      const shared = newPixelId();
      const c3 = (await ok(app.url, acc, M.createChannel, { input: { templateKey: 'snapchat', name: 'Snapchat 3' } }))
        .createTrafficChannelFromTemplate;
      const c4 = (await ok(app.url, acc, M.createChannel, { input: { templateKey: 'snapchat', name: 'Snapchat 4' } }))
        .createTrafficChannelFromTemplate;
      await ok(app.url, acc, M.setChannelPixel, { channelId: c3.id, input: pixelInput(shared) });
      await ok(app.url, acc, M.setChannelPixel, { channelId: c4.id, input: pixelInput(shared) });
    },
  );

  it('lets another account use the same pixel id at another level (the rule is per account)', async () => {
    const pixelId = newPixelId();
    await ok(app.url, acc, M.setChannelPixel, { channelId: channel2.id, input: pixelInput(pixelId) });
    const other = await seedBasics(app.url, 'acc-dup-other');
    await ok(app.url, 'acc-dup-other', M.addOfferPixel, { offerId: other.offer.id, input: pixelInput(pixelId) });
  });

  it(
    'holds under concurrency: a channel and an offer placement of one pixel racing, 20 rounds, ' +
      'exactly one wins each',
    async () => {
      const c = (await ok(app.url, acc, M.createChannel, { input: { templateKey: 'snapchat', name: 'Race channel' } }))
        .createTrafficChannelFromTemplate;
      const o = (
        await ok(app.url, acc, M.createOffer, {
          input: { name: 'Race offer', url: 'https://race.example.com/?c={clickid}', offerSourceId: f.source.id },
        })
      ).createOffer;
      for (let round = 0; round < 20; round++) {
        const pixelId = newPixelId();
        const [a, b] = await Promise.all([
          gql(app.url, acc, M.setChannelPixel, { channelId: c.id, input: pixelInput(pixelId) }),
          gql(app.url, acc, M.addOfferPixel, { offerId: o.id, input: pixelInput(pixelId) }),
        ]);
        const codes = [a, b].map((r) => (r.errors ? r.errors[0].extensions?.code : 'OK'));
        expect(codes.sort()).toEqual(['DUPLICATE_PIXEL', 'OK']);
        // The loser waited for the winner's commit (advisory lock) and names where the pixel is, not just a constraint
        // hit.
        const loser = (a.errors ?? b.errors)![0];
        expect(loser.extensions?.configuredOn).toBeDefined();
        const [{ kinds }] = await app.ds.query(
          'SELECT array_agg(DISTINCT placement_kind) AS kinds FROM pixel WHERE account_id = $1 AND pixel_id = $2',
          [acc, pixelId],
        );
        expect(kinds).toHaveLength(1);
        // Clean up the offer placement so the next round starts from the same state (the channel one is replaced).
        if (!b.errors)
          await ok(app.url, acc, 'mutation($id: ID!) { removePixel(id: $id) }', { id: b.data.addOfferPixel.id });
      }
    },
  );

  it(
    'holds under concurrency: the same pixel added twice to one offer at once, 20 rounds, exactly one ' + 'wins each',
    async () => {
      const o = (
        await ok(app.url, acc, M.createOffer, {
          input: { name: 'Race offer 2', url: 'https://race.example.com/?c={clickid}', offerSourceId: f.source.id },
        })
      ).createOffer;
      for (let round = 0; round < 20; round++) {
        const pixelId = newPixelId();
        const results = await Promise.all(
          [0, 1].map(() => gql(app.url, acc, M.addOfferPixel, { offerId: o.id, input: pixelInput(pixelId) })),
        );
        expect(results.map((r) => (r.errors ? r.errors[0].extensions?.code : 'OK')).sort()).toEqual([
          'DUPLICATE_PIXEL',
          'OK',
        ]);
        expect(results.find((r) => r.errors)!.errors![0].message).toContain(
          'already configured on this offer ("Race offer 2")',
        );
        const [{ n }] = await app.ds.query(
          'SELECT count(*)::int AS n FROM pixel WHERE offer_id = $1 AND pixel_id = $2',
          [o.id, pixelId],
        );
        expect(n).toBe(1);
      }
    },
  );

  it('is also a database constraint: a direct insert of the conflicting placement is rejected', async () => {
    const [p] = await app.ds.query(`SELECT * FROM pixel WHERE account_id = $1 AND placement_kind = 'channel' LIMIT 1`, [
      acc,
    ]);
    await expect(
      app.ds.query(
        `INSERT INTO pixel (id, account_id, pixel_id, placement_kind, offer_id, created_at, updated_at, ` +
          `version) VALUES (gen_random_uuid(), $1, $2, 'offer', $3, now(), now(), 1)`,
        [acc, p.pixel_id, f.offer.id],
      ),
    ).rejects.toMatchObject({
      driverError: expect.objectContaining({ code: '23P01', constraint: 'pixel_one_level_per_account' }),
    });
  });

  async function channelPixelId(channelId: string): Promise<string | null> {
    const d = await ok(app.url, acc, 'query($id: ID!) { trafficChannel(id: $id) { pixel { id } } }', { id: channelId });
    return d.trafficChannel.pixel?.id ?? null;
  }
});
