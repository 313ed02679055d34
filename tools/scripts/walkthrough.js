// The Snapchat setup guide (shared/seeds) end to end, through the gateway and the tracking host only.
// Used by `npm run demo` (prints each step) and by the system test (asserts on the returned facts).
const crypto = require('node:crypto');

function client(gatewayUrl, apiKey) {
  return async function gql(query, variables = {}) {
    const res = await fetch(`${gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = await res.json();
    if (body.errors) {
      const e = new Error(`${body.errors[0].extensions?.code}: ${body.errors[0].message}`);
      e.errors = body.errors;
      throw e;
    }
    return body.data;
  };
}

async function waitFor(fn, what, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Runs the guide. `log(step, text)` prints; returns ids and what Snapchat received. */
async function walkthrough({
  gatewayUrl,
  trackingUrl,
  sandboxUrl,
  apiKey,
  log = () => {},
  pixelId = crypto.randomUUID(),
  suffix = crypto.randomBytes(3).toString('hex'),
}) {
  const gql = client(gatewayUrl, apiKey);
  const accessToken = `snap-capi-${crypto.randomBytes(24).toString('hex')}`;

  // 1. Traffic channel from the Snapchat template
  const { createTrafficChannelFromTemplate: channel } = await gql(
    `mutation($name: String) { createTrafficChannelFromTemplate(input: { templateKey: "snapchat", ` +
      `name: $name }) { id name clickIdParam integrationStatus parameters { name value } } }`,
    { name: `Snapchat ${suffix}` },
  );
  log(
    '1. Traffic channel from template',
    `${channel.name} (click id parameter ${channel.clickIdParam}; ` +
      `${channel.parameters.map((p) => `${p.name}=${p.value}`).join(' ')}) — integration ` +
      `${channel.integrationStatus}`,
  );

  // 2. Conversion types
  const types = {};
  for (const [name, policy] of [
    [`Purchase`, 'IGNORE_SAME_EVENT_ID'],
    [`Lead`, 'IGNORE_SAME_CLICK'],
  ]) {
    const existing = (await gql(`{ conversionTypes(first: 40) { nodes { id name } } }`)).conversionTypes.nodes.find(
      (t) => t.name === name,
    );
    types[name] =
      existing ??
      (
        await gql(
          `mutation($n: String!, $p: ConversionDuplicatePolicy) { createConversionType(input: { name: $n, ` +
            `duplicatePolicy: $p }) { id name } }`,
          { n: name, p: policy },
        )
      ).createConversionType;
  }
  log(
    '2. Conversion types',
    Object.values(types)
      .map((t) => t.name)
      .join(', '),
  );

  // 3. Pixel ID, access token and event matching on the channel ("Snapchat default data source")
  const { setChannelPixel: pixel } = await gql(
    `mutation($c: ID!, $i: PixelInput!) { setChannelPixel(channelId: $c, input: $i) { id pixelId ` +
      `hasToken tokenHint eventMapping { snapEventName } } }`,
    {
      c: channel.id,
      i: {
        pixelId,
        accessToken,
        eventMapping: [
          { conversionTypeId: types.Purchase.id, snapEventName: 'PURCHASE' },
          { conversionTypeId: types.Lead.id, snapEventName: 'SIGN_UP' },
        ],
      },
    },
  );
  const status = (
    await gql(`query($id: ID!) { trafficChannel(id: $id) { integrationStatus } }`, { id: channel.id }).catch(() => ({
      trafficChannel: { integrationStatus: '?' },
    }))
  ).trafficChannel.integrationStatus;
  log(
    '3. Pixel, token and event matching',
    `pixel ${pixel.pixelId}, token ${pixel.tokenHint} (write-only), Purchase→PURCHASE, Lead→SIGN_UP — ` +
      `integration ${status}`,
  );

  // 4. Offer source with the five roles, and the offer
  const { createOfferSource: source } = await gql(
    `mutation($i: CreateOfferSourceInput!) { createOfferSource(input: $i) {
      id name postbackUrl postbackSecret postbackSecretHint isOpen additionalParameters { param role } } }`,
    {
      i: {
        name: `Network ${suffix}`,
        defaultCurrency: 'USD',
        defaultPhoneCountry: 'GB',
        additionalParameters: [
          { param: 'email', role: 'EMAIL' },
          { param: 'phone', role: 'PHONE' },
          { param: 'fname', role: 'FIRST_NAME' },
          { param: 'lname', role: 'LAST_NAME' },
          { param: 'zip', role: 'ZIP' },
        ],
      },
    },
  );
  const { createOffer: offer } = await gql(
    `mutation($i: CreateOfferInput!) { createOffer(input: $i) { id name url } }`,
    {
      i: {
        name: `Offer ${suffix}`,
        url: 'https://offer.example.com/signup?clickid={clickid}',
        offerSourceId: source.id,
      },
    },
  );
  log(
    '4. Offer source and offer',
    `postback URL for the network (its secret is shown this once; afterwards secret={secret}, hint ` +
      `${source.postbackSecretHint}):\n   ${source.postbackUrl}\n   offer ${offer.name}: ${offer.url}`,
  );

  // 5. Campaign (direct / no-redirect, as the guide recommends) and its tracking link
  const { createCampaign: campaign } = await gql(
    `mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id key trackingLink scriptTag } }`,
    {
      i: {
        name: `Snapchat campaign ${suffix}`,
        trafficChannelId: channel.id,
        offers: [{ offerId: offer.id }],
        trackingMethod: 'DIRECT',
        landingPageUrl: 'https://shop.example.com/landing',
      },
    },
  );
  log('5. Campaign and tracking link', `${campaign.trackingLink}\n   landing page snippet: ${campaign.scriptTag}`);

  // 6. A Snapchat ad click: Snapchat appends ScCid and fills the macros; the landing page's track.js registers it
  const scClickId = `sc-${crypto.randomBytes(8).toString('hex')}`;
  const landing = new URL(campaign.trackingLink.replace(/\{\{[^}]+\}\}/g, 'demo'));
  landing.searchParams.set('ScCid', scClickId);
  const clickUrl = new URL(`${trackingUrl}/click`);
  for (const [k, v] of landing.searchParams) clickUrl.searchParams.set(k, v);
  clickUrl.searchParams.set('_lp', `${landing.origin}${landing.pathname}`);
  // With several campaign-service instances, one that did not create the campaign knows it after its next refresh
  // (CAMPAIGN_REFRESH_MS, 2 s by default): until then it answers 404, so the click is tried again for a while.
  let clickRes;
  let click;
  await waitFor(
    async () => {
      clickRes = await fetch(clickUrl, {
        headers: {
          'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Snapchat demo',
          'x-forwarded-for': '203.0.113.7',
        },
      });
      click = await clickRes.json();
      return clickRes.status !== 404;
    },
    'the campaign to be known to the tracking host',
    15000,
  ).catch(() => {});
  if (!clickRes.ok) throw new Error(`click failed: ${clickRes.status} ${JSON.stringify(click)}`);
  log('6. Snapchat ad click', `ScCid=${scClickId} → click id ${click.clickid}; offer link ${click.offer_url}`);

  // 7. The network's postback with customer data, on the URL of step 4 (so with the offer source's secret)
  const postback = new URL(`${trackingUrl}/postback`);
  postback.searchParams.set('secret', source.postbackSecret);
  const orderId = `ord-${suffix}`;
  Object.entries({
    clickid: click.clickid,
    sum: '49.90',
    type: 'Purchase',
    currency: 'USD',
    eventid: orderId,
    email: 'Person@Example.com',
    phone: '+44 844 412 4653',
    fname: 'John',
    lname: 'Smith',
    zip: 'SW1A 1AA',
  }).forEach(([k, v]) => postback.searchParams.set(k, v));
  let pb;
  await waitFor(
    async () => {
      const r = await fetch(postback);
      pb = await r.json();
      return r.status === 200 || r.status === 202;
    },
    'the postback to be accepted',
    30000,
  );
  // Without the secret (a stranger who learnt the click id) the same postback is refused and nothing is stored.
  const unsigned = new URL(postback);
  unsigned.searchParams.delete('secret');
  const refusedRes = await fetch(unsigned);
  const refused = { http: refusedRes.status, ...(await refusedRes.json()) };
  log(
    '7. Postback with customer data',
    `${pb.status}: conversion ${pb.conversion_id ?? '(pending attribution)'} — email, phone, names and zip are ` +
      `hashed on arrival, never stored raw\n   the same postback without the secret: HTTP ${refused.http} ` +
      `${refused.error}`,
  );

  // 8. What Snapchat received
  const received = await waitFor(async () => {
    const r = await (await fetch(`${sandboxUrl}/__admin/events?pixel_id=${pixel.pixelId}`)).json();
    return r.events.length ? r.events : null;
  }, 'the sandbox to receive the event');
  const ev = received[0].event;
  log(
    '8. Delivered to Snapchat CAPI',
    `${received.length} event(s) for pixel ${pixel.pixelId}: ${ev.event_name}, event_id ` +
      `${ev.event_id}, sc_click_id ${ev.user_data.sc_click_id}\n   em ` +
      `${JSON.stringify(ev.user_data.em)} ph ${JSON.stringify(ev.user_data.ph)}\n   fn ` +
      `${ev.user_data.fn} ln ${ev.user_data.ln} zp ${ev.user_data.zp}\n   custom_data ` +
      `${JSON.stringify(ev.custom_data)}`,
  );

  // 9. As Conversion.deliveries reports it
  const conversionId =
    pb.conversion_id ??
    (await waitFor(
      async () =>
        (await gql(`{ conversions(first: 50) { nodes { id clickId } } }`)).conversions.nodes.find(
          (c) => c.clickId === click.clickid,
        )?.id,
      'the conversion',
    ));
  const conversion = await waitFor(async () => {
    const { conversion: c } = await gql(
      `query($id: ID!) { conversion(id: $id) { id eventId status type payout currency userData { role ` +
        `prehashed } deliveries { pixelId status eventName attempts httpStatus placements deliveredAt } } ` +
        `}`,
      { id: conversionId },
    );
    return c.deliveries.some((d) => d.status === 'DELIVERED') ? c : null;
  }, 'Conversion.deliveries to show DELIVERED');
  log(
    '9. Conversion.deliveries',
    conversion.deliveries
      .map(
        (d) =>
          `${d.pixelId}: ${d.status} (${d.eventName}, ${d.attempts} attempt(s), HTTP ${d.httpStatus}, ` +
          `placed on ${d.placements.join('+')})`,
      )
      .join('\n   '),
  );

  return {
    channel,
    types,
    pixel,
    accessToken,
    source,
    offer,
    campaign,
    click,
    scClickId,
    postback: pb,
    refused,
    received,
    conversion,
  };
}

module.exports = { walkthrough, client, waitFor };
