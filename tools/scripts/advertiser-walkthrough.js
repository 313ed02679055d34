// The advertiser's flow of the setup guide: the advertiser's own website (no network, no postback). Snapchat traffic
// goes straight to the site (direct / no-redirect), /track.js records the click with Snap's `_scid` cookie, the
// thank-you page reports the purchase through `snaptrack.conversion()` and the shop's backend reports the same order
// server to server; Snapchat receives it once, with the event_id the page passed to the Snap Pixel.
// Used by `npm run demo -- --advertiser` (prints each step) and by the system tests (setup only, with a browser).
const crypto = require('node:crypto');
const { client, waitFor } = require('./walkthrough');

/**
 * Channel, conversion type, the website (its conversion secret comes back once), a pixel on the website and a direct
 * campaign to it. `siteUrl` is the website's landing page; its origin is the allowed origin unless `allowedOrigins`.
 */
async function advertiserSetup({
  gatewayUrl,
  apiKey,
  siteUrl = 'https://shop.example.com/landing',
  allowedOrigins = null,
  log = () => {},
  pixelId = crypto.randomUUID(),
  suffix = crypto.randomBytes(3).toString('hex'),
}) {
  const gql = client(gatewayUrl, apiKey);
  const accessToken = `snap-capi-${crypto.randomBytes(24).toString('hex')}`;

  const { createTrafficChannelFromTemplate: channel } = await gql(
    `mutation($name: String) { createTrafficChannelFromTemplate(input: { templateKey: "snapchat", name: $name }) {
      id name clickIdParam } }`,
    { name: `Snapchat ${suffix}` },
  );
  log('1. Traffic channel from template', `${channel.name} (click id parameter ${channel.clickIdParam})`);

  const existing = (await gql(`{ conversionTypes(first: 40) { nodes { id name } } }`)).conversionTypes.nodes.find(
    (t) => t.name === 'Purchase',
  );
  const purchase =
    existing ??
    (
      await gql(
        `mutation { createConversionType(input: { name: "Purchase", duplicatePolicy: IGNORE_SAME_EVENT_ID }) {
          id name } }`,
      )
    ).createConversionType;
  log('2. Conversion type', `${purchase.name} (a second report of the same event id is a duplicate)`);

  // A website belongs to an offer source like any offer: it holds the defaults (currency, click expiry, phone country).
  const { createOfferSource: source } = await gql(
    `mutation($i: CreateOfferSourceInput!) { createOfferSource(input: $i) { id name } }`,
    { i: { name: `Shop ${suffix}`, defaultCurrency: 'EUR', defaultPhoneCountry: 'GB' } },
  );
  const { createOffer: website } = await gql(
    `mutation($i: CreateOfferInput!) { createOffer(input: $i) {
      id name url kind domain allowedOrigins conversionSecret conversionSecretHint } }`,
    {
      i: {
        name: `Shop ${suffix}`,
        kind: 'WEBSITE',
        url: siteUrl,
        offerSourceId: source.id,
        ...(allowedOrigins ? { allowedOrigins } : {}),
      },
    },
  );
  log(
    '3. Website',
    `${website.name}: domain ${website.domain}, allowed origins ${website.allowedOrigins.join(', ')}\n` +
      `   conversion secret for the shop backend (shown this once; afterwards ${website.conversionSecretHint}): ` +
      website.conversionSecret,
  );

  const { addOfferPixel: pixel } = await gql(
    `mutation($o: ID!, $i: PixelInput!) { addOfferPixel(offerId: $o, input: $i) { id pixelId tokenHint } }`,
    {
      o: website.id,
      i: { pixelId, accessToken, eventMapping: [{ conversionTypeId: purchase.id, snapEventName: 'PURCHASE' }] },
    },
  );
  log('4. Pixel on the website', `pixel ${pixel.pixelId}, token ${pixel.tokenHint} (write-only), Purchase→PURCHASE`);

  const { createCampaign: campaign } = await gql(
    `mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id key trackingLink scriptTag } }`,
    {
      i: {
        name: `Snapchat → ${website.domain} ${suffix}`,
        trafficChannelId: channel.id,
        offers: [{ offerId: website.id }],
        trackingMethod: 'DIRECT',
        landingPageUrl: siteUrl,
      },
    },
  );
  log(
    '5. Direct campaign to the website',
    `${campaign.trackingLink}\n   every page of the site: ${campaign.scriptTag}\n` +
      `   thank-you page: snaptrack.conversion({ type: 'Purchase', value, currency, eventId: orderId, email })\n` +
      `     .then(({ eventId }) => snaptr('track', 'PURCHASE', { client_dedup_id: eventId }))`,
  );
  return { gql, channel, purchase, source, website, pixel, accessToken, campaign, suffix };
}

/** POST a JSON body; `headers` may carry `origin` (node's fetch sends it as given). Answers `{ http, ...body }`. */
async function postJson(url, body, headers = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { http: res.status, cors: res.headers.get('access-control-allow-origin'), ...(await res.json()) };
}

