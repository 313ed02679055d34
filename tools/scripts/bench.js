#!/usr/bin/env node
// npm run bench: figures and baselines in one run, on this machine (client and servers share its cores).
//   baseline  a bare node:http server that answers 302 (the ceiling for any click endpoint here)
//   clicks    campaign-service redirect clicks (each one acknowledged by Kafka before the 302), direct and via the tracking host
//   postbacks conversion-service postbacks (conversion row + outbox row in one transaction)
//   delivery  postback → Snapchat CAPI sandbox, end to end through Kafka and the dispatcher
// Options (env): BENCH_CLICKS (20000), BENCH_POSTBACKS (3000), BENCH_CONCURRENCY (64).
const http = require('node:http');
const { randomUUID } = require('node:crypto');
const { startPlatform, devAccount, dropPlatformDatabases } = require('./platform');
const { client, waitFor } = require('./walkthrough');

const CLICKS = Number(process.env.BENCH_CLICKS || 20000);
const POSTBACKS = Number(process.env.BENCH_POSTBACKS || 3000);
const CONC = Number(process.env.BENCH_CONCURRENCY || 64);

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Fires `n` requests with `conc` in flight over keep-alive sockets; returns throughput and latency percentiles. */
async function load(name, n, conc, makePath, baseUrl) {
  const u = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: conc });
  const lat = [];
  const statuses = {};
  let next = 0;
  const results = [];
  const t0 = process.hrtime.bigint();
  async function worker() {
    while (next < n) {
      const i = next++;
      const start = process.hrtime.bigint();
      const { status, body } = await new Promise((resolve) => {
        const req = http.request({ host: u.hostname, port: u.port, path: makePath(i), agent, method: 'GET' }, (res) => {
          let b = '';
          res.on('data', (d) => (b += d));
          res.on('end', () => resolve({ status: res.statusCode, body: b }));
        });
        req.on('error', () => resolve({ status: 0, body: '' }));
        req.end();
      });
      lat.push(Number(process.hrtime.bigint() - start) / 1e6);
      statuses[status] = (statuses[status] || 0) + 1;
      results[i] = body;
    }
  }
  await Promise.all(Array.from({ length: conc }, worker));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  lat.sort((a, b) => a - b);
  return { name, n, conc, rps: n / secs, p50: pct(lat, 50), p95: pct(lat, 95), p99: pct(lat, 99), statuses, results };
}

function baselineServer() {
  const server = http.createServer((req, res) => {
    res.writeHead(302, { location: 'https://offer.example.com/?clickid=x' });
    res.end();
  });
  return new Promise((r) =>
    server.listen(0, '127.0.0.1', () => r({ server, url: `http://127.0.0.1:${server.address().port}` })),
  );
}

