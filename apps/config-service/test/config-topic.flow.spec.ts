import type { Consumer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { ConfigEntityV1, TOPICS, topicName } from '@snaptrack/contracts-events';
import { TokenCipher } from '@snaptrack/util-crypto';
import { createConsumer, createKafka } from '@snaptrack/util-kafka';
import { createLogger } from '@snaptrack/util-logger';
import { KAFKA_BROKERS, TEST_TOKEN_KEYS, uniqueName, waitFor } from '@snaptrack/util-testing';
import { M, newPixelId, ok, seedBasics } from './gql';
import { startTestConfigService, type TestConfigService } from './harness';

/** The database, independently read back into config.entity.v1 shape: what a consumer's view must equal. */
async function viewFromDatabase(ds: DataSource): Promise<Map<string, ConfigEntityV1.Value>> {
  const view = new Map<string, ConfigEntityV1.Value>();
  const put = (entity_type: ConfigEntityV1.EntityType, r: any, data: any) =>
    view.set(`${entity_type}:${r.id}`, {
      schema: 'config.entity.v1',
      entity_type,
      id: r.id,
      account_id: r.account_id,
      version: r.version,
      deleted: false,
      updated_at: new Date(r.updated_at).toISOString(),
      data,
    } as ConfigEntityV1.Value);
  for (const r of await ds.query('SELECT * FROM traffic_channel'))
    put('traffic_channel', r, {
      name: r.name,
      template: r.template_key,
      click_id_param: r.click_id_param,
      parameters: r.parameters,
    });
  for (const r of await ds.query('SELECT * FROM conversion_type'))
    put('conversion_type', r, { name: r.name, duplicate_policy: r.duplicate_policy, is_default: r.is_default });
  const mappings: any[] = await ds.query('SELECT * FROM pixel_event_mapping');
  for (const r of await ds.query('SELECT * FROM pixel'))
    put('pixel', r, {
      pixel_id: r.pixel_id,
      placement:
        r.placement_kind === 'channel'
          ? { kind: 'channel', traffic_channel_id: r.traffic_channel_id }
          : { kind: 'offer', offer_id: r.offer_id },
      token: r.token_key_id ? { key_id: r.token_key_id, ciphertext: r.token_ciphertext } : null,
      test_mode: r.test_mode,
      limited_data_use: r.limited_data_use,
      event_mapping: Object.fromEntries(
        mappings.filter((m) => m.placement_id === r.id).map((m) => [m.conversion_type_id, m.snap_event_name]),
      ),
    });
  for (const r of await ds.query('SELECT * FROM offer_source'))
    put('offer_source', r, {
      name: r.name,
      params: {
        click_id: r.click_id_param,
        payout: r.payout_param,
        type: r.type_param,
        event_id: r.event_id_param,
        currency: r.currency_param,
      },
      roles: r.additional_params,
      postback_token_sha256: r.postback_token_sha256,
      previous_postback_token_sha256: r.previous_postback_token_sha256,
      previous_postback_token_expires_at: r.previous_postback_token_expires_at?.toISOString() ?? null,
      accept_unsigned_postbacks: r.accept_unsigned_postbacks,
      click_expiration_days: r.click_expiration_days,
      default_currency: r.default_currency,
      default_phone_country: r.default_phone_country,
    });
  for (const r of await ds.query('SELECT * FROM offer'))
    put('offer', r, { name: r.name, url: r.url, offer_source_id: r.offer_source_id });
  for (const r of await ds.query('SELECT * FROM tracking_domain'))
    put('tracking_domain', r, {
      hostname: r.hostname,
      is_default: r.is_default,
      verified: r.verification_status === 'VERIFIED',
    });
  return view;
}

const sortKeys = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(sortKeys)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, x]) => [k, sortKeys(x)]),
        )
      : v;