/** What the sandbox received for a pixel, once there is at least `count` event(s). */
async function snapEvents(sandboxUrl, pixelId, count = 1) {
  return waitFor(async () => {
    const r = await (await fetch(`${sandboxUrl}/__admin/events?pixel_id=${pixelId}`)).json();
    return r.events.length >= count ? r.events : null;
  }, 'the sandbox to receive the event');
}

/** The whole advertiser flow without a browser: what /track.js and the thank-you page send, sent by hand. */
async function advertiserWalkthrough({ gatewayUrl, trackingUrl, sandboxUrl, apiKey, log = () => {} }) {
  const setup = await advertiserSetup({ gatewayUrl, apiKey, log });
  const { website, campaign, pixel, suffix } = setup;
  const siteOrigin = new URL(website.url).origin;

  // 6. The visitor lands from the ad: Snapchat appended ScCid; the Snap Pixel already set its _scid cookie;
  //    track.js calls /click with both (here by hand) and keeps the click id in a first-party cookie.
  const scClickId = `sc-${crypto.randomBytes(8).toString('hex')}`;
  const scid = crypto.randomUUID();
  const landing = new URL(campaign.trackingLink.replace(/\{\{[^}]+\}\}/g, 'demo'));
  landing.searchParams.set('ScCid', scClickId);
  const clickUrl = new URL(`${trackingUrl}/click`);
  for (const [k, v] of landing.searchParams) clickUrl.searchParams.set(k, v);
  clickUrl.searchParams.set('_lp', `${landing.origin}${landing.pathname}`);
  clickUrl.searchParams.set('_scid', scid);
  let click;
  await waitFor(
    async () => {
      const r = await fetch(clickUrl, {
        headers: { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Snapchat demo' },
      });
      click = { http: r.status, ...(await r.json()) };
      return r.status !== 404;
    },
    'the campaign to be known to the tracking host',
    15000,
  );
  if (click.http !== 200) throw new Error(`click failed: ${JSON.stringify(click)}`);
  log('6. Visitor lands on the website', `ScCid=${scClickId}, _scid=${scid} → click id ${click.clickid}`);

  // 7. The thank-you page: snaptrack.conversion() posts to /conversions/browser from the site's origin.
  const orderId = `order-${suffix}`;
  const order = { click_id: click.clickid, type: 'Purchase', value: 49.9, currency: 'EUR', event_id: orderId };
  const browser = await waitFor(
    async () => {
      const r = await postJson(
        `${trackingUrl}/conversions/browser`,
        { ...order, email: 'Person@Example.com' },
        { origin: siteOrigin },
      );
      return r.http === 404 ? null : r; // the click may need a moment to reach conversion-service
    },
    'the click to reach conversion-service',
    30000,
  );
  const foreign = await postJson(
    `${trackingUrl}/conversions/browser`,
    { ...order, event_id: `${orderId}-forged` },
    { origin: 'https://evil.example.net' },
  );
  log(
    '7. Thank-you page: snaptrack.conversion()',
    `${browser.status}: conversion ${browser.conversion_id}, eventId ${browser.event_id} → the page calls ` +
      `snaptr('track', 'PURCHASE', { client_dedup_id: '${browser.event_id}' })\n` +
      `   the same call from another origin: HTTP ${foreign.http} ${foreign.error} (no CORS header)`,
  );

  // 8. The shop's backend (order webhook) reports the same order with the website secret.
  const backend = await postJson(
    `${trackingUrl}/conversions`,
    { ...order, order_id: orderId, customer: { email: 'person@example.com', phone: '+44 844 412 4653' } },
    { authorization: `Bearer ${website.conversionSecret}` },
  );
  const wrongSecret = await postJson(`${trackingUrl}/conversions`, order, { authorization: 'Bearer wss_wrong' });
  log(
    '8. Shop backend: POST /conversions',
    `${backend.status} (${backend.reason ?? 'recorded'}): conversion ${backend.conversion_id}, event_id ` +
      `${backend.event_id}\n   with a wrong secret: HTTP ${wrongSecret.http} ${wrongSecret.error}`,
  );

  // 9. What Snapchat received: one event, with the page's event id, the click id, the _scid cookie and hashes.
  const received = await snapEvents(sandboxUrl, pixel.pixelId);
  const ev = received[0].event;
  log(
    '9. Delivered to Snapchat CAPI',
    `${received.length} event(s) for pixel ${pixel.pixelId}: ${ev.event_name}, event_id ${ev.event_id} ` +
      `(= the Pixel's client_dedup_id)\n   sc_click_id ${ev.user_data.sc_click_id}, sc_cookie1 ` +
      `${ev.user_data.sc_cookie1}\n   em ${JSON.stringify(ev.user_data.em)}\n   custom_data ` +
      JSON.stringify(ev.custom_data),
  );
  return { ...setup, scClickId, scid, click, browser, foreign, backend, wrongSecret, received };
}

module.exports = { advertiserSetup, advertiserWalkthrough, postJson, snapEvents };
