#!/usr/bin/env node
// The load generator of `npm run bench`, always run as its own process (tools/scripts/bench.js spawns it once per
// scenario), so the client never shares an event loop with a server or with the orchestrator.
//
//   node tools/bench/load.js '<json spec>'   → one JSON line on stdout with the figures
//
// Before it, two lines {"phase":"measure"|"measured","cpuUs":…} mark the start and the end of the measured part
// (after the warm-up, before any clean-up) with this process's CPU time so far, so that the orchestrator measures
// every party's CPU over the same window (tools/bench/cpu.js).
//
// Modes (spec.mode):
//   closed  autocannon, `connections` requests in flight for `durationS` (throughput). Latency is per response
//           (a closed loop cannot show queueing delay; use `open` for latency under a given load).
//   open    a fixed arrival schedule: request i is due at t0 + i/rate, sent then whatever is still in flight
//           (undici pool of `connections` sockets; a request waits in the pool's queue when all are busy).
//           Latency is measured from the scheduled time, so it is corrected for coordinated omission.
//           autocannon's own `overallRate` sends each connection's share in a burst at the start of every second and
//           corrects with a fixed 1 ms interval, which is why the open loop is done here.
//   kafka   kafkajs producer, acks -1, `connections` single-message sends in flight to a scratch topic.
//   pg      `connections` pg clients each running INSERTs (autocommit) into a scratch table of a scratch database.
// Paths may hold {i} (request number), {clickid} (spec.clickIdsFile, one per line, used in turn) and {eventid}
// (spec.eventIdPrefix + i). spec.collectClickIds names a file to write the click ids of 302 Location headers to.
// spec.expectStatus lists the HTTP statuses that count as done; with spec.expectOutcome the JSON answer's `status`
// must equal it too (postbacks: "accepted", i.e. attributed), and `outcomes` counts every answer's `status`.
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');
const { histogram, recordMs, summary, round } = require('./stats');

