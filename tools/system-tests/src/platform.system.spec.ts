import { createHash, randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { startSystem, type Platform } from './platform';

const { walkthrough, client, waitFor } = require('../../scripts/walkthrough.js');
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('the whole platform (every service as a process, real Kafka, PostgreSQL and CAPI sandbox)', () => {
  let p: Platform;
  let gql: (q: string, v?: Record<string, unknown>) => Promise<any>;
  beforeAll(async () => {
    p = await startSystem();
    gql = client(p.gatewayUrl, p.apiKey);
  }, 240000);
  afterAll(async () => {
    await p?.stop();
  });

  it('smoke: one gateway query reaches the accounts, config, campaign and conversion subgraphs', async () => {
    const data = await gql(
      `{ viewer { accountId } trafficChannelTemplates { key } campaigns(first: 1) { nodes { id } } ` +
        `conversions(first: 1) { nodes { id } } }`,
    );
    expect(data.viewer.accountId).toBe(p.accountId);
    expect(data.trafficChannelTemplates.map((t: any) => t.key)).toEqual(expect.arrayContaining(['snapchat', 'custom']));
    expect(data.campaigns.nodes).toEqual([]);
    expect(data.conversions.nodes).toEqual([]);
  });

  it(
    'smoke: the dispatcher consumer group is live (a poisoned conversion message round-trips to the ' +
      'dead-letter topic)',
    async () => {
      const kafka = new Kafka({
        clientId: 'system-test',
        brokers: [process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'],
        logLevel: logLevel.NOTHING,
      });
      const producer = kafka.producer();
      const consumer = kafka.consumer({ groupId: `system-test-${randomUUID()}` });
      const seen: string[] = [];
      await producer.connect();
      await consumer.connect();
      try {
        await consumer.subscribe({ topic: `${p.topicPrefix}dead-letter.v1`, fromBeginning: true });
        await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
        const marker = `not-json-${randomUUID()}`;
        await producer.send({
          topic: `${p.topicPrefix}conversion.created.v1`,
          messages: [{ key: 'poison', value: marker }],
        });
        await waitFor(
          async () => seen.some((v) => v.includes(marker)),
          'the dispatcher to dead-letter the message',
          60000,
        );
        const dl = JSON.parse(seen.find((v) => v.includes(marker))!);
        expect(dl.source_topic).toBe(`${p.topicPrefix}conversion.created.v1`);
      } finally {
        await consumer.disconnect();
        await producer.disconnect();
      }
    },
  );

  let result: any;
  it(
    'walks the Snapchat setup guide end to end: click with ScCid → postback → exactly one hashed ' +
      'event at Snapchat',
    async () => {
      result = await walkthrough({
        gatewayUrl: p.gatewayUrl,
        trackingUrl: p.trackingUrl,
        sandboxUrl: p.sandboxUrl,
        apiKey: p.apiKey,
      });
      expect(result.received).toHaveLength(1);
      const ev = result.received[0].event;
      expect(ev.event_name).toBe('PURCHASE');
      expect(ev.action_source).toBe('WEB');
      expect(Number.isInteger(ev.event_time)).toBe(true);
      expect(ev.user_data.sc_click_id).toBe(result.scClickId);
      expect(ev.user_data.em).toEqual(['542d240129883c019e106e3b1b2d3f3cb3537c43c425364de8e951d5a3083345']);
      expect(ev.user_data.ph).toEqual(['dc008fda46e2e64002cf2f82a4906236282d431c4f75e5b60bfe79fc48546383']);
      expect(ev.user_data.fn).toBe('96d9632f363564cc3032521409cf22a852f2032eec099ed5967c0d000cec607a');
      expect(ev.user_data.ln).toBe(sha('smith'));
      expect(ev.user_data.zp).toBe(sha('sw1a1aa'));
      expect(ev.event_id).toBe(result.conversion.eventId);
      expect(ev.custom_data).toMatchObject({ currency: 'USD', value: 49.9 });
      expect(result.conversion.deliveries).toEqual([
        expect.objectContaining({ pixelId: result.pixel.pixelId, status: 'DELIVERED', eventName: 'PURCHASE' }),
      ]);
      // The offer source's secret, shown once in the URL of step 4; without it the postback is refused.
      expect(result.source.postbackUrl).toContain(`&secret=${result.source.postbackSecret}`);
      expect(result.source.isOpen).toBe(false);
      expect(result.refused).toMatchObject({ http: 401, error: 'missing_secret' });
    },
  );

  it('reports the walkthrough via the gateway: names resolve by federation; the pixel shows its delivery', async () => {
    expect(result).toBeDefined();
    const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86400000).toISOString().slice(0, 10);
    const data = await gql(
      `query($from: String!, $to: String!, $c: ID!) {
        report(from: $from, to: $to, groupBy: [CAMPAIGN, OFFER_SOURCE, CONVERSION_TYPE]) {
          rows { campaign { id name } offerSource { name } conversionType { name } currency clicks conversions revenue }
          totals { currency clicks conversions revenue }
        }
        trafficChannel(id: $c) {
          pixel { id deliveryStats { delivered failed retrying acceptedP50Ms lastError { at } } }
        }
      }`,
      { from: day(-1), to: day(1), c: result.channel.id },
    );
    const row = data.report.rows.find((r: any) => r.conversions > 0);
    expect(row).toMatchObject({
      campaign: { id: result.campaign.id, name: expect.stringMatching(/^Snapchat campaign/) },
      offerSource: { name: expect.any(String) },
      conversionType: { name: 'Purchase' },
      currency: 'USD',
      conversions: 1,
      revenue: 49.9,
    });
    expect(row.clicks).toBeGreaterThanOrEqual(1);
    expect(data.report.totals).toEqual([expect.objectContaining({ currency: 'USD', conversions: 1, revenue: 49.9 })]);
    const stats = data.trafficChannel.pixel.deliveryStats;
    expect(stats).toMatchObject({ delivered: 1, failed: 0, retrying: 0, lastError: null });
    expect(stats.acceptedP50Ms).toBeGreaterThan(0);
  });

  it('never logs the access token or raw customer data', () => {
    const all = p.logs.join('\n');
    expect(result).toBeDefined();
    expect(all).not.toContain(result.accessToken);
    expect(all).not.toContain(result.source.postbackSecret);
    expect(all).not.toMatch(/Person@Example\.com|person@example\.com|844 412 4653|448444124653/);
    expect(all).not.toContain(p.apiKey);
  });

  it(
    'an offer-level pixel receives a Custom channel conversion; the channel-level pixel does not; one ' +
      'pixel on both levels is refused',
    async () => {
      const offerPixelId = randomUUID();
      await gql(`mutation($o: ID!, $i: PixelInput!) { addOfferPixel(offerId: $o, input: $i) { id } }`, {
        o: result.offer.id,
        i: {
          pixelId: offerPixelId,
          accessToken: 'offer-level-token-0123456789',
          eventMapping: [{ conversionTypeId: result.types.Purchase.id, snapEventName: 'PURCHASE' }],
        },
      });
      // Refused in both orders: the channel's pixel on the offer, and the offer's pixel on the channel.
      const onOffer = await gql(`mutation($o: ID!, $i: PixelInput!) { addOfferPixel(offerId: $o, input: $i) { id } }`, {
        o: result.offer.id,
        i: { pixelId: result.pixel.pixelId, accessToken: 'x-token-0123456789' },
      }).catch((e: any) => e);
      expect(onOffer.errors?.[0].extensions.code).toBe('DUPLICATE_PIXEL');
      expect(onOffer.errors?.[0].message).toMatch(/traffic channel/i);

      const { createTrafficChannelFromTemplate: custom } = await gql(
        `mutation { createTrafficChannelFromTemplate(input: { templateKey: "custom", name: "Newsletter" }) { id } }`,
      );
      const { createCampaign: camp } = await gql(
        `mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id key } }`,
        {
          i: {
            name: 'Custom traffic',
            trafficChannelId: custom.id,
            offers: [{ offerId: result.offer.id }],
            trackingMethod: 'REDIRECT',
          },
        },
      );
      const click = await waitFor(async () => {
        const r = await fetch(`${p.trackingUrl}/${camp.key}?format=json&sub1=newsletter`);
        return r.ok ? r.json() : null;
      }, 'the campaign to be live on the tracking host');
      const pb = await fetch(
        `${p.trackingUrl}/postback?clickid=${click.clickid}&sum=10&type=Purchase&eventid=custom-1` +
          `&email=someone@example.org&secret=${result.source.postbackSecret}`,
      );
      expect([200, 202]).toContain(pb.status);
      const offerEvents = await waitFor(async () => {
        const r = (await (await fetch(`${p.sandboxUrl}/__admin/events?pixel_id=${offerPixelId}`)).json()) as any;
        return r.events.length ? r.events : null;
      }, 'the offer-level pixel to receive the conversion');
      expect(offerEvents).toHaveLength(1);
      const channelEvents = (
        (await (await fetch(`${p.sandboxUrl}/__admin/events?pixel_id=${result.pixel.pixelId}`)).json()) as any
      ).events;
      expect(channelEvents).toHaveLength(1); // still only the walkthrough's Snapchat conversion
      const stats = (await (await fetch(`${p.sandboxUrl}/__admin/stats`)).json()) as any;
      expect(stats.events.duplicates).toBe(0);
    },
  );

  it(
    "isolates tenants: another account's ids answer NOT_FOUND for every entity type, on reads and " + 'writes',
    async () => {
      const { devAccount } = require('../../scripts/platform.js');
      expect(result).toBeDefined();
      const other = devAccount({ ...p.launch, fresh: true, name: 'Other tenant' });
      const otherGql = client(p.gatewayUrl, other.api_key);
      const code = async (q: string, v: Record<string, unknown> = {}) => {
        try {
          const data = await otherGql(q, v);
          return `no error: ${JSON.stringify(data)}`;
        } catch (e: any) {
          return e.errors?.[0]?.extensions?.code ?? e.message;
        }
      };
      const ids = {
        channel: result.channel.id,
        type: result.types.Purchase.id,
        pixel: result.pixel.id,
        source: result.source.id,
        offer: result.offer.id,
        campaign: result.campaign.id,
        conversion: result.conversion.id,
      };
      const reads: Array<[string, string]> = [
        ['trafficChannel', `{ trafficChannel(id: "${ids.channel}") { id } }`],
        ['conversionType', `{ conversionType(id: "${ids.type}") { id } }`],
        ['pixel', `{ pixel(id: "${ids.pixel}") { id } }`],
        ['offerSource', `{ offerSource(id: "${ids.source}") { id } }`],
        ['offer', `{ offer(id: "${ids.offer}") { id } }`],
        ['campaign', `{ campaign(id: "${ids.campaign}") { id } }`],
        ['conversion', `{ conversion(id: "${ids.conversion}") { id } }`],
      ];
      const writes: Array<[string, string]> = [
        [
          'updateTrafficChannel',
          `mutation { updateTrafficChannel(id: "${ids.channel}", input: { name: "x" }) { id } }`,
        ],
        ['deleteConversionType', `mutation { deleteConversionType(id: "${ids.type}") }`],
        ['removePixel', `mutation { removePixel(id: "${ids.pixel}") }`],
        ['setPixelEventMapping', `mutation { setPixelEventMapping(id: "${ids.pixel}", mapping: []) { id } }`],
        ['deleteOfferSource', `mutation { deleteOfferSource(id: "${ids.source}") }`],
        ['updateOffer', `mutation { updateOffer(id: "${ids.offer}", input: { name: "x" }) { id } }`],
        [
          'addOfferPixel',
          `mutation { addOfferPixel(offerId: "${ids.offer}", input: { pixelId: "${randomUUID()}", ` +
            `accessToken: "tok-0123456789abcdef" }) { id } }`,
        ],
        [
          'setChannelPixel',
          `mutation { setChannelPixel(channelId: "${ids.channel}", input: { pixelId: "${randomUUID()}", ` +
            `accessToken: "tok-0123456789abcdef" }) { id } }`,
        ],
        ['pauseCampaign', `mutation { pauseCampaign(id: "${ids.campaign}") { id } }`],
        ['deleteCampaign', `mutation { deleteCampaign(id: "${ids.campaign}") }`],
        ['redeliverConversions', `mutation { redeliverConversions(conversionIds: ["${ids.conversion}"]) }`],
        ['backfillPixel', `mutation { backfillPixel(pixelConfigId: "${ids.pixel}", days: 7) }`],
      ];
      const got: Record<string, string> = {};
      for (const [name, q] of [...reads, ...writes]) got[name] = await code(q);
      expect(got).toEqual(Object.fromEntries([...reads, ...writes].map(([n]) => [n, 'NOT_FOUND'])));
      // …and nothing changed for the owner.
      const owner = await gql(
        `{ campaign(id: "${ids.campaign}") { status } trafficChannel(id: "${ids.channel}") { name pixel { id } } }`,
      );
      expect(owner.campaign.status).toBe('ACTIVE');
      expect(owner.trafficChannel.pixel.id).toBe(ids.pixel);
      // Lists are scoped too.
      const lists = await otherGql(
        `{ trafficChannels { nodes { id } } offers { nodes { id } } campaigns { nodes { id } } ` +
          `conversions { nodes { id } } pixels { nodes { id } } }`,
      );
      expect(lists).toEqual({
        trafficChannels: { nodes: [] },
        offers: { nodes: [] },
        campaigns: { nodes: [] },
        conversions: { nodes: [] },
        pixels: { nodes: [] },
      });
    },
  );
});
