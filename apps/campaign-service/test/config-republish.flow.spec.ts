import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  KAFKA_BROKERS,
  TEST_INTERNAL_SECRET,
  TEST_TOKEN_KEYS,
  createTestDatabase,
  gqlAs,
  uniqueTopicPrefix,
  waitFor,
} from '@snaptrack/util-testing';
import { startTestCampaignService, type TestCampaignService } from './harness';

/**
 * Disaster recovery of the config topic, end to end: config-service (its built dist, as a separate process: apps do
 * not import each other) writes configuration; campaign-service's in-process view is built from config.entity.v1. Then
 * the topic is "wiped" (a fresh topic prefix: nothing on it), the operator command `node
 * apps/config-service/dist/cli.js republish-config` runs, and a campaign-service started on the wiped topic ends with
 * the same view. Needs `npx tsc -b apps/config-service/tsconfig.json` first (the system tests need it too).
 */
const ROOT = path.resolve(__dirname, '../../..');
const CONFIG_DIST = path.join(ROOT, 'apps/config-service/dist');
const ACC = 'acc-republish-view';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

describe('republish-config rebuilds a wiped config topic: campaign-service rebuilds the same view', () => {
  const original = uniqueTopicPrefix();
  const wiped = uniqueTopicPrefix();
  let db: { url: string; drop: () => Promise<void> };
  let env: NodeJS.ProcessEnv;
  let configService: ChildProcess | undefined;
  const campaigns: TestCampaignService[] = [];
  const ids: { channel: string; gone: string; source: string; offer: string; domain: string } = {} as never;

  beforeAll(async () => {
    if (!existsSync(path.join(CONFIG_DIST, 'cli.js')))
      throw new Error('apps/config-service/dist/cli.js is missing: run npx tsc -b apps/config-service/tsconfig.json');
    db = await createTestDatabase('config_republish');
    env = {
      PATH: process.env.PATH,
      DATABASE_URL: db.url,
      KAFKA_BROKERS: KAFKA_BROKERS.join(','),
      INTERNAL_AUTH_SECRET: TEST_INTERNAL_SECRET,
      TOKEN_ENCRYPTION_KEYS: TEST_TOKEN_KEYS,
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
    };
  });
  afterAll(async () => {
    configService?.kill('SIGTERM');
    for (const c of campaigns) {
      await c.stop();
      await c.dropDb();
    }
    await db?.drop();
  });

  it('config-service publishes; campaign-service builds its view from the topic', async () => {
    const port = await freePort();
    configService = spawn(process.execPath, [path.join(CONFIG_DIST, 'main.js')], {
      env: { ...env, PORT: String(port), KAFKA_TOPIC_PREFIX: original },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.ok, {
      timeoutMs: 30000,
      what: 'config-service ready',
    });
    const ok = async (query: string, variables: Record<string, unknown>) => {
      const res = await gqlAs(url, ACC, query, variables);
      if (res.errors?.length || !res.data) throw new Error(`${res.status} ${JSON.stringify(res)}`);
      return res.data;
    };
    const create =
      'mutation($input: CreateTrafficChannelInput!) { createTrafficChannelFromTemplate(input: $input) { id } }';
    ids.channel = (
      await ok(create, { input: { templateKey: 'snapchat', name: 'Kept' } })
    ).createTrafficChannelFromTemplate.id;
    ids.gone = (
      await ok(create, { input: { templateKey: 'snapchat', name: 'Gone' } })
    ).createTrafficChannelFromTemplate.id;
    await ok('mutation($id: ID!) { updateTrafficChannel(id: $id, input: { name: "Kept, renamed" }) { id } }', {
      id: ids.channel,
    });
    await ok('mutation($id: ID!) { deleteTrafficChannel(id: $id) }', { id: ids.gone });
    ids.source = (
      await ok('mutation($input: CreateOfferSourceInput!) { createOfferSource(input: $input) { id } }', {
        input: { name: 'Network' },
      })
    ).createOfferSource.id;
    ids.offer = (
      await ok('mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }', {
        input: { name: 'Offer', url: 'https://offer.example.com/?c={clickid}', offerSourceId: ids.source },
      })
    ).createOffer.id;
    ids.domain = (
      await ok('mutation($input: CreateTrackingDomainInput!) { createTrackingDomain(input: $input) { id } }', {
        input: { hostname: 'trk.republish.example', isDefault: true },
      })
    ).createTrackingDomain.id;

    const a = await startTestCampaignService({ kafkaTopicPrefix: original });
    campaigns.push(a);
    const renamed = await a.view.waitFor(() => {
      const c = a.view.trafficChannel(ids.channel, ACC);
      return c?.name === 'Kept, renamed' ? c : undefined;
    }, 15000);
    expect(renamed).toBeDefined();
    expect(await a.view.waitFor(() => a.view.offer(ids.offer, ACC), 15000)).toBeDefined();
    expect(await a.view.waitFor(() => a.view.trackingDomains(ACC)[0], 15000)).toBeDefined();
    expect(a.view.trafficChannel(ids.gone, ACC)).toBeUndefined();

    configService.kill('SIGTERM');
    await new Promise((r) => configService!.once('exit', r));
    configService = undefined;
  });

  it('after the command, a view built from the wiped topic equals the original view', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [path.join(CONFIG_DIST, 'cli.js'), 'republish-config'],
      { env: { ...env, KAFKA_TOPIC_PREFIX: wiped }, timeout: 60000 },
    );
    const republished = JSON.parse(stdout.trim().split('\n').pop()!).republished as Record<string, number>;
    expect(republished).toMatchObject({ traffic_channel: 1, offer_source: 1, offer: 1, tracking_domain: 1 });

    const [a] = campaigns;
    const b = await startTestCampaignService({ kafkaTopicPrefix: wiped });
    campaigns.push(b);
    await b.view.waitFor(() => b.view.trackingDomains(ACC)[0], 15000);
    await b.view.waitFor(() => b.view.offer(ids.offer, ACC), 15000);
    expect(b.view.trafficChannel(ids.channel, ACC)).toEqual(a.view.trafficChannel(ids.channel, ACC));
    expect(b.view.trafficChannel(ids.channel, ACC)?.name).toBe('Kept, renamed');
    expect(b.view.offer(ids.offer, ACC)).toEqual(a.view.offer(ids.offer, ACC));
    expect(b.view.trackingDomains(ACC)).toEqual(a.view.trackingDomains(ACC));
    expect(b.view.trackingDomains(ACC)).toHaveLength(1);
    expect(b.view.trafficChannel(ids.gone, ACC)).toBeUndefined();
  });
});