const spec = JSON.parse(process.argv[2] || process.env.BENCH_LOAD_SPEC || '{}');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Tells the orchestrator that the measured part starts ('measure') or ended ('measured'), with our CPU time (µs). */
function phase(name) {
  const u = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ phase: name, cpuUs: u.user + u.system })}\n`);
}

function pathMaker(s) {
  const ids = s.clickIdsFile ? fs.readFileSync(s.clickIdsFile, 'utf8').split('\n').filter(Boolean) : [];
  const prefix = s.eventIdPrefix || 'ev-';
  return (i) =>
    s.path
      .replaceAll('{i}', String(i))
      .replaceAll('{eventid}', `${prefix}${i}`)
      .replaceAll('{clickid}', ids.length ? ids[i % ids.length] : '');
}

function countStatus(statuses, code) {
  statuses[code] = (statuses[code] || 0) + 1;
}

/** Counts the `status` field of a JSON answer (the postback's outcome: accepted, pending, duplicate, …). */
function outcome(outcomes, body) {
  let v = 'unparsable';
  try {
    v = String(JSON.parse(String(body)).status);
  } catch {
    /* not JSON */
  }
  outcomes[v] = (outcomes[v] || 0) + 1;
  return v;
}

function result(base, { count, ok, seconds, hist, statuses, errors, extra }) {
  return {
    ...base,
    count,
    ok,
    seconds: round(seconds),
    rps: seconds > 0 ? round(ok / seconds) : 0,
    latency: summary(hist),
    statuses,
    errors,
    ...extra,
  };
}

async function closed(s) {
  const autocannon = require('autocannon');
  const makePath = pathMaker(s);
  const expect = new Set(s.expectStatus || [200]);
  const collected = [];
  const outcomes = {};
  if (s.warmupS > 0) await runPlain(s.warmupS);
  phase('measure');
  const t0 = performance.now();
  const hist = histogram();
  const statuses = {};
  let ok = 0;
  let count = 0;
  let i = 0;
  const res = await new Promise((resolve, reject) => {
    const inst = autocannon(
      {
        url: s.url,
        connections: s.connections,
        duration: s.durationS,
        method: s.method || 'GET',
        headers: s.headers,
        body: s.body,
        timeout: 30,
        requests: [
          {
            setupRequest: (req) => ({ ...req, path: makePath(i++) }),
            ...(s.collectClickIds || s.expectOutcome
              ? {
                  onResponse: (status, body, _ctx, headers) => {
                    if (s.expectOutcome && outcome(outcomes, body) === s.expectOutcome && expect.has(status)) ok++;
                    const m = s.collectClickIds && /[?&]clickid=([^&]+)/.exec(headers?.location || '');
                    if (m) collected.push(decodeURIComponent(m[1]));
                  },
                }
              : {}),
          },
        ],
      },
      (err, r) => (err ? reject(err) : resolve(r)),
    );
    inst.on('response', (_client, statusCode, _bytes, responseTime) => {
      recordMs(hist, responseTime);
      countStatus(statuses, statusCode);
      count++;
      if (!s.expectOutcome && expect.has(statusCode)) ok++;
    });
  });
  phase('measured');
  const seconds = Math.min((performance.now() - t0) / 1000, res.duration || Infinity);
  if (s.collectClickIds) fs.writeFileSync(s.collectClickIds, collected.join('\n'));
  return result(
    { mode: 'closed', connections: s.connections },
    {
      count,
      ok,
      seconds,
      hist,
      statuses,
      errors: res.errors + res.timeouts,
      extra: {
        ...(s.collectClickIds ? { collected: collected.length } : {}),
        ...(s.expectOutcome ? { outcomes } : {}),
      },
    },
  );

  // The warm-up sends the scenario's own requests (its path and query), numbered from 1e9 so that {i} and {eventid}
  // never repeat one of the measured run; without the path it warmed nothing but the 404 route.
  function runPlain(durationS) {
    let w = 1e9;
    return new Promise((resolve, reject) =>
      autocannon(
        {
          url: s.url,
          connections: s.connections,
          duration: durationS,
          method: s.method || 'GET',
          headers: s.headers,
          body: s.body,
          requests: [{ setupRequest: (req) => ({ ...req, path: makePath(w++) }) }],
        },
        (err, r) => (err ? reject(err) : resolve(r)),
      ),
    );
  }
}

async function open(s) {
  const { Pool } = require('undici');
  const makePath = pathMaker(s);
  const expect = new Set(s.expectStatus || [200]);
  const pool = new Pool(s.url, { connections: s.connections, pipelining: 1 });
  const total = Math.max(1, Math.round(s.rate * s.durationS));
  const interval = 1000 / s.rate;
  const hist = histogram();
  const statuses = {};
  let ok = 0;
  let errors = 0;
  let count = 0;
  let maxLagMs = 0;
  const outcomes = {};
  const pending = [];
  phase('measure');
  const t0 = performance.now() + 20;
  const fire = (i, due) =>
    pool
      .request({ path: makePath(i), method: s.method || 'GET', headers: s.headers, body: s.body })
      .then(async (res) => {
        const body = s.expectOutcome ? await res.body.text() : await res.body.dump();
        recordMs(hist, performance.now() - due);
        countStatus(statuses, res.statusCode);
        count++;
        const good = !s.expectOutcome || outcome(outcomes, body) === s.expectOutcome;
        if (good && expect.has(res.statusCode)) ok++;
      })
      .catch(() => void errors++);
  await new Promise((resolve) => {
    let i = 0;
    const tick = () => {
      const now = performance.now();
      while (i < total && t0 + i * interval <= now) {
        maxLagMs = Math.max(maxLagMs, now - (t0 + i * interval));
        pending.push(fire(i, t0 + i * interval));
        i++;
      }
      if (i < total) setTimeout(tick, Math.max(0, Math.min(5, t0 + i * interval - performance.now() - 1)));
      else resolve();
    };
    setTimeout(tick, 20);
  });
  await Promise.all(pending);
  phase('measured');
  const seconds = (performance.now() - t0) / 1000;
  await pool.close();
  return result(
    { mode: 'open', connections: s.connections, rate: s.rate, scheduled: total },
    {
      count,
      ok,
      seconds,
      hist,
      statuses,
      errors,
      extra: {
        // epoch ms of request 0's scheduled time and the interval, so the caller can date request i's schedule
        t0EpochMs: performance.timeOrigin + t0,
        intervalMs: interval,
        maxSendLagMs: round(maxLagMs),
        ...(s.expectOutcome ? { outcomes } : {}),
      },
    },
  );
}

async function kafka(s) {
  const { Kafka, logLevel } = require('kafkajs');
  const k = new Kafka({ clientId: 'snaptrack-bench', brokers: s.brokers, logLevel: logLevel.NOTHING });
  const admin = k.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic: s.topic, numPartitions: s.partitions || 3, replicationFactor: 1 }],
  });
  const producer = k.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const value = Buffer.from(JSON.stringify({ click_id: 'x'.repeat(24), payload: 'y'.repeat(320) }));
  const hist = histogram();
  let ok = 0;
  let errors = 0;
  let n = 0;
  try {
    await producer.send({ topic: s.topic, acks: -1, messages: [{ key: 'warm', value }] });
    phase('measure');
    const t0 = performance.now();
    const end = t0 + s.durationS * 1000;
    await Promise.all(
      Array.from({ length: s.connections }, async () => {
        while (performance.now() < end) {
          const start = performance.now();
          try {
            await producer.send({ topic: s.topic, acks: -1, messages: [{ key: String(n++), value }] });
            recordMs(hist, performance.now() - start);
            ok++;
          } catch {
            errors++;
          }
        }
      }),
    );
    phase('measured');
    const seconds = (performance.now() - t0) / 1000;
    return result(
      { mode: 'kafka', connections: s.connections, topic: s.topic },
      { count: ok + errors, ok, seconds, hist, statuses: {}, errors },
    );
  } finally {
    await producer.disconnect();
    await admin.deleteTopics({ topics: [s.topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

async function pg(s) {
  const { Client, Pool } = require('pg');
  const base = s.pgBaseUrl.replace(/\/+$/, '');
  const adminClient = new Client({ connectionString: `${base}/postgres` });
  await adminClient.connect();
  await adminClient.query(`CREATE DATABASE "${s.database}"`);
  const pool = new Pool({ connectionString: `${base}/${s.database}`, max: s.connections });
  const hist = histogram();
  let ok = 0;
  let errors = 0;
  let n = 0;
  try {
    await pool.query(
      `CREATE TABLE bench_insert (id bigserial PRIMARY KEY, click_id text NOT NULL, payout numeric(20,8),
         payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
    );
    phase('measure');
    const t0 = performance.now();
    const end = t0 + s.durationS * 1000;
    await Promise.all(
      Array.from({ length: s.connections }, async () => {
        while (performance.now() < end) {
          const start = performance.now();
          const i = n++;
          try {
            await pool.query('INSERT INTO bench_insert (click_id, payout, payload) VALUES ($1, $2, $3)', [
              `click-${i}`,
              '9.99',
              JSON.stringify({ currency: 'USD', event_id: `ev-${i}` }),
            ]);
            recordMs(hist, performance.now() - start);
            ok++;
          } catch {
            errors++;
          }
        }
      }),
    );
    phase('measured');
    const seconds = (performance.now() - t0) / 1000;
    return result(
      { mode: 'pg', connections: s.connections },
      { count: ok + errors, ok, seconds, hist, statuses: {}, errors },
    );
  } finally {
    await pool.end();
    await sleep(100);
    await adminClient.query(`DROP DATABASE IF EXISTS "${s.database}" WITH (FORCE)`).catch(() => undefined);
    await adminClient.end();
  }
}

const modes = { closed, open, kafka, pg };
(async () => {
  const fn = modes[spec.mode];
  if (!fn) throw new Error(`unknown mode ${spec.mode}`);
  const out = await fn(spec);
  process.stdout.write(`${JSON.stringify(out)}\n`);
})().catch((e) => {
  process.stderr.write(`load generator failed: ${e.stack || e.message}\n`);
  process.exit(1);
});