describe('config.entity.v1: a consumer replaying the topic rebuilds the database view', () => {
  let app: TestConfigService;
  let consumer: Consumer | undefined;
  const received: Array<{ key: string; value: ConfigEntityV1.Value; partition: number; messageId?: string }> = [];
  const tokens = new Map<string, string>(); // placement id → token given
  const deletedKeys: string[] = [];

  beforeAll(async () => {
    app = await startTestConfigService();
  });
  afterAll(async () => {
    await consumer?.disconnect();
    await app?.stop();
    await app?.dropDb();
  });

  it('publishes a realistic sequence of changes from two accounts', async () => {
    for (const acc of ['acc-topic-1', 'acc-topic-2']) {
      const f = await seedBasics(app.url, acc);
      await ok(app.url, acc, M.createDomain, { input: { hostname: `trk.${acc}.example` } });
      const d2 = (await ok(app.url, acc, M.createDomain, { input: { hostname: `t2.${acc}.example`, isDefault: true } }))
        .createTrackingDomain;
      await ok(
        app.url,
        acc,
        'mutation($id: ID!) { updateConversionType(id: $id, input: { isDefault: true, duplicatePolicy: ' +
          'IGNORE_SAME_CLICK }) { id } }',
        { id: f.purchase.id },
      );
      const chToken = `tok-${acc}-channel-xyz`;
      const ch = (
        await ok(app.url, acc, M.setChannelPixel, {
          channelId: f.channel.id,
          input: {
            pixelId: newPixelId(),
            accessToken: chToken,
            limitedDataUse: true,
            eventMapping: [{ conversionTypeId: f.purchase.id, snapEventName: 'PURCHASE' }],
          },
        })
      ).setChannelPixel;
      tokens.set(ch.id, chToken);
      await ok(
        app.url,
        acc,
        'mutation($id: ID!, $m: [PixelEventMappingInput!]!) { setPixelEventMapping(id: $id, mapping: $m) { id } }',
        {
          id: ch.id,
          m: [
            { conversionTypeId: f.purchase.id, snapEventName: 'PURCHASE' },
            { conversionTypeId: f.lead.id, snapEventName: 'SIGN_UP' },
          ],
        },
      );
      const offerToken = `tok-${acc}-offer-abc`;
      const op = (
        await ok(app.url, acc, M.addOfferPixel, {
          offerId: f.offer.id,
          input: { pixelId: newPixelId(), accessToken: offerToken, testMode: true },
        })
      ).addOfferPixel;
      tokens.set(op.id, offerToken);
      const gone = (await ok(app.url, acc, M.addOfferPixel, { offerId: f.offer.id, input: { pixelId: newPixelId() } }))
        .addOfferPixel;
      await ok(app.url, acc, 'mutation($id: ID!) { removePixel(id: $id) }', { id: gone.id });
      deletedKeys.push(`pixel:${gone.id}`);
      await ok(
        app.url,
        acc,
        'mutation($id: ID!) { updateOfferSource(id: $id, input: { additionalParameters: [{ param: "em", ' +
          'role: EMAIL }, { param: "ph", role: PHONE }], defaultPhoneCountry: "GB" }) { id } }',
        {
          id: f.source.id,
        },
      );
      const temp = (await ok(app.url, acc, M.createType, { input: { name: 'Temp' } })).createConversionType;
      await ok(app.url, acc, 'mutation($id: ID!) { deleteConversionType(id: $id) }', { id: temp.id });
      deletedKeys.push(`conversion_type:${temp.id}`);
      const o2 = (
        await ok(app.url, acc, M.createOffer, {
          input: { name: 'Short-lived', url: 'https://x.example.com/?c={clickid}', offerSourceId: f.source.id },
        })
      ).createOffer;
      await ok(app.url, acc, 'mutation($id: ID!) { deleteOffer(id: $id) }', { id: o2.id });
      deletedKeys.push(`offer:${o2.id}`);
      await ok(
        app.url,
        acc,
        'mutation($id: ID!) { updateTrafficChannel(id: $id, input: { name: "Snapchat main" }) { id } }',
        { id: f.channel.id },
      );
      expect(d2.isDefault).toBe(true);
    }
    await waitFor(async () => (await app.relay.pending()) === 0, { what: 'outbox drained by the relay' });
  });

  it('a fresh consumer group reading from the beginning ends with exactly the database view', async () => {
    const kafka = createKafka({
      brokers: KAFKA_BROKERS,
      clientId: 'config-topic-test',
      logger: createLogger('test', 'error'),
    });
    consumer = createConsumer(kafka, { groupId: uniqueName('config-view') });
    await consumer.connect();
    await consumer.subscribe({
      topic: topicName(app.config.kafkaTopicPrefix ?? '', TOPICS.configEntityV1),
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        const value = ConfigEntityV1.contract.decode(message.value); // contract-checked like any consumer would
        received.push({
          key: message.key!.toString(),
          value,
          partition,
          messageId: message.headers?.['message-id']?.toString(),
        });
      },
    });
    const [{ n }] = await app.ds.query('SELECT count(*)::int AS n FROM outbox_message WHERE topic = $1', [
      topicName(app.config.kafkaTopicPrefix ?? '', TOPICS.configEntityV1),
    ]);
    await waitFor(() => received.length >= n, { timeoutMs: 30000, what: `${n} messages on the topic` });
    expect(received).toHaveLength(n);

    // Rebuild: per key keep the highest version; deletions remove the entity.
    const latest = new Map<string, ConfigEntityV1.Value>();
    for (const m of received) {
      expect(m.key).toBe(ConfigEntityV1.keyOf(m.value));
      expect(m.messageId).toMatch(/^\d+$/);
      const prev = latest.get(m.key);
      // one key, one partition: versions arrive in order
      if (prev) expect(m.value.version).toBeGreaterThan(prev.version);
      latest.set(m.key, m.value);
    }
    const view = new Map([...latest].filter(([, v]) => !v.deleted));
    const expected = await viewFromDatabase(app.ds);
    expect([...view.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, v] of expected) expect(sortKeys(view.get(key))).toEqual(sortKeys(v));

    for (const key of deletedKeys) expect(latest.get(key)).toMatchObject({ deleted: true, data: null });
    expect(view.size).toBe(18); // per account: channel, 2 types, 2 pixels, source, offer, 2 domains
  });

  it(
    'a dispatcher holding TOKEN_ENCRYPTION_KEYS decrypts each pixel token from the event alone (AAD = ' + 'entity id)',
    () => {
      const cipher = new TokenCipher(TEST_TOKEN_KEYS);
      const pixels = received
        .map((m) => m.value)
        .filter(
          (v): v is Extract<ConfigEntityV1.Value, { entity_type: 'pixel' }> => v.entity_type === 'pixel' && !v.deleted,
        );
      expect(pixels.length).toBeGreaterThan(0);
      for (const p of pixels) {
        if (!p.data!.token) continue;
        expect(cipher.decrypt(p.data!.token, ConfigEntityV1.pixelTokenAad(p))).toBe(tokens.get(p.id));
      }
      const raw = JSON.stringify(received);
      for (const t of tokens.values()) expect(raw).not.toContain(t);
    },
  );
});