(async () => {
  process.env.RATE_LIMIT_PER_IP = '0';
  process.env.LOG_LEVEL = 'warn';
  const base = 30000 + Math.floor(Math.random() * 1000) * 10;
  const ports = {
    gateway: base,
    config: base + 1,
    campaign: base + 2,
    conversion: base + 3,
    dispatcher: base + 4,
    sandbox: base + 5,
    tracking: base + 6,
  };
  const tag = randomUUID().slice(0, 6);
  const opts = { ports, dbPrefix: `snaptrack_bench_${tag}`, topicPrefix: `bench-${tag}.`, output: () => {} };
  process.stdout.write(`starting the platform (ports ${base}-${base + 6})…\n`);
  const platform = await startPlatform(opts);
  const rows = [];
  try {
    const acc = devAccount({ ...opts, fresh: true, name: 'Bench' });
    const gql = client(`http://127.0.0.1:${ports.gateway}`, acc.api_key);
    const pixelId = randomUUID();
    const ch = (await gql(`mutation { createTrafficChannelFromTemplate(input: { templateKey: "snapchat" }) { id } }`))
      .createTrafficChannelFromTemplate;
    const ct = (await gql(`mutation { createConversionType(input: { name: "Purchase", isDefault: true }) { id } }`))
      .createConversionType;
    await gql(`mutation($c: ID!, $i: PixelInput!) { setChannelPixel(channelId: $c, input: $i) { id } }`, {
      c: ch.id,
      i: {
        pixelId,
        accessToken: 'bench-token-0123456789abcdef',
        eventMapping: [{ conversionTypeId: ct.id, snapEventName: 'PURCHASE' }],
      },
    });
    const os = (
      await gql(
        `mutation { createOfferSource(input: { name: "Net", additionalParameters: [{ param: "email", role: EMAIL }] }) { id } }`,
      )
    ).createOfferSource;
    const of = (
      await gql(
        `mutation($s: ID!) { createOffer(input: { name: "O", url: "https://offer.example.com/?clickid={clickid}", offerSourceId: $s }) { id } }`,
        { s: os.id },
      )
    ).createOffer;
    const camp = (
      await gql(
        `mutation($c: ID!, $o: ID!) { createCampaign(input: { name: "Bench", trafficChannelId: $c, offers: [{ offerId: $o }], trackingMethod: REDIRECT }) { key } }`,
        { c: ch.id, o: of.id },
      )
    ).createCampaign;
    const campaignUrl = `http://127.0.0.1:${ports.campaign}`;
    const trackingUrl = `http://127.0.0.1:${ports.tracking}`;
    await waitFor(async () => (await fetch(`${campaignUrl}/${camp.key}?format=json`)).ok, 'the campaign to be live');

    const bl = await baselineServer();
    rows.push(await load('baseline: bare node 302', CLICKS, CONC, () => '/', bl.url));
    bl.server.close();
    rows.push(
      await load(
        'click → 302 (campaign-service, Kafka-acked)',
        CLICKS,
        CONC,
        (i) => `/${camp.key}?ScCid=sc${i}&sub1=a`,
        campaignUrl,
      ),
    );
    rows.push(
      await load(
        'click → 302 via tracking host',
        Math.floor(CLICKS / 2),
        CONC,
        (i) => `/${camp.key}?ScCid=tp${i}`,
        trackingUrl,
      ),
    );
    const jsonClicks = await load(
      'click JSON (for postbacks)',
      POSTBACKS,
      CONC,
      (i) => `/${camp.key}?format=json&ScCid=pb${i}`,
      campaignUrl,
    );
    const clickIds = jsonClicks.results.map((b) => JSON.parse(b).clickid);
    // let conversion-service's click view catch up, so postbacks measure the attributed path
    await new Promise((r) => setTimeout(r, 3000));
    const t0 = Date.now();
    rows.push(
      await load(
        'postback (conversion + outbox in one tx)',
        POSTBACKS,
        Math.min(CONC, 32),
        (i) => `/postback?clickid=${clickIds[i]}&sum=9.99&currency=USD&email=user${i}%40example.com`,
        `http://127.0.0.1:${ports.conversion}`,
      ),
    );
    const sandboxUrl = `http://127.0.0.1:${ports.sandbox}`;
    await waitFor(
      async () => (await (await fetch(`${sandboxUrl}/__admin/events?pixel_id=${pixelId}`)).json()).count >= POSTBACKS,
      'every conversion at the sandbox',
      300000,
    );
    const e2eSecs = (Date.now() - t0) / 1000;
    const stats = await (await fetch(`${sandboxUrl}/__admin/stats`)).json();

    const fmt = (x) => x.toFixed(1).padStart(8);
    process.stdout.write(
      `\n${'scenario'.padEnd(46)}${'n'.padStart(7)}${'conc'.padStart(6)}${'req/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p95 ms'.padStart(9)}${'p99 ms'.padStart(9)}  statuses\n`,
    );
    for (const r of rows) {
      process.stdout.write(
        `${r.name.padEnd(46)}${String(r.n).padStart(7)}${String(r.conc).padStart(6)}${fmt(r.rps).padStart(9)}${fmt(r.p50)}${fmt(r.p95)}${fmt(r.p99)}  ${JSON.stringify(r.statuses)}\n`,
      );
    }
    const click = rows[1];
    process.stdout.write(
      `\nclick capture reaches ${((click.rps / rows[0].rps) * 100).toFixed(0)}% of the bare-server baseline on this machine.\n`,
    );
    process.stdout.write(
      `end to end: ${POSTBACKS} postbacks → ${stats.pixels[pixelId]?.unique_event_ids ?? '?'} distinct events at the sandbox in ${e2eSecs.toFixed(1)} s (${(POSTBACKS / e2eSecs).toFixed(0)} conversions/s), duplicates ${stats.events.duplicates}, CAPI requests ${stats.requests.total}.\n`,
    );
  } finally {
    await platform.stop();
    await dropPlatformDatabases(opts);
  }
})().catch((e) => {
  console.error(`bench failed: ${e.stack || e.message}`);
  process.exit(1);
});
