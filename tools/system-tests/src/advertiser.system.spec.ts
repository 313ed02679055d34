/// <reference lib="dom" />
// page.evaluate / waitForFunction callbacks run in the browser, so they are typed against the DOM.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startSystem, type Platform } from './platform';

const { advertiserSetup, postJson, snapEvents } = require('../../scripts/advertiser-walkthrough.js');
const { waitFor } = require('../../scripts/walkthrough.js');

const CHROMIUM = '/usr/bin/chromium';
// Snap's test vector for Person@Example.com (libs/shared/util-pii/test/fixtures/snap-hash-vectors.json).
const EMAIL_SHA256 = '542d240129883c019e106e3b1b2d3f3cb3537c43c425364de8e951d5a3083345';

interface ConversionResult {
  eventId?: string;
  conversionId?: string;
  status?: string;
  error?: string;
}

declare global {
  interface Window {
    snaptrack?: { clickId?: string; conversion: (o: Record<string, unknown>) => Promise<ConversionResult> };
    __result?: Promise<ConversionResult>;
    __snaptr?: unknown[][];
  }
}

/**
 * The advertiser flow in a real headless Chromium against the whole platform: the visitor lands on the advertiser's
 * site from a Snapchat ad (ScCid, and the Snap Pixel's `_scid` cookie), /track.js records the click, the thank-you
 * page calls `snaptrack.conversion()` and hands the event id to the Snap Pixel; Snapchat's CAPI (the sandbox)
 * receives exactly one event with that event id, the click id, `sc_cookie1` and the hashed e-mail.
 */
describe('advertiser website: landing → thank-you page → one CAPI event (Chromium, whole platform)', () => {
  let p: Platform;
  let site: Server;
  let siteOrigin: string;
  let foreignOrigin: string;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      execFileSync('bash', [join(__dirname, '../../scripts/ensure-chromium.sh')], { stdio: 'inherit' });
    p = await startSystem();
    // The advertiser's site: a landing page and a thank-you page (as a shop would put the snippets on them). The same
    // server answers as `localhost` too: another origin, which the website does not allow.
    site = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const page = (body: string) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<!doctype html><html><head><title>Shop</title>${body}</head><body>Shop</body></html>`);
      };
      if (path === '/landing') return page(`<script src="${p.trackingUrl}/track.js" async></script>`);
      if (path === '/thanks')
        return page(`<script>window.snaptr = function () { (window.__snaptr = window.__snaptr || []).push(
  Array.prototype.slice.call(arguments)); };</script>
<script src="${p.trackingUrl}/track.js"></script>
<script>
  var q = new URLSearchParams(location.search);
  window.__result = snaptrack.conversion({ type: 'Purchase', value: 49.9, currency: 'EUR',
      email: 'Person@Example.com', clickId: q.get('clickid') || undefined })
    .then(function (r) { snaptr('track', 'PURCHASE', { client_dedup_id: r.eventId }); return r; },
      function (e) { return { error: String((e && e.code) || e) }; });
</script>`);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    const port = (site.address() as AddressInfo).port;
    siteOrigin = `http://127.0.0.1:${port}`;
    foreignOrigin = `http://localhost:${port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => (site ? site.close(r) : r(undefined)));
    await p?.stop();
  });

  it('records the click with _scid, converts on the thank-you page; Snapchat gets one event with its id', async () => {
    const setup = await advertiserSetup({
      gatewayUrl: p.gatewayUrl,
      apiKey: p.apiKey,
      siteUrl: `${siteOrigin}/landing`,
    });
    expect(setup.website).toMatchObject({ kind: 'WEBSITE', domain: '127.0.0.1', allowedOrigins: [siteOrigin] });

    const context = await browser.newContext();
    const scid = randomUUID();
    await context.addCookies([{ name: '_scid', value: scid, url: siteOrigin }]);
    const page = await context.newPage();
    const scClickId = `sc-${randomUUID()}`;
    const adLink = `${setup.campaign.trackingLink.replace(/\{\{[^}]+\}\}/g, 'ad')}&ScCid=${scClickId}`;
    expect(adLink.startsWith(`${siteOrigin}/landing?`)).toBe(true); // direct: no redirect through the tracking host
    await page.goto(adLink);
    await page.waitForFunction(() => !!window.snaptrack?.clickId);
    const clickId = await page.evaluate(() => window.snaptrack!.clickId as string);
    // The click reaches the services through Kafka; a real visitor takes longer than this to buy.
    await waitFor(
      async () =>
        (
          await (
            await fetch(`${p.gatewayUrl}/graphql`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${p.apiKey}` },
              body: JSON.stringify({
                query: 'query($id: ID!) { campaign(id: $id) { clickCount } }',
                variables: { id: setup.campaign.id },
              }),
            })
          ).json()
        ).data?.campaign?.clickCount === 1,
      'the click to be recorded',
      30_000,
    );

    await page.goto(`${siteOrigin}/thanks`);
    const result = await page.evaluate(() => window.__result!);
    expect(result).toMatchObject({ status: 'accepted' });
    expect(result.eventId).toEqual(expect.any(String));
    // The page handed the same id to the Snap Pixel.
    expect(await page.evaluate(() => window.__snaptr)).toEqual([
      ['track', 'PURCHASE', { client_dedup_id: result.eventId }],
    ]);

    const events = await snapEvents(p.sandboxUrl, setup.pixel.pixelId, 1);
    const ev = events[0].event;
    expect(ev.event_id).toBe(result.eventId);
    expect(ev.event_name).toBe('PURCHASE');
    expect(ev.user_data.sc_click_id).toBe(scClickId);
    expect(ev.user_data.sc_cookie1).toBe(scid);
    expect(ev.user_data.em).toEqual([EMAIL_SHA256]);
    expect(ev.custom_data).toMatchObject({ currency: 'EUR', value: 49.9 });

    // A page of another origin, even with the right click id, is refused: its fetch gets no CORS answer.
    const foreign = await context.newPage();
    await foreign.goto(`${foreignOrigin}/thanks?clickid=${clickId}`);
    expect(await foreign.evaluate(() => window.__result!)).toEqual({ error: expect.any(String) });
    expect(await foreign.evaluate(() => window.__snaptr ?? null)).toBeNull();
    const forged = await postJson(
      `${p.trackingUrl}/conversions/browser`,
      { click_id: clickId, type: 'Purchase', value: 1, event_id: 'forged' },
      { origin: foreignOrigin },
    );
    expect([forged.http, forged.error, forged.cors]).toEqual([403, 'origin_not_allowed', null]);

    // The shop backend with a wrong secret is refused; with the right one, the same order is a duplicate.
    const order = { click_id: clickId, type: 'Purchase', value: 49.9, currency: 'EUR', event_id: result.eventId };
    const wrong = await postJson(`${p.trackingUrl}/conversions`, order, { authorization: 'Bearer wss_not-the-secret' });
    expect([wrong.http, wrong.error]).toEqual([403, 'bad_secret']);
    const backend = await postJson(`${p.trackingUrl}/conversions`, order, {
      authorization: `Bearer ${setup.website.conversionSecret}`,
    });
    expect(backend).toMatchObject({
      http: 200,
      status: 'duplicate',
      conversion_id: result.conversionId,
      event_id: result.eventId,
    });

    // Still exactly one event at Snapchat.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await snapEvents(p.sandboxUrl, setup.pixel.pixelId, 1)).toHaveLength(1);
    await context.close();
  });
});
