import { createHash } from 'node:crypto';
import { captureLogs } from '@snaptrack/util-testing';
import { M, dbState, fails, newPixelId, ok, seedBasics } from './gql';
import { startTestConfigService, type TestConfigService } from './harness';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

const FIELDS = `id name url kind domain allowedOrigins hasConversionSecret conversionSecretHint conversionSecret
  offerSourceId version`;
const CREATE = `mutation($input: CreateOfferInput!) { createOffer(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateOfferInput!) { updateOffer(id: $id, input: $input) { ${FIELDS} } }`;
const ROTATE = `mutation($id: ID!) { rotateWebsiteSecret(offerId: $id) { ${FIELDS} } }`;
const READ = `query($id: ID!) { offer(id: $id) { ${FIELDS} } }`;

/** Websites: offers of kind WEBSITE, with a domain, allowed origins and a server-to-server secret shown once. */
describe('websites (offers of kind WEBSITE)', () => {
  let app: TestConfigService;
  const acc = 'acc-website';
  let f: Awaited<ReturnType<typeof seedBasics>>;
  const published = async (id: string) =>
    (
      await app.ds.query(`SELECT payload FROM outbox_message WHERE key = $1 ORDER BY id DESC LIMIT 1`, [`offer:${id}`])
    )[0]?.payload;

  beforeAll(async () => {
    app = await startTestConfigService();
    f = await seedBasics(app.url, acc);
  });
  afterAll(async () => {
    await app?.stop();
    await app?.dropDb();
  });

  it('creates a website with its domain, default origin and a secret shown once; only its hash is kept', async () => {
    const logs = captureLogs();
    let w: any;
    try {
      w = (
        await ok(app.url, acc, CREATE, {
          input: { name: 'Shop', url: 'https://Shop.Example.com/landing', offerSourceId: f.source.id, kind: 'WEBSITE' },
        })
      ).createOffer;
    } finally {
      logs.restore();
    }
    expect(w).toMatchObject({
      kind: 'WEBSITE',
      domain: 'shop.example.com',
      allowedOrigins: ['https://shop.example.com'],
      hasConversionSecret: true,
    });
    expect(w.conversionSecret).toMatch(/^wss_[A-Za-z0-9_-]{32}$/);
    expect(w.conversionSecretHint).toBe(`****${w.conversionSecret.slice(-4)}`);
    expect(logs.lines.join('\n')).not.toContain(w.conversionSecret);

    const again = (await ok(app.url, acc, READ, { id: w.id })).offer;
    expect(again.conversionSecret).toBeNull();
    expect(again.conversionSecretHint).toBe(w.conversionSecretHint);

    const [row] = await app.ds.query(`SELECT * FROM offer WHERE id = $1`, [w.id]);
    expect(JSON.stringify(row)).not.toContain(w.conversionSecret);
    expect(row.conversion_secret_sha256).toBe(sha256(w.conversionSecret));

    const payload = await published(w.id);
    expect(payload.data).toEqual({
      name: 'Shop',
      url: 'https://Shop.Example.com/landing',
      offer_source_id: f.source.id,
      kind: 'website',
      domain: 'shop.example.com',
      allowed_origins: ['https://shop.example.com'],
      conversion_secret_sha256: sha256(w.conversionSecret),
    });
    expect(JSON.stringify(payload)).not.toContain(w.conversionSecret);
  });

  it('keeps the shape of plain offers on the topic (no website fields)', async () => {
    expect((await published(f.offer.id)).data).toEqual({
      name: 'Offer',
      url: 'https://offer.example.com/?c={clickid}',
      offer_source_id: f.source.id,
    });
  });

  it('checks allowed origins against the domain and refuses website-only input on offers', async () => {
    const input = (extra: Record<string, unknown>) => ({
      input: {
        name: 'Shop 2',
        url: 'https://shop2.example.com/',
        offerSourceId: f.source.id,
        kind: 'WEBSITE',
        ...extra,
      },
    });
    const before = await dbState(app.ds);
    for (const origins of [['https://evil.example.net'], ['https://shop2.example.com/path'], ['shop2.example.com']]) {
      const err = await fails(app.url, acc, CREATE, input({ allowedOrigins: origins }), 'BAD_USER_INPUT');
      expect(err.extensions?.field).toBe('allowedOrigins');
    }
    await fails(app.url, acc, CREATE, input({ url: 'https://shop2.example.com/?c={clickid}' }), 'BAD_USER_INPUT');
    await fails(
      app.url,
      acc,
      CREATE,
      {
        input: {
          name: 'O',
          url: 'https://o.example.com/?c={clickid}',
          offerSourceId: f.source.id,
          allowedOrigins: ['https://o.example.com'],
        },
      },
      'BAD_USER_INPUT',
    );
    await fails(app.url, acc, ROTATE, { id: f.offer.id }, 'BAD_USER_INPUT');
    expect(await dbState(app.ds)).toEqual(before);

    const w = (
      await ok(
        app.url,
        acc,
        CREATE,
        input({ allowedOrigins: ['https://www.shop2.example.com', 'https://shop2.example.com'] }),
      )
    ).createOffer;
    expect(w.allowedOrigins).toEqual(['https://www.shop2.example.com', 'https://shop2.example.com']);
    const updated = (
      await ok(app.url, acc, UPDATE, {
        id: w.id,
        input: { allowedOrigins: ['https://checkout.shop2.example.com:8443'] },
      })
    ).updateOffer;
    expect(updated.allowedOrigins).toEqual(['https://checkout.shop2.example.com:8443']);
    expect((await published(w.id)).data.allowed_origins).toEqual(['https://checkout.shop2.example.com:8443']);
  });

  it('rotates the secret: the new one once, the old hash replaced at once', async () => {
    const w = (
      await ok(app.url, acc, CREATE, {
        input: { name: 'Shop 3', url: 'https://shop3.example.com/', offerSourceId: f.source.id, kind: 'WEBSITE' },
      })
    ).createOffer;
    const r = (await ok(app.url, acc, ROTATE, { id: w.id })).rotateWebsiteSecret;
    expect(r.conversionSecret).toMatch(/^wss_/);
    expect(r.conversionSecret).not.toBe(w.conversionSecret);
    expect(r.version).toBe(w.version + 1);
    expect((await published(w.id)).data.conversion_secret_sha256).toBe(sha256(r.conversionSecret));
    await fails(app.url, 'acc-someone-else', ROTATE, { id: w.id }, 'NOT_FOUND');
  });

  it('a website takes pixels like an offer, with the no-duplicate-pixel rule', async () => {
    const w = (
      await ok(app.url, acc, CREATE, {
        input: { name: 'Shop 4', url: 'https://shop4.example.com/', offerSourceId: f.source.id, kind: 'WEBSITE' },
      })
    ).createOffer;
    const pixelId = newPixelId();
    const input = { pixelId, accessToken: 'tok-abcdefgh-1234' };
    await ok(app.url, acc, M.addOfferPixel, { offerId: w.id, input });
    const err = await fails(app.url, acc, M.setChannelPixel, { channelId: f.channel.id, input }, 'DUPLICATE_PIXEL');
    expect(err.message).toContain('Shop 4');
  });
});
