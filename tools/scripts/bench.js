#!/usr/bin/env node
// npm run bench: every figure next to its baseline, measured in the same run on this machine.
//
// The load generator is tools/bench/load.js, started as its own process for each scenario (autocannon for the
// closed loops, a fixed arrival schedule for the open loop), so the client never shares an event loop with a server.
// Client and servers still share this machine's cores: read the figures as ratios to the baselines.
//
// Baselines
//   bare 302     a bare node:http server answering 302 (tools/bench/bare-302.js): the ceiling of any click endpoint
//   pg INSERT    plain `pg` INSERTs into a scratch table of a scratch database, at the postbacks' concurrency
//   kafka        raw kafkajs producer, acks -1, single-message sends to a scratch topic, at the clicks' concurrency
// Scenarios
//   click → 302              campaign-service directly, and via the tracking host (tools/scripts/tracking-proxy.js)
//   postback (attributed)    conversion-service /postback on clicks of this run; done = 200 {"status":"accepted"}
//   end to end               open loop: postbacks at BENCH_E2E_RATE for BENCH_E2E_SECONDS; latency from each
//                            postback's scheduled send time until the Snap CAPI sandbox recorded the event
//                            (and the same conversions split into stages: postback, relay, kafka, sender)
//   idle conversion          one postback at a time on a quiet platform → sandbox-accepted (median and max)
//   backlog                  BENCH_BACKLOG_EVENTS conversions produced to the topic while the dispatcher is stopped,
//                            then drained: events/s from its readiness, requests and events per request
//   gateway list query       `campaigns(first: 10)` through the gateway, next to the same query sent to the
//                            campaign-service subgraph directly
// After the run: each service's RSS (VmRSS, and VmHWM as the peak) from /proc/<pid>/status.
//
// CPU per scenario (tools/bench/cpu.js): the cores each party used over the scenario's measured window, in the JSON as
// `cpu: { window_s, cores: { <service>, postgres, kafka, 'load generator', 'bench.js', … }, machine_busy_cores,
// machine_cores }` and printed as one line per scenario after the table (parties under 0.02 cores left out). Services
// by name (/proc/<pid>/stat), postgres = every postgres process (server and backends), kafka = the broker's JVM, the
// load generator and bench.js from their own CPU time, the machine's busy cores from /proc/stat. The window is the
// measured part of the load (after the warm-up, before the load generator's clean-up); end to end: the schedule until
// the sandbox holds every conversion; backlog: the drain, from the dispatcher's readiness.
// Quiet platform: before each measured scenario and baseline (and the idle conversions), the run waits until the
// services together use under 0.25 cores and the machine under 0.6 busy cores over 1 s (QUIET in tools/bench/cpu.js;
// idle, the services use about 0.1), so the tail of the previous scenario (e.g. the conversion-service consuming the
// backlog's delivery results) does not load the next one, for at most
// BENCH_QUIET_TIMEOUT_SECONDS. The wait is the scenario's `quiet_wait_s` (at least the 1 s of the check); when the
// limit ran out, the scenario's note says so and the run goes on.
//
// Options (env)
//   BENCH_QUICK=1                 a few seconds per scenario (smoke test of the harness, not a measurement)
//   BENCH_SECONDS (10; quick 2)   duration of each closed-loop scenario and baseline
//   BENCH_WARMUP_SECONDS (2; quick 0)  unmeasured load before the bare 302, click and GraphQL closed loops
//                                      (not before postbacks, which would use up clicks and add conversions)
//   BENCH_CONNECTIONS (64; quick 32)   connections for clicks, the bare 302 server and the kafka baseline
//   BENCH_POSTBACK_CONNECTIONS (32; quick 16)  connections for postbacks and the pg baseline
//   BENCH_GATEWAY_CONNECTIONS (10)     connections for the gateway / subgraph query
//   BENCH_E2E_RATE (500; quick 100)    postbacks per second of the end-to-end open loop
//   BENCH_E2E_SECONDS (20; quick 2)    duration of the end-to-end schedule
//   BENCH_E2E_CONNECTIONS (64; quick 16)  sockets of the open-loop client
//   BENCH_IDLE_SAMPLES (5)             single conversions on the idle platform
//   BENCH_BACKLOG_EVENTS (100000; quick 4000)  conversions of the backlog scenario
//   BENCH_ONLY                         comma-separated groups to run (default all): click (with the bare 302 and
//                                      kafka baselines), postback (with pg), e2e, idle, backlog, gateway (with the
//                                      subgraph). Without click, a short unmeasured run records the clicks to use.
//   BENCH_DRAIN_TIMEOUT_SECONDS (300; quick 60)  how long to wait for the sandbox to receive every conversion
//   BENCH_QUIET_TIMEOUT_SECONDS (120; quick 10)  longest wait for a quiet platform before each measured scenario
//   BENCH_PROFILE=1                    start each service with --cpu-prof --cpu-prof-dir=tmp/bench/profiles
//   BENCH_OUT_DIR (tmp/bench)          where <timestamp>.json and <timestamp>.svg are written
const { spawn } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startPlatform, devAccount, devSecrets, dropPlatformDatabases, ROOT } = require('./platform');
const { client, waitFor } = require('./walkthrough');
const { round } = require('../bench/stats');
const report = require('../bench/report');
const { runE2e, runIdle } = require('../bench/e2e');
const { runBacklog } = require('../bench/backlog');
const { stageLines } = require('../bench/stages');
const { clockTicks, cpuMeter, waitQuiet, cpuLine } = require('../bench/cpu');

