import { randomUUID } from 'node:crypto';
import { TOPICS, topicName, type ClickRecordedV1 } from '@snaptrack/contracts-events';
import { useInMemoryTracing } from '@snaptrack/util-observability';
import { gqlAs } from '@snaptrack/util-testing';
import { ConfigFixtures } from './config-entities';
import { startTestCampaignService, type TestCampaignService } from './harness';
import { TopicReader } from './kafka-reader';

const spans = useInMemoryTracing();
const CREATE = `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id key } }`;

describe('campaign-service metrics and traces (real broker and database)', () => {
  let app: TestCampaignService;
  let config: ConfigFixtures;
  let clicks: TopicReader;
  const acc = `acc-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    app = await startTestCampaignService({ configWaitMs: 3000 });
    const prefix = app.config.kafkaTopicPrefix ?? '';
    config = new ConfigFixtures(prefix);
    await config.connect();
    clicks = new TopicReader(topicName(prefix, TOPICS.clickRecordedV1));
    await clicks.start();
  });
  afterAll(async () => {
    await clicks?.stop();
    await config?.disconnect();
    await app?.stop();
    await app?.dropDb();
  });

  it("counts clicks by outcome, times the click route by template, and sends the click's trace to Kafka", async () => {
    const channel = await config.snapchatChannel(acc);
    const offerId = await config.offer(acc, 'https://offer.example.com/go?cid={clickid}', { offerSourceId: 'src-1' });
    const created = await gqlAs(app.url, acc, CREATE, {
      input: { name: 'Traced', trafficChannelId: channel, offers: [{ offerId }], trackingMethod: 'REDIRECT' },
    });
    expect(created.errors).toBeUndefined();
    const key = created.data.createCampaign.key as string;

    const traceId = '7a3f9c2e4b1d4e8f9a0b1c2d3e4f5a6b';
    const res = await fetch(`${app.url}/${key}?ScCid=sc-1`, {
      redirect: 'manual',
      headers: { traceparent: `00-${traceId}-5555555555555555-01` },
    });
    expect(res.status).toBe(302);
    const clickId = new URL(res.headers.get('location')!).searchParams.get('cid')!;
    const [msg] = await clicks.waitForJson<ClickRecordedV1.Value>(1, (v) => v.click_id === clickId);
    expect(msg.click_id).toBe(clickId);
    const raw = clicks.messages.find((m) => m.key === clickId)!;
    const server = spans.getFinishedSpans().find((s) => s.spanContext().traceId === traceId);
    expect(server?.name).toBe('GET /:campaignKey');
    expect(raw.headers.traceparent).toBe(`00-${traceId}-${server!.spanContext().spanId}-01`);

    expect((await fetch(`${app.url}/Zz9Zz9Zz9Zz9Q`, { redirect: 'manual' })).status).toBe(404);
    const text = await (await fetch(`${app.url}/metrics`)).text();
    expect(text).toMatch(/snaptrack_clicks_total\{outcome="recorded",method="redirect",service="campaign-service"\} 1/);
    expect(text).toMatch(/snaptrack_clicks_total\{outcome="unknown_campaign",method="redirect",[^}]*\} 1/);
    expect(text).toMatch(/snaptrack_http_request_duration_seconds_count\{[^}]*route="\/:campaignKey",status="302"\} 1/);
    expect(text).toMatch(/snaptrack_config_view_revision\{service="campaign-service"\} \d+/);
    expect(text).not.toContain(key);
    expect(text).not.toContain(clickId);
  });
});
