// The backlog scenario of `npm run bench`: the dispatcher is stopped, `events` valid conversion.created.v1 messages
// for the bench's pixel are produced straight to the platform's topic, and the dispatcher is started again. The drain
// is timed from the dispatcher's readiness (/readyz 200: its config view has caught up and the ledger consumer runs)
// until the Snap CAPI sandbox has accepted every one of them; the sandbox's per-pixel counters give the requests and
// the events per request. The sandbox is polled every `pollMs`, which is also the resolution of the drain curve.
// With a `meter` (tools/bench/cpu.js), the CPU is measured over the drain: from readiness until the last poll.
const { randomUUID, createHash } = require('node:crypto');
const { round } = require('./stats');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha256 = (s) => createHash('sha256').update(s).digest('hex');

/** One attributed conversion of the bench's campaign (explicit event id, so Snap's event_id is `eventId`). */
function conversionValue(ids, eventId, nowIso) {
  return {
    schema: 'conversion.created.v1',
    conversion_id: randomUUID(),
    event_id: eventId,
    explicit_event_id: true,
    account_id: ids.accountId,
    status: 'attributed',
    conversion_type_id: ids.conversionTypeId,
    type: 'Purchase',
    payout: 9.99,
    currency: 'USD',
    transaction_id: null,
    occurred_at: nowIso,
    received_at: nowIso,
    attribution: {
      campaign_id: ids.campaignId,
      traffic_channel_id: ids.trafficChannelId,
      traffic_channel_template: 'snapchat',
      offer_id: ids.offerId,
      offer_source_id: ids.offerSourceId,
    },
    click: {
      click_id: eventId,
      clicked_at: nowIso,
      sc_click_id: `sc-${eventId}`,
      ip: '203.0.113.7',
      user_agent: 'snaptrack-bench',
      landing_url: null,
      params: {},
    },
    postback_click_id: eventId,
    user_data: { em: sha256(`${eventId}@example.com`) },
    prehashed: [],
  };
}

/** Produces the backlog (acks -1, `chunk` messages per request, a few requests in flight). */
async function produceBacklog({ brokers, topic, ids, prefix, events, chunk = 1000, inFlight = 4 }) {
  const { Kafka, logLevel } = require('kafkajs');
  const producer = new Kafka({ clientId: 'snaptrack-bench', brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    const nowIso = new Date().toISOString();
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < events) {
          const from = next;
          next = Math.min(events, next + chunk);
          const messages = [];
          for (let i = from; i < next; i++) {
            const v = conversionValue(ids, `${prefix}${i}`, nowIso);
            messages.push({ key: v.conversion_id, value: JSON.stringify(v) });
          }
          await producer.send({ topic, acks: -1, messages });
        }
      }),
    );
  } finally {
    await producer.disconnect();
  }
}

/** When the dispatcher's consumer stored the backlog's conversions (conversion.consumed_at: transaction start). */
async function ledgerSpan(url, prefix) {
  const { Client } = require('pg');
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const [r] = (
      await c.query(
        `SELECT count(*)::int AS n, (extract(epoch FROM max(consumed_at)) * 1000)::float8 AS last
           FROM conversion WHERE event_id LIKE $1`,
        [`${prefix}%`],
      )
    ).rows;
    return r;
  } finally {
    await c.end();
  }
}

async function pixelCounters(sandboxUrl, pixelId) {
  const p = (await (await fetch(`${sandboxUrl}/__admin/stats`)).json()).pixels?.[pixelId];
  return {
    unique: p?.unique_event_ids ?? 0,
    accepted: p?.accepted_events ?? 0,
    duplicates: p?.duplicate_events ?? 0,
    requests: p?.requests?.accepted ?? 0,
  };
}

/**
 * Runs the scenario on a started platform (tools/scripts/platform.js) whose sandbox has already accepted everything
 * sent so far. Returns the scenario object for bench.js's `scenarios`.
 */
