/// <reference lib="dom" />
// page.evaluate / waitForFunction callbacks run in the browser, so they are typed against the DOM.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { chromium, type Browser } from 'playwright-core';
import { TOPICS, topicName, type ClickRecordedV1 } from '@snaptrack/contracts-events';
import { gqlAs, waitFor } from '@snaptrack/util-testing';
import { ConfigFixtures } from './config-entities';
import { startTestCampaignService, type TestCampaignService } from './harness';
import { TopicReader } from './kafka-reader';

const CHROMIUM = '/usr/bin/chromium';

declare global {
  interface Window {
    snaptrack?: { clickId: string; campaignKey: string; offerUrl: string | null; conversion: unknown };
    __snaptrackEvents?: string[];
  }
}

/**
 * The no-redirect method end to end in a real headless Chromium: landing page → /track.js → /click → Kafka → click
 * table.
 */
describe('/track.js on a landing page (headless Chromium)', () => {
  let app: TestCampaignService;
  let config: ConfigFixtures;
  let reader: TopicReader;
  let landing: Server;
  let landingOrigin: string;
  let browser: Browser;
  let campaign: { id: string; key: string };
  const acc = `acc-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      execFileSync('bash', [join(__dirname, '../../../tools/scripts/ensure-chromium.sh')], { stdio: 'inherit' });
    app = await startTestCampaignService();
    config = new ConfigFixtures(app.config.kafkaTopicPrefix ?? '');
    await config.connect();
    reader = new TopicReader(topicName(app.config.kafkaTopicPrefix ?? '', TOPICS.clickRecordedV1));
    await reader.start();

    // The advertiser's landing page: another origin than the tracking host (same IP, other port).
    landing = createServer((req, res) => {
      if (!req.url?.startsWith('/lp')) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html><head><title>Landing</title>
<script src="${app.url}/track.js" async></script></head>
<body>
  <a id="offer" data-snaptrack-offer href="https://offer.example.com/go?lp=1">Get the offer</a>
  <a id="template" href="https://offer.example.com/go?cid={clickid}">Template link</a>
  <a id="empty" data-snaptrack-offer href="#">Offer from the campaign</a>
  <a id="other" href="https://elsewhere.example.com/page">Unrelated</a>
</body></html>`);
    });
    await new Promise<void>((resolve) => landing.listen(0, '127.0.0.1', resolve));
    landingOrigin = `http://127.0.0.1:${(landing.address() as AddressInfo).port}`;

    const channel = await config.snapchatChannel(acc);
    const offer = await config.offer(acc, 'https://offer.example.com/go?cid={clickid}&s1={sub1}');
    const res = await gqlAs(
      app.url,
      acc,
      `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id key trackingLink scriptTag } }`,
      {
        input: {
          name: 'No-redirect',
          trafficChannelId: channel,
          offers: [{ offerId: offer }],
          trackingMethod: 'DIRECT',
          landingPageUrl: `${landingOrigin}/lp`,
        },
      },
    );
    expect(res.errors).toBeUndefined();
    campaign = res.data.createCampaign;

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => (landing ? landing.close(r) : r(undefined)));
    await reader?.stop();
    await config?.disconnect();
    await app?.stop();
    await app?.dropDb();
  });

  const clickCount = async () =>
    (await gqlAs(app.url, acc, 'query($id: ID!) { campaign(id: $id) { clickCount } }', { id: campaign.id })).data
      .campaign.clickCount as number;
  const eventsOfCampaign = () => reader.json<ClickRecordedV1.Value>().filter((e) => e.campaign_id === campaign.id);

  it('records exactly one click, decorates the offer links, and reuses the click id on reload', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript(() => {
      window.__snaptrackEvents = [];
      document.addEventListener('snaptrack:click', (e) =>
        window.__snaptrackEvents?.push((e as CustomEvent<{ clickId: string }>).detail.clickId),
      );
    });
    const clickRequests: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/click') clickRequests.push(r.url());
    });

    const pageUrl = `${landingOrigin}/lp?cmpid=${campaign.key}&ScCid=abc&sub1=x`;
    await page.goto(pageUrl);
    await page.waitForFunction(() => !!window.snaptrack?.clickId && window.__snaptrackEvents?.length === 1);
    const clickId = await page.evaluate(() => window.snaptrack?.clickId as string);
    expect(clickId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await page.evaluate(() => window.__snaptrackEvents)).toEqual([clickId]);
    expect(clickRequests).toHaveLength(1);

    // Offer links carry the click id; the unrelated link is left alone.
    expect(await page.getAttribute('#offer', 'href')).toBe(`https://offer.example.com/go?lp=1&clickid=${clickId}`);
    expect(await page.getAttribute('#template', 'href')).toBe(`https://offer.example.com/go?cid=${clickId}`);
    expect(await page.getAttribute('#empty', 'href')).toBe(`https://offer.example.com/go?cid=${clickId}&s1=x`);
    expect(await page.getAttribute('#other', 'href')).toBe('https://elsewhere.example.com/page');

    // First-party cookie on the landing page's host.
    const cookie = (await context.cookies(landingOrigin)).find((c) => c.name === `snaptrack_clickid_${campaign.key}`);
    expect(cookie?.value).toBe(clickId);
    expect(cookie?.expires ?? 0).toBeGreaterThan(Date.now() / 1000 + 29 * 86400);

    // The click reached Kafka with what the page reported, and the click table.
    const [event] = await reader.waitForJson<ClickRecordedV1.Value>(1, (e) => e.click_id === clickId);
    expect(event).toMatchObject({
      campaign_id: campaign.id,
      tracking_method: 'direct',
      sc_click_id: 'abc',
      landing_url: pageUrl,
      ip: '127.0.0.1',
      params: { ScCid: 'abc', sub1: 'x' },
    });
    expect(event.user_agent).toContain('Chrome');
    await waitFor(async () => (await clickCount()) === 1, { what: 'the click in the click table' });

    // A returning visitor keeps the click id and registers no new click.
    await page.reload();
    await page.waitForFunction(() => !!window.snaptrack?.clickId && window.__snaptrackEvents?.length === 1);
    expect(await page.evaluate(() => window.snaptrack?.clickId)).toBe(clickId);
    expect(await page.getAttribute('#offer', 'href')).toBe(`https://offer.example.com/go?lp=1&clickid=${clickId}`);
    expect(clickRequests).toHaveLength(1);

    // A new visitor (fresh browser profile) is a new click. Once it is stored, the total is exactly two, so the
    // reload above added nothing.
    const fresh = await browser.newContext();
    const other = await fresh.newPage();
    await other.goto(`${landingOrigin}/lp?cmpid=${campaign.key}&ScCid=def`);
    await other.waitForFunction(() => !!window.snaptrack?.clickId);
    const secondId = await other.evaluate(() => window.snaptrack?.clickId as string);
    expect(secondId).not.toBe(clickId);
    await reader.waitForJson<ClickRecordedV1.Value>(1, (e) => e.click_id === secondId);
    await waitFor(async () => (await clickCount()) === 2, { what: 'the second visitor in the click table' });
    expect(
      eventsOfCampaign()
        .map((e) => e.click_id)
        .sort(),
    ).toEqual([clickId, secondId].sort());
    await fresh.close();
    await context.close();
  });

  it('does nothing on a page without cmpid, and links added later are decorated too', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const clickRequests: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/click') clickRequests.push(r.url());
    });
    await page.goto(`${landingOrigin}/lp?sub1=no-campaign`);
    await page.waitForFunction(() => document.readyState === 'complete');
    await page.waitForLoadState('networkidle');
    // Only the conversion API is there (for thank-you pages); no click id, no click.
    expect(await page.evaluate(() => window.snaptrack?.clickId ?? null)).toBeNull();
    expect(await page.evaluate(() => typeof window.snaptrack?.conversion)).toBe('function');
    // Without a click on this browser a conversion is refused in the page, before any request.
    const requests: string[] = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    expect(
      await page.evaluate(() =>
        (window.snaptrack!.conversion as (o: object) => Promise<unknown>)({ type: 'Purchase' }).then(
          () => 'resolved',
          (e: { code?: string }) => e.code,
        ),
      ),
    ).toBe('missing_click_id');
    expect(requests.filter((r) => r.startsWith('/conversions'))).toEqual([]);
    expect(clickRequests).toEqual([]);

    await page.goto(`${landingOrigin}/lp?cmpid=${campaign.key}`);
    await page.waitForFunction(() => !!window.snaptrack?.clickId);
    const clickId = await page.evaluate(() => window.snaptrack?.clickId as string);
    await page.evaluate(() => {
      const a = document.createElement('a');
      a.id = 'late';
      a.href = 'https://offer.example.com/go?late=1';
      document.body.appendChild(a);
    });
    await page.waitForFunction(
      (id) => document.getElementById('late')?.getAttribute('href')?.includes(`clickid=${id}`),
      clickId,
    );
    await context.close();
  });

  it('serves /track.js as cacheable JavaScript with an ETag', async () => {
    const res = await fetch(`${app.url}/track.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toContain('max-age=');
    const etag = res.headers.get('etag') ?? '';
    expect(etag).toMatch(/^".+"$/);
    expect(await res.text()).toContain(`var MAX_AGE = ${30 * 86400};`);
    const again = await fetch(`${app.url}/track.js`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });
});
