import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { TOPICS, topicName } from '@snaptrack/contracts-events';
import { createKafka } from '@snaptrack/util-kafka';
import { createLogger } from '@snaptrack/util-logger';
import { KAFKA_BROKERS, gqlAs, waitFor } from '@snaptrack/util-testing';
import { ConfigFixtures } from './config-entities';
import { startTestCampaignService, type TestCampaignService } from './harness';

const CREATE = `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id key } }`;

/** GET with an explicit Host header (fetch would send the listener's own). */
function getWithHost(
  url: string,
  path: string,
  host: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; location: string | null; body: any }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path, headers: { host, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({
          status: res.statusCode ?? 0,
          location: (res.headers.location as string | undefined) ?? null,
          body: text ? JSON.parse(text) : null,
        });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Clicks on a tracking domain are served only when config.entity.v1 says the domain is verified, and only for the
 * domain's own account; offer URL macros can never change the redirect's host.
 */
describe('campaign-service: verified tracking domains and safe redirects', () => {
  let app: TestCampaignService;
  let config: ConfigFixtures;
  let clickTopic: string;
  const acc = `acc-${randomUUID().slice(0, 8)}`;
  const other = `acc-${randomUUID().slice(0, 8)}`;
  let channel: string;
  let key: string;
  let unverifiedId: string;

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

  async function campaign(offerUrl: string, input: Record<string, unknown> = {}): Promise<string> {
    const offerId = await config.offer(acc, offerUrl, { offerSourceId: 'src-1' });
    const res = await gqlAs(app.url, acc, CREATE, {
      input: {
        name: 'Domain test',
        trafficChannelId: channel,
        offers: [{ offerId }],
        trackingMethod: 'REDIRECT',
        ...input,
      },
    });
    expect(res.errors).toBeUndefined();
    return res.data.createCampaign.key;
  }

  beforeAll(async () => {
    app = await startTestCampaignService({ configWaitMs: 3000 });
    const prefix = app.config.kafkaTopicPrefix ?? '';
    config = new ConfigFixtures(prefix);
    await config.connect();
    clickTopic = topicName(prefix, TOPICS.clickRecordedV1);
    channel = await config.snapchatChannel(acc);
    await config.trackingDomain(acc, 'trk.verified.example', true, { verified: true });
    unverifiedId = await config.trackingDomain(acc, 'trk.pending.example', false, { verified: false });
    await config.trackingDomain(acc, 'trk.legacy.example', false, { verified: 'absent' });
    await config.trackingDomain(other, 'trk.theirs.example', true, { verified: true });
    key = await campaign('https://offer.example.com/go?cid={clickid}', {
      fallbackUrl: 'https://fallback.example.com/',
    });
    await waitFor(() => app.view.trackingDomainForHost('trk.theirs.example'), { what: 'domains in the view' });
  });
  afterAll(async () => {
    await config?.disconnect();
    await app?.stop();
    await app?.dropDb();
  });

  it('a verified domain of the campaign account serves the click', async () => {
    const res = await getWithHost(app.url, `/${key}?sub1=a`, 'trk.verified.example');
    expect(res.status).toBe(302);
    expect(new URL(res.location ?? '').host).toBe('offer.example.com');
  });

  it.each([
    ['trk.pending.example', 'verified: false'],
    ['TRK.Pending.example:8080', 'verified: false, any case and port'],
    ['trk.legacy.example', 'no verified field (published before verification existed)'],
  ])('an unverified domain (%s, %s) serves nothing and publishes nothing', async (host) => {
    const before = await topicSize();
    const redirect = await getWithHost(app.url, `/${key}?sub1=a`, host);
    expect(redirect).toMatchObject({
      status: 404,
      location: null, // not even the campaign's fallback
      body: { error: 'not_found', reason: 'this tracking domain is not verified' },
    });
    const json = await getWithHost(app.url, `/click?cmpid=${key}&sub1=a`, host);
    expect(json).toMatchObject({ status: 404, body: { reason: 'this tracking domain is not verified' } });
    // Through a trusted proxy the forwarded host counts.
    const proxied = await getWithHost(app.url, `/${key}`, 'internal.example', { 'x-forwarded-host': host });
    expect(proxied.status).toBe(404);
    expect(await topicSize()).toBe(before);
  });

  it("another account's verified domain does not serve this account's campaign", async () => {
    const before = await topicSize();
    const res = await getWithHost(app.url, `/${key}`, 'trk.theirs.example');
    expect(res).toMatchObject({ status: 404, body: { reason: 'unknown campaign' } });
    expect(await topicSize()).toBe(before);
  });

  it('a host that is no tracking domain (the public tracking URL) still serves', async () => {
    const res = await getWithHost(app.url, `/${key}`, 'track.example.test');
    expect(res.status).toBe(302);
  });

  it('serves once config-service publishes the domain verified', async () => {
    await config.trackingDomain(acc, 'trk.pending.example', false, { id: unverifiedId, verified: true });
    await waitFor(async () => (await getWithHost(app.url, `/${key}`, 'trk.pending.example')).status === 302, {
      what: 'the verified domain to serve',
    });
  });

  describe('safe redirects', () => {
    it('a stored offer URL whose host is a macro never redirects to the value (422, nothing published)', async () => {
      const k = await campaign('https://{sub1}/x?c={clickid}');
      const before = await topicSize();
      const res = await getWithHost(app.url, `/${k}?sub1=evil.com`, 'trk.verified.example');
      expect(res.status).toBe(422);
      expect(res.location).toBeNull();
      expect(res.body).toMatchObject({ error: 'invalid_offer_url' });
      expect(await topicSize()).toBe(before);
    });

    it.each(['@evil.com', '//evil.com', '%2F%2Fevil.com', '\\\\evil.com', '.evil.com'])(
      'a query-string value %j in a path or query macro cannot change the host',
      async (value) => {
        const k = await campaign('https://offer.example.com/{sub1}?c={clickid}&u={sub2}');
        const q = `sub1=${encodeURIComponent(value)}&sub2=${encodeURIComponent(value)}`;
        const res = await getWithHost(app.url, `/${k}?${q}`, 'trk.verified.example');
        expect(res.status).toBe(302);
        const location = new URL(res.location ?? '');
        expect(location.protocol).toBe('https:');
        expect(location.host).toBe('offer.example.com');
        expect(location.username + location.password).toBe('');
      },
    );
  });
});