async function runBacklog(ctx) {
  const { platform, dispatcherUrl, sandboxUrl, pixelId, brokers, topic, ids, events, opts } = ctx;
  const name = platform.procs.find((p) => p.name.startsWith('snapchat-capi-dispatcher'))?.name;
  if (!name) throw new Error('no dispatcher in the platform');
  const proc = platform.procs.find((p) => p.name === name);
  const exited = new Promise((r) => proc.child.once('exit', r));
  proc.child.kill('SIGTERM');
  await exited;

  const before = await pixelCounters(sandboxUrl, pixelId);
  const prefix = `bl-${randomUUID().slice(0, 6)}-`;
  const producedAt = Date.now();
  await produceBacklog({ brokers, topic, ids, prefix, events });
  const produceSeconds = (Date.now() - producedAt) / 1000;

  // Our own readiness poll (every 10 ms), next to the platform's (every 200 ms), dates the start of the drain.
  const startedAt = Date.now();
  let readyAt = 0;
  const restarted = platform.restart(name, { signal: 'SIGTERM' });
  while (!readyAt) {
    try {
      if ((await fetch(`${dispatcherUrl}/readyz`)).ok) {
        readyAt = Date.now();
        ctx.meter?.start();
      }
    } catch {
      /* not listening yet */
    }
    if (!readyAt) await sleep(10);
    if (Date.now() - startedAt > opts.drainTimeoutSeconds * 1000) throw new Error('the dispatcher did not restart');
  }
  await restarted;

  // The drain curve: (ms since ready, distinct backlog events accepted)
  const curve = [];
  let now;
  const deadline = readyAt + opts.drainTimeoutSeconds * 1000;
  for (;;) {
    now = await pixelCounters(sandboxUrl, pixelId);
    const t = Date.now();
    curve.push([t - readyAt, now.unique - before.unique]);
    if (now.unique - before.unique >= events || t > deadline) break;
    await sleep(opts.pollMs);
  }
  const cpu = ctx.meter?.stop() ?? null;
  const accepted = now.unique - before.unique;
  const ledger = await ledgerSpan(ctx.dispatcherDbUrl, prefix).catch(() => null);
  // One event as Snap received it: its JSON size bounds the events a request can carry under the body limit
  const sample = (await (await fetch(`${sandboxUrl}/__admin/events?event_id=${prefix}0`)).json()).events?.[0];
  const eventBytes = sample ? Buffer.byteLength(JSON.stringify(sample.event)) : null;
  const ledgerFilledMs = ledger?.last ? ledger.last - readyAt : null;
  const drainMs = curve[curve.length - 1][0];
  const firstMs = curve.find(([, n]) => n > 0)?.[0] ?? drainMs;
  const requests = now.requests - before.requests;
  const timeTo = (share) => curve.find(([, n]) => n >= share * events)?.[0] ?? null;
  const eps = drainMs > 0 ? round(accepted / (drainMs / 1000)) : 0;
  const latency = accepted
    ? { p50: timeTo(0.5), p95: timeTo(0.95), p99: timeTo(0.99), max: timeTo(1) ?? drainMs, count: accepted }
    : null;
  return {
    key: 'backlog',
    name: `backlog: ${events} conversions drained`,
    short: 'backlog',
    kind: 'scenario',
    mode: 'backlog',
    count: events,
    ok: accepted,
    rps: eps,
    seconds: round(drainMs / 1000),
    latency,
    latencyFrom: `dispatcher ready → sandbox accepted (the drain curve, polled every ${opts.pollMs} ms)`,
    missing: events - accepted,
    requests,
    eventsPerRequest: requests ? round((now.accepted - before.accepted) / requests) : 0,
    duplicates: now.duplicates - before.duplicates,
    ledgerFilledSeconds: ledgerFilledMs === null ? null : round(ledgerFilledMs / 1000),
    ledgerRows: ledger?.n ?? null,
    eventBytes,
    restartToReadySeconds: round((readyAt - startedAt) / 1000),
    firstAcceptedSeconds: round(firstMs / 1000),
    produceSeconds: round(produceSeconds),
    ...(cpu ? { cpu } : {}),
    note:
      `${accepted}/${events} accepted in ${round(drainMs / 1000)} s from dispatcher ready ` +
      `(${eps} events/s; restart → ready ${round((readyAt - startedAt) / 1000)} s, first event after ` +
      `${round(firstMs / 1000)} s), ${requests} requests, ` +
      `${requests ? round((now.accepted - before.accepted) / requests) : 0} events/request, ` +
      `${now.duplicates - before.duplicates} duplicate(s); the consumer had stored all ${ledger?.n ?? '?'} in the ` +
      `ledger ${ledgerFilledMs === null ? '?' : round(ledgerFilledMs / 1000)} s after ready; one event is ` +
      `${eventBytes ?? '?'} bytes of JSON`,
  };
}

module.exports = { runBacklog, conversionValue };
