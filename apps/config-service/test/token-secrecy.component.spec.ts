import { ConfigEntityV1 } from '@snaptrack/contracts-events';
import { TokenCipher } from '@snaptrack/util-crypto';
import { TEST_TOKEN_KEYS, captureLogs } from '@snaptrack/util-testing';
import { M, PIXEL_FIELDS, fails, newPixelId, ok, responses, seedBasics } from './gql';
import { startTestConfigService, type TestConfigService } from './harness';

const K2 = `k2:${Buffer.alloc(32, 9).toString('base64')}`;

/** Pixel access tokens are write-only: never in a response, a log line, a clear-text column or an outbox payload. */
describe('access tokens stay secret', () => {
  let app: TestConfigService;
  let logs: ReturnType<typeof captureLogs>;
  const acc = 'acc-secret';
  const TOKENS = {
    channel: 'SNAPTOKEN-channel-7f3a9c1e5b',
    replaced: 'SNAPTOKEN-replaced-2d8e4f6a0c',
    offerA: 'SNAPTOKEN-offerA-9b1d3f5h7j',
    offerB: 'SNAPTOKEN-offerB-4k6m8n0p2q',
    refused: 'SNAPTOKEN-refused-duplicate-1x',
    other: 'SNAPTOKEN-otheraccount-5y7z',
    postback: 'PBTOKEN-offer-source-8w6v',
  };
  const ALL = Object.values(TOKENS);
  let f: Awaited<ReturnType<typeof seedBasics>>;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    logs = captureLogs();
    app = await startTestConfigService({ logLevel: 'debug', introspection: true });
    f = await seedBasics(app.url, acc);
  });
  afterAll(async () => {
    await app?.stop();
    logs?.restore();
    await app?.dropDb();
  });

  it('configures, replaces and refuses tokens through every pixel mutation', async () => {
    const mapping = [{ conversionTypeId: f.purchase.id, snapEventName: 'PURCHASE' }];
    const ch = (
      await ok(app.url, acc, M.setChannelPixel, {
        channelId: f.channel.id,
        input: { pixelId: newPixelId(), accessToken: TOKENS.channel, eventMapping: mapping },
      })
    ).setChannelPixel;
    ids.channelPixel = ch.id;
    const upd = (
      await ok(app.url, acc, M.updatePixel, { id: ch.id, input: { accessToken: TOKENS.replaced, testMode: true } })
    ).updatePixel;
    expect(upd.tokenHint).toBe(`****${TOKENS.replaced.slice(-4)}`);
    const a = (
      await ok(app.url, acc, M.addOfferPixel, {
        offerId: f.offer.id,
        input: { pixelId: newPixelId(), accessToken: TOKENS.offerA, eventMapping: mapping },
      })
    ).addOfferPixel;
    const b = (
      await ok(app.url, acc, M.addOfferPixel, {
        offerId: f.offer.id,
        input: { pixelId: newPixelId(), accessToken: TOKENS.offerB },
      })
    ).addOfferPixel;
    Object.assign(ids, { offerA: a.id, offerB: b.id });
    // Refused mutations carrying a token.
    await fails(
      app.url,
      acc,
      M.addOfferPixel,
      { offerId: f.offer.id, input: { pixelId: upd.pixelId, accessToken: TOKENS.refused } },
      'DUPLICATE_PIXEL',
    );
    await fails(
      app.url,
      acc,
      M.addOfferPixel,
      { offerId: f.offer.id, input: { pixelId: 'bad', accessToken: TOKENS.refused } },
      'BAD_USER_INPUT',
    );
    await fails(
      app.url,
      acc,
      M.updatePixel,
      { id: ch.id, input: { accessToken: `${TOKENS.refused} tail` } },
      'BAD_USER_INPUT',
    );
    await fails(
      app.url,
      'acc-secret-other',
      M.updatePixel,
      { id: ch.id, input: { accessToken: TOKENS.refused } },
      'NOT_FOUND',
    );
    const other = await seedBasics(app.url, 'acc-secret-other');
    await ok(app.url, 'acc-secret-other', M.setChannelPixel, {
      channelId: other.channel.id,
      input: { pixelId: newPixelId(), accessToken: TOKENS.other },
    });
    await ok(
      app.url,
      acc,
      `mutation($id: ID!, $t: String) { updateOfferSource(id: $id, input: { postbackToken: $t }) { ` +
        `postbackTokenHint } }`,
      { id: f.source.id, t: TOKENS.postback },
    );
  });

  it('reads everything back: only hasToken and a masked hint are exposed', async () => {
    const data = await ok(
      app.url,
      acc,
      `{ pixels { nodes { ${PIXEL_FIELDS} trafficChannel { id pixel { tokenHint } } offer { pixels { tokenHint } } } }
         trafficChannels { nodes { integrationStatus pixel { hasToken tokenHint } } }
         offerSources { nodes { hasPostbackToken postbackTokenHint postbackUrl } } }`,
    );
    expect(data.pixels.nodes.every((p: any) => p.hasToken && /^\*{4}.{4}$/.test(p.tokenHint))).toBe(true);
    await ok(
      app.url,
      acc,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Pixel { id hasToken tokenHint } } }`,
      {
        r: Object.values(ids).map((id) => ({ __typename: 'Pixel', id })),
      },
    );
    // The schema has no field that could carry a token.
    const fields = (await ok(app.url, acc, '{ __type(name: "Pixel") { fields { name } } }')).__type.fields.map(
      (x: any) => x.name,
    );
    expect(fields).toEqual(expect.arrayContaining(['hasToken', 'tokenHint']));
    expect(fields.filter((n: string) => /token|cipher|key/i.test(n)).sort()).toEqual(['hasToken', 'tokenHint']);
  });

  it('no token appears in any GraphQL response of this suite', () => {
    expect(responses.length).toBeGreaterThan(10);
    for (const body of responses) for (const t of ALL) expect(body).not.toContain(t);
  });

  it('no token appears in any log line (debug level, including the refused requests)', () => {
    expect(logs.lines.some((l) => l.includes('pixel configured'))).toBe(true);
    for (const line of logs.lines) for (const t of ALL) expect(line).not.toContain(t);
  });

  it(
    'no token is stored or published in clear: only ciphertext bound to the placement id, and a ' +
      'SHA-256 for the postback token',
    async () => {
      await app.relay.drain();
      const dump: string[] = [];
      for (const t of ['pixel', 'pixel_event_mapping', 'offer_source', 'outbox_message']) {
        for (const r of await app.ds.query(`SELECT x::text AS row FROM ${t} x`)) dump.push(r.row);
      }
      for (const row of dump) for (const t of ALL) expect(row).not.toContain(t);
      const cipher = new TokenCipher(TEST_TOKEN_KEYS);
      const [p] = await app.ds.query('SELECT id, token_key_id, token_ciphertext FROM pixel WHERE id = $1', [
        ids.channelPixel,
      ]);
      expect(cipher.decrypt({ key_id: p.token_key_id, ciphertext: p.token_ciphertext }, p.id)).toBe(TOKENS.replaced);
      // AAD binds it to its row
      expect(() => cipher.decrypt({ key_id: p.token_key_id, ciphertext: p.token_ciphertext }, ids.offerA)).toThrow();
    },
  );

  describe('key rotation', () => {
    let rotated: TestConfigService | undefined;
    afterAll(async () => {
      await rotated?.stop();
    });

    it(
      'a restart with a new active key re-encrypts every token at start-up and re-publishes those ' + 'pixels',
      async () => {
        const before: Array<{ id: string; version: number }> = await app.ds.query(
          'SELECT id, version FROM pixel ORDER BY id',
        );
        rotated = await startTestConfigService({
          databaseUrl: app.config.databaseUrl,
          kafkaTopicPrefix: app.config.kafkaTopicPrefix,
          tokenEncryptionKeys: `${K2},${TEST_TOKEN_KEYS}`,
          logLevel: 'debug',
        });
        const after: Array<{ id: string; version: number; token_key_id: string; token_ciphertext: string }> =
          await app.ds.query('SELECT id, version, token_key_id, token_ciphertext FROM pixel ORDER BY id');
        expect(after.map((r) => r.token_key_id)).toEqual(after.map(() => 'k2'));
        expect(after.map((r) => r.version)).toEqual(before.map((r) => r.version + 1));
        const onlyNewKey = new TokenCipher(K2);
        const byId = Object.fromEntries(
          after.map((r) => [
            r.id,
            onlyNewKey.decrypt({ key_id: r.token_key_id, ciphertext: r.token_ciphertext }, r.id),
          ]),
        );
        expect(byId[ids.channelPixel]).toBe(TOKENS.replaced);
        expect(byId[ids.offerA]).toBe(TOKENS.offerA);
        const events: Array<{ payload: ConfigEntityV1.Value }> = await app.ds.query(
          `SELECT payload FROM outbox_message WHERE key = $1 ORDER BY id DESC LIMIT 1`,
          [`pixel:${ids.offerA}`],
        );
        const latest = events[0].payload as any;
        expect(latest.version).toBe(after.find((r) => r.id === ids.offerA)!.version);
        expect(onlyNewKey.decrypt(latest.data.token, ConfigEntityV1.pixelTokenAad(latest))).toBe(TOKENS.offerA);
        for (const line of logs.lines) for (const t of ALL) expect(line).not.toContain(t);
      },
    );

    it(
      'rotateTokenEncryption re-encrypts only the caller account, and a token no key can open is ' +
        'reported, not fatal',
      async () => {
        // A pixel written by the old-key instance after the rotation: one k1 token per account.
        const mine = (
          await ok(app.url, acc, M.addOfferPixel, {
            offerId: f.offer.id,
            input: { pixelId: newPixelId(), accessToken: 'SNAPTOKEN-late-k1-mine' },
          })
        ).addOfferPixel;
        const otherOffer = (await ok(app.url, 'acc-secret-other', '{ offers { nodes { id } } }')).offers.nodes[0];
        const theirs = (
          await ok(app.url, 'acc-secret-other', M.addOfferPixel, {
            offerId: otherOffer.id,
            input: { pixelId: newPixelId(), accessToken: 'SNAPTOKEN-late-k1-theirs' },
          })
        ).addOfferPixel;
        const result = (
          await ok(rotated!.url, acc, 'mutation { rotateTokenEncryption { rotated failed activeKeyId } }')
        ).rotateTokenEncryption;
        expect(result).toEqual({ rotated: 1, failed: 0, activeKeyId: 'k2' });
        const keyOf = async (id: string) =>
          (await app.ds.query('SELECT token_key_id FROM pixel WHERE id = $1', [id]))[0].token_key_id;
        expect(await keyOf(mine.id)).toBe('k2');
        expect(await keyOf(theirs.id)).toBe('k1');
        // An instance that lost k1 cannot open that token: it reports it and keeps running.
        const lost = await startTestConfigService({
          databaseUrl: app.config.databaseUrl,
          kafkaTopicPrefix: app.config.kafkaTopicPrefix,
          tokenEncryptionKeys: K2,
          tokenRotateOnStart: false,
        });
        try {
          const r = (
            await ok(lost.url, 'acc-secret-other', 'mutation { rotateTokenEncryption { rotated failed activeKeyId } }')
          ).rotateTokenEncryption;
          expect(r).toEqual({ rotated: 0, failed: 1, activeKeyId: 'k2' });
          expect(await keyOf(theirs.id)).toBe('k1');
        } finally {
          await lost.stop();
        }
      },
    );
  });
});