const QUICK = process.env.BENCH_QUICK === '1';
const GROUPS = ['click', 'postback', 'e2e', 'idle', 'backlog', 'gateway'];
const num = (name, full, quick) => Number(process.env[name] || (QUICK ? quick : full));
const OPT = {
  quick: QUICK,
  seconds: num('BENCH_SECONDS', 10, 2),
  warmupSeconds: num('BENCH_WARMUP_SECONDS', 2, 0),
  connections: num('BENCH_CONNECTIONS', 64, 32),
  postbackConnections: num('BENCH_POSTBACK_CONNECTIONS', 32, 16),
  gatewayConnections: num('BENCH_GATEWAY_CONNECTIONS', 10, 10),
  e2eRate: num('BENCH_E2E_RATE', 500, 100),
  e2eSeconds: num('BENCH_E2E_SECONDS', 20, 2),
  e2eConnections: num('BENCH_E2E_CONNECTIONS', 64, 16),
  idleSamples: num('BENCH_IDLE_SAMPLES', 5, 5),
  drainTimeoutSeconds: num('BENCH_DRAIN_TIMEOUT_SECONDS', 300, 60),
  backlogEvents: num('BENCH_BACKLOG_EVENTS', 100000, 4000),
  only: (process.env.BENCH_ONLY || GROUPS.join(','))
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean),
  profile: process.env.BENCH_PROFILE === '1',
  quietTimeoutSeconds: num('BENCH_QUIET_TIMEOUT_SECONDS', 120, 10),
};
const unknownGroups = OPT.only.filter((g) => !GROUPS.includes(g));
if (unknownGroups.length)
  throw new Error(`BENCH_ONLY: unknown ${unknownGroups.join(', ')} (known: ${GROUPS.join(', ')})`);
const OUT_DIR = path.resolve(process.env.BENCH_OUT_DIR || path.join(ROOT, 'tmp/bench'));
const PROFILE_DIR = path.join(ROOT, 'tmp/bench/profiles');
const KAFKA_BROKERS = (process.env.KAFKA_BROKERS || `127.0.0.1:${process.env.KAFKA_PORT || 9092}`).split(',');
const PG_BASE_URL = process.env.PG_BASE_URL || 'postgres://postgres@127.0.0.1:5432';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const say = (s) => process.stdout.write(`${s}\n`);
/** The party name of the load generator's own CPU time in a scenario's `cpu.cores`. */
const LOAD_PARTY = 'load generator';
const HZ = clockTicks();

