// The end-to-end scenarios of `npm run bench`: the open loop (postbacks at a constant rate → the Snap CAPI sandbox,
// with the stage breakdown of tools/bench/stages.js) and single conversions on the idle platform.
const { summarize, round } = require('./stats');
const { stageBreakdown } = require('./stages');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * ctx: { runLoad, waitFor, atSandbox, sandboxUrl, conversionUrl, pixelId, pbPath, idsFile, tag, opt, seen, kafkaRps,
 * conversionDbUrl, dispatcherDbUrl, conversionTopic, meter }. `seen`: distinct events the sandbox holds for the pixel
 * before the run. `meter` (optional, tools/bench/cpu.js) measures the CPU from the start of the schedule until the
 * sandbox has every conversion. Returns the scenario object for bench.js's `scenarios`.
 */
async function runE2e(ctx) {
  const { opt } = ctx;
  const prefix = `e2e-${ctx.tag}-`;
  const r = await ctx.runLoad(
    {
      mode: 'open',
      url: ctx.conversionUrl,
      path: ctx.pbPath,
      clickIdsFile: ctx.idsFile,
      eventIdPrefix: prefix,
      rate: opt.e2eRate,
      durationS: opt.e2eSeconds,
      connections: opt.e2eConnections,
      expectStatus: [200],
      expectOutcome: 'accepted',
    },
    { meter: ctx.meter, stopMeter: false },
  );
  const accepted = r.outcomes?.accepted ?? 0;
  const expected = ctx.seen + accepted;
  // on timeout, the figures cover what arrived and `missing` says how many did not
  await ctx
    .waitFor(
      async () => (await ctx.atSandbox(ctx.sandboxUrl, ctx.pixelId)).unique >= expected,
      'the sandbox to accept every end-to-end conversion',
      opt.drainTimeoutSeconds * 1000,
    )
    .catch(() => undefined);
  const cpu = ctx.meter?.stop() ?? null;
  const all = (await (await fetch(`${ctx.sandboxUrl}/__admin/events?pixel_id=${ctx.pixelId}`)).json()).events;
  const events = all
    .filter((e) => String(e.event_id).startsWith(prefix))
    .map((e) => ({ event_id: e.event_id, received_at_ms: e.received_at_ms }));
  const scheduledAt = (id) => r.t0EpochMs + Number(id.slice(prefix.length)) * r.intervalMs;
  const lat = events.map((e) => e.received_at_ms - scheduledAt(e.event_id));
  const lastMs = Math.max(...events.map((e) => e.received_at_ms));
  const rps = events.length ? round(events.length / ((lastMs - r.t0EpochMs) / 1000)) : 0;
  const stages = await stageBreakdown({
    conversionDbUrl: ctx.conversionDbUrl,
    dispatcherDbUrl: ctx.dispatcherDbUrl,
    topic: ctx.conversionTopic,
    eventIdPrefix: prefix,
    events,
    scheduledAt,
  }).catch((e) => ({ error: e.message }));
  return {
    key: 'e2e',
    name: 'end to end: postback → sandbox accepted',
    short: 'end to end',
    kind: 'scenario',
    mode: 'open',
    connections: r.connections,
    rate: r.rate,
    seconds: round((lastMs - r.t0EpochMs) / 1000),
    count: r.scheduled,
    ok: events.length,
    rps,
    latency: summarize(lat),
    latencyFrom: 'scheduled send time of the postback → received_at_ms at the sandbox',
    statuses: r.statuses,
    outcomes: r.outcomes,
    errors: r.errors,
    http: { rps: r.rps, latency: r.latency, maxSendLagMs: r.maxSendLagMs },
    missing: accepted - events.length,
    ...(ctx.kafkaRps ? { ratios: { 'baseline.kafka': round(rps / ctx.kafkaRps) } } : {}),
    stages,
    ...(cpu ? { cpu } : {}),
    note:
      `${events.length}/${r.scheduled} delivered at an offered ${r.rate}/s (the ratio is bounded by it); ` +
      `postback answer p99 ${r.latency?.p99} ms (from schedule)`,
  };
}

/** One postback at a time on the quiet platform: postback sent → the sandbox recorded it, in ms. */
async function runIdle(ctx) {
  const { opt } = ctx;
  await sleep(opt.quick ? 500 : 3000);
  const idle = [];
  for (let i = 0; i < opt.idleSamples; i++) {
    const eventId = `idle-${ctx.tag}-${i}`;
    const p = ctx.pbPath
      .replaceAll('{i}', `idle${i}`)
      .replaceAll('{eventid}', eventId)
      .replaceAll('{clickid}', ctx.clickIds[i % ctx.clickIds.length]);
    const sent = Date.now();
    const res = await fetch(`${ctx.conversionUrl}${p}`);
    await res.text();
    const ev = await ctx.waitFor(
      async () => (await (await fetch(`${ctx.sandboxUrl}/__admin/events?event_id=${eventId}`)).json()).events[0],
      'the idle conversion at the sandbox',
      60000,
    );
    idle.push(ev.received_at_ms - sent);
    await sleep(opt.quick ? 200 : 1000);
  }
  const sorted = [...idle].sort((a, b) => a - b);
  return {
    samples: idle,
    medianMs: sorted[Math.floor((sorted.length - 1) / 2)],
    maxMs: sorted[sorted.length - 1],
    from: 'postback sent → received_at_ms at the sandbox',
  };
}

module.exports = { runE2e, runIdle };