/** Adds the wait for a quiet platform before the scenario (waitQuiet's answer) to it, and a note if it timed out. */
function withQuiet(s, quiet) {
  if (!quiet) return s;
  const note = quiet.quiet
    ? null
    : `the platform was not quiet before it: BENCH_QUIET_TIMEOUT_SECONDS (${OPT.quietTimeoutSeconds} s) ran out with ` +
      `the services at ${quiet.services_cores} cores and the machine at ${quiet.machine_busy_cores} busy cores`;
  return { ...s, quiet_wait_s: quiet.waited_s, ...(note ? { note: [s.note, note].filter(Boolean).join('; ') } : {}) };
}

/**
 * Runs tools/bench/load.js with `spec` in its own process and returns its JSON answer. With a `meter`
 * (tools/bench/cpu.js), the meter starts when the load generator starts its measured part and counts the load
 * generator's CPU time of that part; `stopMeter` (default) stops it when that part ends and returns its figures as the
 * answer's `cpu` (the end-to-end scenario stops it itself, once the sandbox has every conversion).
 */
function runLoad(spec, { meter, stopMeter = true } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'tools/bench/load.js'), JSON.stringify(spec)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buf = '';
    let answer = null;
    let err = '';
    let startUs = null;
    let cpu = null;
    const line = (text) => {
      if (!text.trim()) return;
      const msg = JSON.parse(text);
      if (msg.phase === 'measure') {
        startUs = msg.cpuUs;
        meter?.start();
      } else if (msg.phase === 'measured') {
        if (!meter?.running || startUs === null) return;
        meter.add(LOAD_PARTY, (msg.cpuUs - startUs) / 1e6);
        if (stopMeter) cpu = meter.stop();
      } else answer = msg;
    };
    child.stdout.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        line(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
    child.stderr.on('data', (d) => (err += d));
    // 'close', not 'exit': every line of its stdout has been read by then
    child.on('close', (code) => {
      line(buf);
      if (code !== 0 || !answer) {
        if (stopMeter) meter?.stop();
        return reject(new Error(`load generator (${spec.mode} ${spec.url || ''}) exited ${code}: ${err}`));
      }
      resolve(cpu ? { ...answer, cpu } : answer);
    });
  });
}

/** The bare 302 baseline server, in its own process. */
function startBare302() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'tools/bench/bare-302.js')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.once('data', (d) => resolve({ child, url: `http://127.0.0.1:${JSON.parse(String(d)).port}` }));
    child.once('exit', (code) => reject(new Error(`bare 302 server exited ${code}`)));
  });
}

/**
 * The path (and query) of the postback URL the offer source was created with, its macros filled for the load
 * generator: {clickid} and {eventid} per request, a fixed payout and currency, an e-mail per request, the postback
 * secret (the create-offer-source answer already fills it into the URL; `secret` covers a `{secret}` placeholder);
 * other macros (type, other customer data) are left out. Literal values are kept as they are.
 */
function postbackPath(postbackUrl, secret) {
  const u = postbackUrl.indexOf('?');
  const pathname = new URL(postbackUrl.slice(0, u < 0 ? undefined : u)).pathname;
  const fill = {
    clickid: '{clickid}',
    eventid: '{eventid}',
    payout: '9.99',
    currency: 'USD',
    email: 'user{i}%40example.com',
    ...(secret ? { secret: encodeURIComponent(secret) } : {}),
  };
  const pairs = [];
  for (const piece of (u < 0 ? '' : postbackUrl.slice(u + 1)).split('&')) {
    if (!piece) continue;
    const [k, v = ''] = piece.split('=');
    const macro = /^\{(\w+)\}$/.exec(decodeURIComponent(v));
    if (macro?.[1] === 'secret' && !secret) throw new Error('the postback URL asks for a secret the API did not give');
    if (!macro) pairs.push(`${k}=${v}`);
    else if (fill[macro[1]] !== undefined) pairs.push(`${k}=${fill[macro[1]]}`);
  }
  return `${pathname}?${pairs.join('&')}`;
}

/** VmRSS and VmHWM of a process, in MiB (null once it is gone). */
function memoryOf(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { pid, rssMiB: round(kb('VmRSS') / 1024), peakMiB: round(kb('VmHWM') / 1024) };
  } catch {
    return null;
  }
}

/** Waits until the conversion-service click view has consumed every click published so far (consumer lag 0). */
async function waitForClickView(topicPrefix, timeoutMs) {
  const { Kafka, logLevel } = require('kafkajs');
  const admin = new Kafka({ clientId: 'snaptrack-bench', brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topic = `${topicPrefix}click.recorded.v1`;
    const groupId = `${topicPrefix}conversion-service.clicks`;
    await waitFor(
      async () => {
        const high = await admin.fetchTopicOffsets(topic);
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        const at = Object.fromEntries(committed.partitions.map((p) => [p.partition, Number(p.offset)]));
        return high.every((p) => Number(p.high) === 0 || (at[p.partition] ?? -1) >= Number(p.high));
      },
      'the conversion-service click view to catch up',
      timeoutMs,
    );
  } finally {
    await admin.disconnect();
  }
}

/** Deletes this run's topics (the services created them under the run's prefix). */
async function dropTopics(prefix) {
  const { Kafka, logLevel } = require('kafkajs');
  const admin = new Kafka({ clientId: 'snaptrack-bench', brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

/** Distinct event ids the sandbox accepted for the pixel, and how many accepted events were duplicates. */
async function atSandbox(sandboxUrl, pixelId) {
  const stats = await (await fetch(`${sandboxUrl}/__admin/stats`)).json();
  const p = stats.pixels?.[pixelId];
  return { unique: p?.unique_event_ids ?? 0, duplicates: p?.duplicate_events ?? 0 };
}

async function main() {
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  process.env.LOG_LEVEL = process.env.LOG_LEVEL || 'warn';
  // Below the kernel's ephemeral range (32768+), so no client socket of the machine can hold one of these ports.
  const base = 20000 + Math.floor(Math.random() * 1200) * 10;
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
  const opts = {
    ports,
    dbPrefix: `snaptrack_bench_${tag}`,
    topicPrefix: `bench-${tag}.`,
    output: () => {},
    // per-IP (tracking host), per-key and per-account (gateway) limits would measure the limiter, not the service
    env: { RATE_LIMIT_PER_IP: '0', RATE_LIMIT_KEY_PER_SECOND: '0', RATE_LIMIT_ACCOUNT_PER_SECOND: '0' },
    nodeArgs: OPT.profile ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [],
  };
  if (OPT.profile) fs.mkdirSync(PROFILE_DIR, { recursive: true });
  say(`bench: ${QUICK ? 'QUICK (harness smoke run, not a measurement), ' : ''}${JSON.stringify(OPT)}`);
  say(`starting the platform (ports ${base}-${base + 6})…`);
  // A service that does not start leaves the databases and topics made so far: drop them before failing.
  const platform = await startPlatform(opts).catch(async (e) => {
    await dropPlatformDatabases(opts).catch(() => undefined);
    await dropTopics(opts.topicPrefix).catch(() => undefined);
    throw e;
  });
  // The platform's services by name → pid; one that is stopped (the dispatcher during the backlog) is left out.
  const servicePids = () =>
    Object.fromEntries(
      platform.procs
        .filter((p) => p.child.exitCode === null && p.child.signalCode === null)
        .map((p) => [p.name, p.child.pid]),
    );
  /** A CPU meter over the services, postgres, kafka and `more` ({ party: pid }), see tools/bench/cpu.js. */
  const meter = (more = {}) => cpuMeter({ named: () => ({ ...servicePids(), ...more }), hz: HZ });
  /** Before each measured scenario or baseline: waits until the platform is quiet (never fails the run). */
  const quiesce = () => waitQuiet({ services: servicePids, timeoutS: OPT.quietTimeoutSeconds, hz: HZ });
  /** Runs `fn` with a fresh CPU meter, which `fn` starts and stops; stopped here too when `fn` fails first. */
  const metered = async (fn) => {
    const m = meter();
    try {
      return await fn(m);
    } finally {
      m.stop();
    }
  };
  /** Waits for the quiet platform, then runs the load with the CPU meter (its answer gets `cpu` and `quiet`). */
  const measured = async (spec, more) => {
    const quiet = await quiesce();
    return { ...(await runLoad(spec, { meter: meter(more) })), quiet };
  };
  const scenarios = [];
  const add = (s) => {
    scenarios.push(s);
    say(
      `  ${s.name}: ${s.rps} req/s, p50 ${s.latency?.p50} ms, p99 ${s.latency?.p99} ms ` +
        JSON.stringify(s.statuses || {}) +
        (s.quiet_wait_s !== undefined ? ` (quiet after ${s.quiet_wait_s} s)` : ''),
    );
    return s;
  };
  const scenario = (key, name, short, kind, r, extra = {}) =>
    withQuiet(
      {
        key,
        name,
        short,
        kind,
        mode: r.mode,
        connections: r.connections,
        ...(r.rate ? { rate: r.rate } : {}),
        seconds: r.seconds,
        count: r.count,
        ok: r.ok,
        rps: r.rps,
        latency: r.latency,
        latencyFrom: r.mode === 'open' ? 'scheduled send time' : 'request sent (closed loop)',
        statuses: r.statuses,
        ...(r.outcomes ? { outcomes: r.outcomes } : {}),
        errors: r.errors,
        ...(r.cpu ? { cpu: r.cpu } : {}),
        ...extra,
      },
      r.quiet,
    );
  const pick = (k) => scenarios.find((s) => s.key === k);
  let result;
  const tmpFiles = [];
  const loadAvg = { start: os.loadavg() };
  try {
    const acc = devAccount({ ...opts, fresh: true, name: 'Bench' });
    const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
    const gql = client(gatewayUrl, acc.api_key);
    const pixelId = randomUUID();
    const ch = (await gql(`mutation { createTrafficChannelFromTemplate(input: { templateKey: "snapchat" }) { id } }`))
      .createTrafficChannelFromTemplate;
    const ct = (
      await gql(
        `mutation { createConversionType(input: {
          name: "Purchase", isDefault: true, duplicatePolicy: IGNORE_SAME_EVENT_ID }) { id } }`,
      )
    ).createConversionType;
    await gql(`mutation($c: ID!, $i: PixelInput!) { setChannelPixel(channelId: $c, input: $i) { id } }`, {
      c: ch.id,
      i: {
        pixelId,
        accessToken: `bench-token-${randomUUID()}`,
        eventMapping: [{ conversionTypeId: ct.id, snapEventName: 'PURCHASE' }],
      },
    });
    // The postback URL is taken from the offer source as created: it carries whatever the network must send
    // (including a postback secret when the API fills one in).
    const os_ = (
      await gql(
        `mutation { createOfferSource(input: {
          name: "Net", defaultCurrency: "USD", additionalParameters: [{ param: "email", role: EMAIL }]
        }) { id postbackUrl postbackSecret } }`,
      )
    ).createOfferSource;
    const pbPath = postbackPath(os_.postbackUrl, os_.postbackSecret);
    const of = (
      await gql(
        `mutation($s: ID!) { createOffer(input: {
          name: "O", url: "https://offer.example.com/?clickid={clickid}", offerSourceId: $s }) { id } }`,
        { s: os_.id },
      )
    ).createOffer;
    const camp = (
      await gql(
        `mutation($c: ID!, $o: ID!) { createCampaign(input: {
          name: "Bench", trafficChannelId: $c, offers: [{ offerId: $o }], trackingMethod: REDIRECT }) { id key } }`,
        { c: ch.id, o: of.id },
      )
    ).createCampaign;
    const campaignUrl = `http://127.0.0.1:${ports.campaign}`;
    const trackingUrl = `http://127.0.0.1:${ports.tracking}`;
    const conversionUrl = `http://127.0.0.1:${ports.conversion}`;
    const sandboxUrl = `http://127.0.0.1:${ports.sandbox}`;
    await waitFor(async () => (await fetch(`${campaignUrl}/${camp.key}?format=json`)).ok, 'the campaign to be live');

    const runs = (g) => OPT.only.includes(g);
    const idsFile = path.join(os.tmpdir(), `snaptrack-bench-${tag}-clicks.txt`);
    const idsFile2 = path.join(os.tmpdir(), `snaptrack-bench-${tag}-clicks-proxy.txt`);
    tmpFiles.push(idsFile, idsFile2);
    const needClicks = ['postback', 'e2e', 'idle'].some(runs);
    let r;

    // Baselines and clicks
    if (runs('click')) {
      const bare = await startBare302();
      try {
        const r = await measured(
          {
            mode: 'closed',
            url: bare.url,
            path: '/c?ScCid=sc{i}&sub1=a',
            connections: OPT.connections,
            durationS: OPT.seconds,
            warmupS: OPT.warmupSeconds,
            expectStatus: [302],
          },
          { 'bare 302 server': bare.child.pid },
        );
        add(scenario('baseline.http302', 'baseline: bare node:http 302', 'bare 302', 'baseline', r));
      } finally {
        bare.child.kill('SIGTERM');
      }
      add(
        scenario(
          'baseline.kafka',
          'baseline: kafkajs producer, acks -1',
          'kafka',
          'baseline',
          await measured({
            mode: 'kafka',
            brokers: KAFKA_BROKERS,
            topic: `${opts.topicPrefix}bench-scratch`,
            partitions: 3,
            connections: OPT.connections,
            durationS: OPT.seconds,
          }),
        ),
      );
      const clickBaselines = (r) => ({
        ratios: {
          'baseline.http302': round(r.rps / pick('baseline.http302').rps),
          'baseline.kafka': round(r.rps / pick('baseline.kafka').rps),
        },
      });
      r = await measured({
        mode: 'closed',
        url: campaignUrl,
        path: `/${camp.key}?ScCid=sc{i}&sub1=a`,
        connections: OPT.connections,
        durationS: OPT.seconds,
        warmupS: OPT.warmupSeconds,
        expectStatus: [302],
        collectClickIds: idsFile,
      });
      add(scenario('click.direct', 'click → 302 (campaign-service)', 'click', 'scenario', r, clickBaselines(r)));
      r = await measured({
        mode: 'closed',
        url: trackingUrl,
        path: `/${camp.key}?ScCid=tp{i}`,
        connections: OPT.connections,
        durationS: OPT.seconds,
        warmupS: OPT.warmupSeconds,
        expectStatus: [302],
        collectClickIds: idsFile2,
      });
      add(
        scenario(
          'click.tracking',
          'click → 302 via the tracking host',
          'click via host',
          'scenario',
          r,
          clickBaselines(r),
        ),
      );
    } else if (needClicks) {
      // Not measured: only the clicks the postbacks attribute to.
      await runLoad({
        mode: 'closed',
        url: campaignUrl,
        path: `/${camp.key}?ScCid=sc{i}&sub1=a`,
        connections: 8,
        durationS: 1,
        expectStatus: [302],
        collectClickIds: idsFile,
      });
    }
    const clickIds = [idsFile, idsFile2].flatMap((f) =>
      fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean) : [],
    );
    if (needClicks && !clickIds.length)
      throw new Error('no click was recorded: the click scenarios did not answer 302');
    if (needClicks) fs.writeFileSync(idsFile, clickIds.join('\n'));

    // Postbacks on those clicks, once conversion-service has seen them all (attributed, not pending)
    if (needClicks) await waitForClickView(opts.topicPrefix, OPT.drainTimeoutSeconds * 1000);
    let drainSeconds = null;
    if (runs('postback')) {
      add(
        scenario(
          'baseline.pg',
          'baseline: pg INSERT (scratch table)',
          'pg INSERT',
          'baseline',
          await measured({
            mode: 'pg',
            pgBaseUrl: PG_BASE_URL,
            database: `${opts.dbPrefix}_scratch`,
            connections: OPT.postbackConnections,
            durationS: OPT.seconds,
          }),
        ),
      );
      r = await measured({
        mode: 'closed',
        url: conversionUrl,
        path: pbPath,
        clickIdsFile: idsFile,
        eventIdPrefix: `pb-${tag}-`,
        connections: OPT.postbackConnections,
        durationS: OPT.seconds,
        expectStatus: [200],
        expectOutcome: 'accepted',
      });
      add(
        scenario('postback', 'postback (attributed: conversion + outbox)', 'postback', 'scenario', r, {
          ratios: {
            ...(pick('baseline.http302') ? { 'baseline.http302': round(r.rps / pick('baseline.http302').rps) } : {}),
            'baseline.pg': round(r.rps / pick('baseline.pg').rps),
          },
          ...(r.count > clickIds.length
            ? { note: `${clickIds.length} clicks reused in turn (distinct event ids)` }
            : {}),
        }),
      );
    }
    // Every conversion so far must reach the sandbox before the end-to-end schedule starts
    // (requests still in flight when the closed loop stopped may add a few more: wait until the count is stable)
    const drainStart = Date.now();
    const postbacksAccepted = r?.outcomes?.accepted ?? 0;
    let seen = -1;
    await waitFor(
      async () => {
        const { unique } = await atSandbox(sandboxUrl, pixelId);
        const stable = unique >= postbacksAccepted && unique === seen;
        seen = unique;
        if (!stable) await sleep(runs('postback') ? 750 : 100);
        return stable;
      },
      `the sandbox to accept the ${postbacksAccepted} conversions of the postback scenario`,
      OPT.drainTimeoutSeconds * 1000,
    );
    if (runs('postback')) drainSeconds = (Date.now() - drainStart) / 1000;

    const e2eCtx = {
      runLoad,
      waitFor,
      atSandbox,
      sandboxUrl,
      conversionUrl,
      pixelId,
      pbPath,
      idsFile,
      clickIds,
      tag,
      opt: OPT,
      seen,
      kafkaRps: pick('baseline.kafka')?.rps,
      conversionDbUrl: `${PG_BASE_URL}/${opts.dbPrefix}_conversion`,
      dispatcherDbUrl: `${PG_BASE_URL}/${opts.dbPrefix}_dispatcher`,
      conversionTopic: `${opts.topicPrefix}conversion.created.v1`,
    };
    // End to end, open loop
    if (runs('e2e')) {
      const quiet = await quiesce();
      add(withQuiet(await metered((m) => runE2e({ ...e2eCtx, meter: m })), quiet));
    }
    // A single conversion at a time, on the idle platform
    let idle = null;
    if (runs('idle')) {
      const quiet = await quiesce();
      idle = withQuiet(await runIdle(e2eCtx), quiet);
    }
    // A backlog drained by the restarted dispatcher
    if (runs('backlog')) {
      const quiet = await quiesce();
      add(
        withQuiet(
          await metered((m) =>
            runBacklog({
              platform,
              dispatcherUrl: `http://127.0.0.1:${ports.dispatcher}`,
              dispatcherDbUrl: e2eCtx.dispatcherDbUrl,
              sandboxUrl,
              pixelId,
              brokers: KAFKA_BROKERS,
              topic: e2eCtx.conversionTopic,
              ids: {
                accountId: acc.account_id,
                conversionTypeId: ct.id,
                campaignId: camp.id,
                trafficChannelId: ch.id,
                offerId: of.id,
                offerSourceId: os_.id,
              },
              events: OPT.backlogEvents,
              opts: { drainTimeoutSeconds: OPT.drainTimeoutSeconds, pollMs: 100 },
              meter: m,
            }),
          ),
          quiet,
        ),
      );
    }

    // Gateway list query next to the subgraph called directly
    if (runs('gateway')) {
      const query = JSON.stringify({ query: '{ campaigns(first: 10) { nodes { id name status } } }' });
      const { signIdentity, IDENTITY_HEADER } = require(path.join(ROOT, 'libs/shared/util-federation/dist/index.js'));
      const gwHeaders = { 'content-type': 'application/json', authorization: `Bearer ${acc.api_key}` };
      const sgHeaders = {
        'content-type': 'application/json',
        [IDENTITY_HEADER]: signIdentity(acc.account_id, devSecrets().INTERNAL_AUTH_SECRET),
      };
      for (const [url, headers] of [
        [`${gatewayUrl}/graphql`, gwHeaders],
        [`${campaignUrl}/graphql`, sgHeaders],
      ]) {
        const body = await (await fetch(url, { method: 'POST', headers, body: query })).json();
        if (body.errors || !body.data?.campaigns?.nodes?.length) throw new Error(`${url}: ${JSON.stringify(body)}`);
      }
      const sub = await measured({
        mode: 'closed',
        url: campaignUrl,
        path: '/graphql',
        method: 'POST',
        headers: sgHeaders,
        body: query,
        connections: OPT.gatewayConnections,
        durationS: OPT.seconds,
        warmupS: OPT.warmupSeconds,
        expectStatus: [200],
      });
      add(scenario('gateway.subgraph', 'baseline: campaigns query, subgraph directly', 'subgraph', 'baseline', sub));
      r = await measured({
        mode: 'closed',
        url: gatewayUrl,
        path: '/graphql',
        method: 'POST',
        headers: gwHeaders,
        body: query,
        connections: OPT.gatewayConnections,
        durationS: OPT.seconds,
        warmupS: OPT.warmupSeconds,
        expectStatus: [200],
      });
      add(
        scenario('gateway', 'campaigns query via the gateway', 'gateway', 'scenario', r, {
          ratios: { 'gateway.subgraph': round(r.rps / sub.rps) },
        }),
      );
    }

    const sandboxAfter = await atSandbox(sandboxUrl, pixelId);
    const rss = Object.fromEntries(platform.procs.map((p) => [p.name, memoryOf(p.child.pid)]));
    loadAvg.end = os.loadavg();
    result = {
      date: startedAt.toISOString(),
      quick: QUICK,
      machine: {
        cores: os.cpus().length,
        cpu: os.cpus()[0]?.model,
        clockTicks: HZ,
        memoryGiB: round(os.totalmem() / 2 ** 30),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        loadAvg,
      },
      options: OPT,
      scenarios,
      ...(idle ? { idle } : {}),
      ...(drainSeconds !== null ? { drainSeconds: round(drainSeconds) } : {}),
      sandbox: sandboxAfter,
      rss,
    };
  } finally {
    await platform.stop();
    await dropPlatformDatabases(opts).catch(() => undefined);
    await dropTopics(opts.topicPrefix).catch(() => undefined);
    for (const f of tmpFiles) fs.rmSync(f, { force: true });
  }
  if (OPT.profile) {
    // node names them CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile
    const serviceOf = Object.fromEntries(platform.procs.map((p) => [String(p.child.pid), p.name]));
    result.profiles = fs
      .readdirSync(PROFILE_DIR)
      .filter((f) => f.endsWith('.cpuprofile') && serviceOf[f.split('.')[3]])
      .map((f) => ({ service: serviceOf[f.split('.')[3]], file: path.join(PROFILE_DIR, f) }))
      .filter((p) => fs.statSync(p.file).mtimeMs >= startedAt.getTime());
  }
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const jsonFile = path.join(OUT_DIR, `${stamp}.json`);
  const svgFile = path.join(OUT_DIR, `${stamp}.svg`);
  fs.writeFileSync(jsonFile, `${JSON.stringify(result, null, 2)}\n`);
  fs.writeFileSync(svgFile, report.svg(result));
  say(`\n${report.table(result)}`);
  const e2e = result.scenarios.find((s) => s.key === 'e2e');
  if (e2e?.stages?.stages) say(`\n${stageLines(e2e.stages).join('\n')}`);
  const cpuLines = result.scenarios.filter((s) => s.cpu).map((s) => cpuLine(s.name, s.cpu));
  if (cpuLines.length)
    say(`\nCPU in cores over each measured window (parties under 0.02 left out):\n${cpuLines.join('\n')}`);
  if (result.idle)
    say(
      `\nidle platform, one conversion at a time (postback → sandbox accepted): median ${result.idle.medianMs} ms, ` +
        `max ${result.idle.maxMs} ms over ${result.idle.samples.length}` +
        (result.idle.note ? ` (${result.idle.note})` : ''),
    );
  if (result.profiles) {
    const list = result.profiles.map((p) => `  ${p.service.padEnd(26)} ${path.relative(ROOT, p.file)}`);
    say(`\nCPU profiles (open in Chrome DevTools → Performance):\n${list.join('\n') || '  (none written)'}`);
  }
  say(`\n${jsonFile}\n${svgFile}`);
}

main().catch((e) => {
  console.error(`bench failed: ${e.stack || e.message}`);
  process.exit(1);
});
