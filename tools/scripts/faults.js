#!/usr/bin/env node
// The fault suite (`npm run faults`, nx `system-tests:faults`; README "Fault suite", docs/testing.md).
//
// Starts its own PostgreSQL cluster (initdb + pg_ctl in a temp dir, on its own port), its own Kafka broker
// (tools/kafka/kafka.sh on its own ports and data dir) and the whole platform as processes (platform.js, two
// dispatcher instances), seeds an account with the walkthrough plus an offer-level pixel (two target pixels per
// conversion), and sends an open-loop load of postbacks through the tracking host while it applies one fault after
// the other. Then it judges at the CAPI sandbox, per fault: every postback answered `accepted` reached both pixels; a
// pixel received one event_id twice only if the first copy landed while a dispatcher was being SIGKILLed (a request
// in flight at a hard kill); no event reached Snapchat under an event_id we never sent; and the platform recovered
// within the limit after the fault ended. One row per fault, exit code 1 if any verdict fails.
//
// A fault "ends" when the faulted part is back: the broker started again (kafka.sh start returned), Postgres restarted
// (pg_ctl -w), the killed service ready again (its /readyz), the sandbox's fault rules cleared. The `lasted` column
// shows how long that took; `resumed` is the time from there until the first postback sent after it reached both
// pixels (new postbacks delivered again), and `recovery`, which the verdict uses, the time until postbacks sent after
// it are accepted and the deliveries trail the load by at most --lag again (the backlog drained). The dispatchers run
// with a 5 s request timeout and 1-5 s retry delays (defaults: 15 s and 30 s-2 h), so that a retried delivery can
// recover in 30 s.
//
//   node tools/scripts/faults.js [--rate 200] [--window 20] [--recovery 30] [--only name,name] [--list]
//
// Needs the apps built (`npm run build`), /usr/lib/postgresql/*/bin and Java for Kafka (tools/kafka/README.md).
const { execFileSync, spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const OUT_DIR = path.join(ROOT, 'tmp', 'faults');

const HELP = `Usage: node tools/scripts/faults.js [options]
  --rate N          postbacks per second, open loop (default 200; FAULTS_RATE)
  --window S        seconds a timed fault lasts: sandbox errors, one dispatcher down (default 20; FAULTS_WINDOW_S)
  --broker-down S   seconds the Kafka broker stays dead after kill -9 (default 20)
  --recovery S      allowed recovery time after each fault (default 30)
  --lag MS          the backlog counts as drained when deliveries trail the load by at most this (default 3000)
  --only a,b        run only these faults (names as in --list)
  --list            print the fault names and exit
  --port-base N     first of the ports used (default 31000; Postgres, Kafka and the services sit above it)`;

function parseArgs(argv) {
  const o = {
    rate: Number(process.env.FAULTS_RATE || 200),
    window: Number(process.env.FAULTS_WINDOW_S || 20),
    brokerDown: 20,
    recovery: 30,
    lag: 3000,
    only: null,
    list: false,
    portBase: Number(process.env.FAULTS_PORT_BASE || 31000),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--rate') o.rate = Number(val());
    else if (a === '--window') o.window = Number(val());
    else if (a === '--broker-down') o.brokerDown = Number(val());
    else if (a === '--recovery') o.recovery = Number(val());
    else if (a === '--lag') o.lag = Number(val());
    else if (a === '--only') o.only = val().split(',');
    else if (a === '--list') o.list = true;
    else if (a === '--port-base') o.portBase = Number(val());
    else if (a === '--help' || a === '-h') {
      console.log(HELP);
      process.exit(0);
    } else throw new Error(`unknown option ${a}\n${HELP}`);
  }
  for (const k of ['rate', 'window', 'brokerDown', 'recovery', 'lag', 'portBase'])
    if (!Number.isFinite(o[k]) || o[k] <= 0) throw new Error(`--${k} must be a positive number`);
  return o;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const stamp = () => `[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s]`;
const say = (msg) => process.stdout.write(`${stamp()} ${msg}\n`);

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL: a throw-away cluster owned by the `postgres` OS user when we run as root.

function postgresBin() {
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base)
    ? fs
        .readdirSync(base)
        .filter((v) => fs.existsSync(path.join(base, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql/*/bin');
  return path.join(base, versions[0], 'bin');
}

/**
 * Runs a command without blocking the event loop: the load generator shares this process, and a synchronous restart
 * (pg_ctl -w, kafka.sh start: seconds) would stop its open-loop schedule and then fire the missed postbacks as one
 * burst. Resolves with stdout; rejects with `label`, the status and the tail of stderr.
 */
function runAsync(label, argv, opts) {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (status) =>
      status === 0
        ? resolve(out)
        : reject(new Error(`${label} failed (${status}): ${err.split('\n').slice(-8).join('\n')}`)),
    );
  });
}

function startPostgres(port) {
  const bin = postgresBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snaptrack-faults-pg-'));
  const asRoot = process.getuid && process.getuid() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    fs.chownSync(dir, uid, gid);
  }
  /** The command line of a server binary, run as the postgres user when we are root. */
  const argvOf = (cmd, args) =>
    asRoot ? ['runuser', '-u', 'postgres', '--', path.join(bin, cmd), ...args] : [path.join(bin, cmd), ...args];
  const run = (cmd, args) => {
    const argv = argvOf(cmd, args);
    const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  const data = path.join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  // fsync off: a crash of the server process (what the suite does) loses nothing the OS page cache holds.
  const serverOpts = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c max_connections=300',
    '-c fsync=off',
    '-c full_page_writes=off',
  ].join(' ');
  const ctlArgs = (...args) => ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', ...args];
  const ctl = (...args) => run('pg_ctl', ctlArgs(...args));
  ctl('-o', serverOpts, 'start');
  return {
    url: `postgres://postgres@127.0.0.1:${port}`,
    dir,
    /** Asynchronous: it runs while the load does. */
    restart: () =>
      runAsync('pg_ctl restart', argvOf('pg_ctl', ctlArgs('-m', 'immediate', '-o', serverOpts, 'restart')), {
        cwd: dir,
      }),
    stop: () => {
      try {
        ctl('-m', 'immediate', 'stop');
      } catch {
        /* already down */
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Kafka: a second broker through tools/kafka/kafka.sh, on other ports with its own data dir (per port).

function kafkaBroker(port) {
  const env = { ...process.env, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(port + 1) };
  const script = path.join(ROOT, 'tools/kafka/kafka.sh');
  const sh = (cmd) => {
    const r = spawnSync('bash', [script, cmd], { env, encoding: 'utf8' });
    if (r.status !== 0)
      throw new Error(`kafka.sh ${cmd} failed (${r.status}): ${r.stderr.split('\n').slice(-8).join('\n')}`);
    return r.stdout;
  };
  const cache =
    process.env.KAFKA_CACHE_DIR ||
    path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'snaptrack', 'kafka');
  const pidFile = path.join(cache, 'data', `port-${port}`, 'kafka.pid');
  return {
    brokers: `127.0.0.1:${port}`,
    start: () => sh('start'),
    /** Asynchronous: it runs while the load does. */
    restart: () => runAsync('kafka.sh start', ['bash', script, 'start'], { env }),
    reset: () => sh('reset'),
    kill9: () => {
      const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
      process.kill(pid, 'SIGKILL');
      return pid;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Load: open loop, `rate` postbacks per second whatever the answers; each one is recorded with its phase.

function loadGenerator({ trackingUrl, clickId, secret, rate, tag }) {
  const records = [];
  let phase = -1;
  let inFlight = 0;
  let timer = null;
  let started = 0;
  let fired = 0;
  const MAX_IN_FLIGHT = 4000;
  const fire = () => {
    const id = `${tag}-${records.length}`;
    const rec = { id, phase, sent: Date.now(), http: 0, status: '', answered: 0 };
    records.push(rec);
    if (inFlight >= MAX_IN_FLIGHT) {
      rec.status = 'client_overloaded';
      return;
    }
    inFlight++;
    const url =
      `${trackingUrl}/postback?clickid=${clickId}&type=Purchase&sum=2.50&currency=USD` +
      `&eventid=${id}&secret=${encodeURIComponent(secret)}`;
    fetch(url, { signal: AbortSignal.timeout(20000) })
      .then(async (res) => {
        rec.http = res.status;
        const body = await res.json().catch(() => ({}));
        rec.status = body.status || body.error || '';
        rec.conversionStatus = body.conversion_status;
      })
      .catch((e) => {
        rec.status = `error:${(e.cause && e.cause.code) || e.name}`;
      })
      .finally(() => {
        rec.answered = Date.now();
        inFlight--;
      });
  };
  return {
    records,
    setPhase: (p) => (phase = p),
    start() {
      started = Date.now();
      timer = setInterval(() => {
        const due = Math.floor(((Date.now() - started) * rate) / 1000);
        while (fired < due) {
          fired++;
          fire();
        }
      }, 5);
    },
    async stop() {
      clearInterval(timer);
      const deadline = Date.now() + 25000;
      while (inFlight > 0 && Date.now() < deadline) await sleep(100);
    },
    accepted: (r) => r.http === 200 && r.status === 'accepted' && r.conversionStatus === 'attributed',
  };
}

// ---------------------------------------------------------------------------------------------------------------

async function getJson(url, init) {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(30000) });
  if (!res.ok) throw new Error(`${init?.method || 'GET'} ${url}: HTTP ${res.status}`);
  return res.json();
}

/** The sandbox's 20% 500, 10% 429 and 5% hang (8 s, then the connection drops unanswered), as a queue of rules. */
function sandboxFaultRules(n, hangMs) {
  const rules = [];
  for (let i = 0; i < n; i++) {
    const x = Math.random();
    const rule =
      x < 0.2
        ? { status: 500 }
        : x < 0.3
          ? { status: 429 }
          : x < 0.35
            ? { delay_ms: hangMs, drop_connection: true }
            : { delay_ms: 0 };
    const last = rules[rules.length - 1];
    if (last && JSON.stringify({ ...last, count: undefined }) === JSON.stringify({ ...rule, count: undefined }))
      last.count = (last.count || 1) + 1;
    else rules.push(rule);
  }
  return rules;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const SERVICES = ['config-service', 'campaign-service', 'conversion-service', 'gateway'];
  const faultNames = [
    'kafka-broker-kill9',
    'postgres-restart',
    ...SERVICES.map((s) => `sigkill-${s}`),
    'sigkill-dispatchers',
    'sandbox-errors',
    'one-of-two-dispatchers',
  ];
  if (o.list) {
    console.log(faultNames.join('\n'));
    return 0;
  }
  if (o.only) for (const n of o.only) if (!faultNames.includes(n)) throw new Error(`unknown fault ${n}`);
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const logFile = path.join(OUT_DIR, 'platform.log');
  const logStream = fs.createWriteStream(logFile);
  const REQUEST_TIMEOUT_MS = 5000;

  const pgPort = o.portBase;
  const kafkaPort = o.portBase + 2;
  const base = o.portBase + 10;
  const ports = {
    gateway: base,
    config: base + 1,
    campaign: base + 2,
    conversion: base + 3,
    dispatcher: base + 4,
    sandbox: base + 5,
    tracking: base + 6,
  };
  const cleanups = [];
  const cleanup = async () => {
    while (cleanups.length) {
      const fn = cleanups.pop();
      try {
        await fn();
      } catch (e) {
        say(`cleanup: ${e.message}`);
      }
    }
  };
  for (const sig of ['SIGINT', 'SIGTERM'])
    process.once(sig, () => {
      say(`${sig}: stopping`);
      cleanup().finally(() => process.exit(130));
    });

  try {
    say(`PostgreSQL on 127.0.0.1:${pgPort} (own cluster)`);
    const pg = startPostgres(pgPort);
    cleanups.push(() => pg.stop());
    say(`Kafka on 127.0.0.1:${kafkaPort} (own broker and data dir)`);
    const kafka = kafkaBroker(kafkaPort);
    try {
      kafka.reset();
    } catch {
      /* nothing to reset */
    }
    kafka.start();
    cleanups.push(() => kafka.reset());
    process.env.PG_BASE_URL = pg.url;
    process.env.KAFKA_BROKERS = kafka.brokers;

    const { startPlatform, devAccount } = require('./platform.js');
    const { walkthrough, client, waitFor } = require('./walkthrough.js');
    const launch = {
      ports,
      dbPrefix: 'snaptrack_faults',
      topicPrefix: 'faults.',
      instances: { 'snapchat-capi-dispatcher': 2 },
      env: {
        RATE_LIMIT_PER_IP: '0',
        SNAP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        RETRY_BASE_MS: '1000',
        RETRY_MAX_DELAY_MS: '5000',
      },
      output: (name, line) => logStream.write(`${new Date().toISOString()} ${name} ${line}\n`),
    };
    say(`platform (two dispatcher instances), logs in ${path.relative(ROOT, logFile)}`);
    const platform = await startPlatform(launch);
    cleanups.push(() => platform.stop());
    const acc = devAccount({ ...launch, fresh: true, name: 'Fault suite' });
    const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
    const trackingUrl = `http://127.0.0.1:${ports.tracking}`;
    const sandboxUrl = `http://127.0.0.1:${ports.sandbox}`;

    say('seeding: the walkthrough, then a pixel on the offer (two target pixels per conversion)');
    const seed = await walkthrough({ gatewayUrl, trackingUrl, sandboxUrl, apiKey: acc.api_key });
    const gql = client(gatewayUrl, acc.api_key);
    const offerPixelId = crypto.randomUUID();
    await gql(`mutation($o: ID!, $i: PixelInput!) { addOfferPixel(offerId: $o, input: $i) { id } }`, {
      o: seed.offer.id,
      i: {
        pixelId: offerPixelId,
        accessToken: `offer-token-${crypto.randomBytes(16).toString('hex')}`,
        eventMapping: [{ conversionTypeId: seed.types.Purchase.id, snapEventName: 'PURCHASE' }],
      },
    });
    const pixels = [seed.pixel.pixelId, offerPixelId];
    const probe = `probe-${crypto.randomUUID()}`;
    const probeUrl =
      `${trackingUrl}/postback?clickid=${seed.click.clickid}&type=Purchase&sum=1&currency=USD&eventid=${probe}` +
      `&secret=${encodeURIComponent(seed.source.postbackSecret)}`;
    await fetch(probeUrl);
    await waitFor(
      async () => {
        const all = await Promise.all(
          pixels.map((px) => getJson(`${sandboxUrl}/__admin/events?pixel_id=${px}&event_id=${probe}`)),
        );
        return all.every((r) => r.count > 0);
      },
      'the probe conversion at both pixels',
      60000,
    );
    await getJson(`${sandboxUrl}/__admin/reset`, { method: 'POST' });

    const load = loadGenerator({
      trackingUrl,
      clickId: seed.click.clickid,
      secret: seed.source.postbackSecret,
      rate: o.rate,
      tag: `f${crypto.randomBytes(3).toString('hex')}`,
    });
    const phases = [];
    /** Dispatcher hard kills: the moments a request in flight may have landed without its answer being recorded. */
    const hardKills = [];

    const uniqueAt = async () => {
      const s = await getJson(`${sandboxUrl}/__admin/stats`);
      return pixels.map((px) => (s.pixels[px] && s.pixels[px].unique_event_ids) || 0);
    };
    /**
     * Recovered: postbacks sent after the fault's end are accepted again, and both pixels hold as many events as there
     * are postbacks accepted until `lag` ms ago (the backlog has drained; which ids are missing is judged at the end).
     */
    const waitRecovery = async (phase) => {
      const limit = o.recovery * 1000;
      const hardStop = phase.faultEnd + limit + 30000;
      for (;;) {
        const now = Date.now();
        const due = load.records.filter((r) => r.sent <= now - o.lag && r.answered && load.accepted(r));
        const fresh = due.filter((r) => r.sent > phase.faultEnd).length;
        const got = await uniqueAt().catch(() => [0, 0]);
        // …and postbacks sent after the fault ended are accepted and counted in (new traffic flows again).
        if (fresh > 0 && got.every((n) => n >= due.length)) return Date.now() - phase.faultEnd;
        if (now > hardStop) return null;
        await sleep(500);
      }
    };

    const faults = {
      'kafka-broker-kill9': async () => {
        const pid = kafka.kill9();
        say(`  kill -9 broker pid ${pid}; restart in ${o.brokerDown} s`);
        await sleep(o.brokerDown * 1000);
        await kafka.restart();
      },
      'postgres-restart': async () => {
        await pg.restart();
      },
      ...Object.fromEntries(
        SERVICES.map((s) => [
          `sigkill-${s}`,
          async () => {
            await platform.restart(s, { signal: 'SIGKILL', downMs: 1000 });
          },
        ]),
      ),
      'sigkill-dispatchers': async () => {
        hardKills.push(Date.now());
        await Promise.all(
          ['snapchat-capi-dispatcher-1', 'snapchat-capi-dispatcher-2'].map((s) =>
            platform.restart(s, { signal: 'SIGKILL', downMs: 1000 }),
          ),
        );
      },
      'sandbox-errors': async () => {
        const rules = sandboxFaultRules(20000, REQUEST_TIMEOUT_MS + 3000);
        for (let i = 0; i < rules.length; i += 500)
          await getJson(`${sandboxUrl}/__admin/faults`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(rules.slice(i, i + 500)),
          });
        await sleep(o.window * 1000);
        await getJson(`${sandboxUrl}/__admin/faults`, { method: 'DELETE' });
      },
      'one-of-two-dispatchers': async () => {
        hardKills.push(Date.now());
        await platform.restart('snapchat-capi-dispatcher-1', { signal: 'SIGKILL', downMs: o.window * 1000 });
      },
    };

    load.start();
    say(`load: ${o.rate} postbacks/s (open loop) through ${trackingUrl}/postback`);
    load.setPhase(-1);
    await sleep(3000);
    const selected = faultNames.filter((n) => !o.only || o.only.includes(n));
    for (const name of selected) {
      const phase = { name, index: phases.length, start: Date.now() };
      phases.push(phase);
      load.setPhase(phase.index);
      await sleep(2000);
      say(`fault ${name}`);
      phase.faultStart = Date.now();
      await faults[name]();
      phase.faultEnd = Date.now();
      phase.recoveryMs = await waitRecovery(phase);
      say(
        `  ended after ${((phase.faultEnd - phase.faultStart) / 1000).toFixed(1)} s; ` +
          (phase.recoveryMs === null ? 'NOT recovered' : `recovered in ${(phase.recoveryMs / 1000).toFixed(1)} s`),
      );
    }
    load.setPhase(phases.length);
    await sleep(2000);
    await load.stop();
    say('load stopped; waiting for the backlog, then judging at the sandbox');
    const acceptedTotal = load.records.filter(load.accepted).length;
    const drainDeadline = Date.now() + o.recovery * 1000 + 30000;
    while (Date.now() < drainDeadline) {
      const got = await uniqueAt().catch(() => [0, 0]);
      if (got.every((n) => n >= acceptedTotal)) break;
      await sleep(500);
    }
    await sleep(3000); // anything sent twice lands now

    // Every event each pixel received, by event_id: [first receipt, …] times.
    const receipts = pixels.map(() => new Map());
    const foreign = [];
    const sentIds = new Set(load.records.map((r) => r.id));
    for (const [i, px] of pixels.entries()) {
      const { events } = await getJson(`${sandboxUrl}/__admin/events?pixel_id=${px}`);
      for (const e of events) {
        if (!sentIds.has(e.event_id) || (e.event.custom_data && e.event.custom_data.order_id !== e.event_id))
          foreign.push({
            pixel: px,
            event_id: e.event_id,
            order_id: e.event.custom_data && e.event.custom_data.order_id,
          });
        const list = receipts[i].get(e.event_id) || [];
        list.push(e.received_at_ms);
        receipts[i].set(e.event_id, list);
      }
    }
    const inFlightAtKill = (times) =>
      times.length === 2 &&
      hardKills.some((k) => times[0] >= k - REQUEST_TIMEOUT_MS - 2000 && times[0] <= k + 1000 && times[1] > k);

    const rows = [];
    const judged = [{ name: 'baseline', index: -1, recoveryMs: 0 }, ...phases];
    for (const ph of judged) {
      const recs = load.records.filter(
        (r) => r.phase === ph.index || (ph.index === phases.length - 1 && r.phase === phases.length),
      );
      const acc = recs.filter(load.accepted);
      const lost = [];
      let delivered = 0;
      const dups = [];
      for (const r of acc) {
        const at = receipts.map((m) => m.get(r.id) || []);
        if (at.every((t) => t.length > 0)) delivered++;
        else lost.push({ id: r.id, missingAt: pixels.filter((_, i) => at[i].length === 0) });
      }
      for (const r of recs)
        receipts.forEach((m, i) => {
          const times = m.get(r.id) || [];
          if (times.length > 1)
            dups.push({ id: r.id, pixel: pixels[i], count: times.length, allowed: inFlightAtKill(times) });
        });
      const badDups = dups.filter((d) => !d.allowed);
      const recovered = ph.recoveryMs !== null && ph.recoveryMs <= o.recovery * 1000;
      // Resumed: the first postback sent after the fault's end that reached both pixels, counted from the fault's end.
      let resumedMs = null;
      if (ph.faultEnd)
        for (const r of load.records)
          if (r.sent > ph.faultEnd && load.accepted(r)) {
            const at = receipts.map((m) => (m.get(r.id) || [])[0]);
            if (at.every((t) => t !== undefined)) {
              const t = Math.max(...at) - ph.faultEnd;
              if (resumedMs === null || t < resumedMs) resumedMs = t;
            }
          }
      const problems = [];
      if (acc.length === 0) problems.push('no postback accepted');
      if (lost.length) problems.push(`${lost.length} lost`);
      if (badDups.length) problems.push(`${badDups.length} duplicates not explained by a hard kill`);
      if (!recovered) problems.push('no recovery in time');
      const statuses = {};
      for (const r of recs)
        if (!load.accepted(r))
          statuses[r.status || `http ${r.http}`] = (statuses[r.status || `http ${r.http}`] || 0) + 1;
      rows.push({
        fault: ph.name,
        sent: recs.length,
        accepted: acc.length,
        delivered,
        lost: lost.length,
        duplicates: dups.length,
        allowedDuplicates: dups.length - badDups.length,
        lasted: ph.faultEnd ? `${((ph.faultEnd - ph.faultStart) / 1000).toFixed(1)} s` : '-',
        resumed: resumedMs === null ? '-' : `${(resumedMs / 1000).toFixed(1)} s`,
        recovery: ph.recoveryMs === null ? 'none' : `${(ph.recoveryMs / 1000).toFixed(1)} s`,
        verdict: problems.length ? `FAIL: ${problems.join('; ')}` : 'pass',
        notAccepted: statuses,
        lostSample: lost.slice(0, 10),
        duplicateSample: dups.slice(0, 10),
      });
    }
    if (foreign.length)
      rows.push({
        fault: 'events under an event_id never sent',
        sent: 0,
        accepted: 0,
        delivered: foreign.length,
        lost: 0,
        duplicates: foreign.length,
        allowedDuplicates: 0,
        lasted: '-',
        resumed: '-',
        recovery: '-',
        verdict: `FAIL: ${foreign.length} events at Snapchat under an event_id of no postback`,
        foreignSample: foreign.slice(0, 10),
      });

    const resultFile = path.join(OUT_DIR, 'result.json');
    fs.writeFileSync(
      resultFile,
      JSON.stringify(
        { options: o, pixels, hardKills, phases, rows, sandbox: await getJson(`${sandboxUrl}/__admin/stats`) },
        null,
        2,
      ),
    );
    const cols = [
      ['fault', 27],
      ['accepted', 9],
      ['delivered', 10],
      ['lost', 5],
      ['duplicates (same event_id)', 27],
      ['lasted', 7],
      ['resumed', 8],
      ['recovery', 9],
      ['verdict', 0],
    ];
    const line = (vals) => vals.map((v, i) => (cols[i][1] ? String(v).padEnd(cols[i][1]) : String(v))).join(' ');
    console.log('');
    console.log(line(cols.map((c) => c[0])));
    for (const r of rows)
      console.log(
        line([
          r.fault,
          r.accepted,
          r.delivered,
          r.lost,
          r.allowedDuplicates ? `${r.duplicates} (${r.allowedDuplicates} in flight at kill)` : r.duplicates,
          r.lasted,
          r.resumed,
          r.recovery,
          r.verdict,
        ]),
      );
    for (const r of rows) {
      if (Object.keys(r.notAccepted || {}).length)
        console.log(`  ${r.fault}: not accepted ${JSON.stringify(r.notAccepted)}`);
      if (r.lost) console.log(`  ${r.fault}: lost, e.g. ${JSON.stringify(r.lostSample.slice(0, 3))}`);
      if (r.duplicates) console.log(`  ${r.fault}: duplicates, e.g. ${JSON.stringify(r.duplicateSample.slice(0, 3))}`);
      if (r.foreignSample) console.log(`  ${r.fault}: e.g. ${JSON.stringify(r.foreignSample.slice(0, 3))}`);
    }
    console.log(`\ndetails: ${path.relative(ROOT, resultFile)}; service logs: ${path.relative(ROOT, logFile)}`);
    const failed = rows.filter((r) => r.verdict !== 'pass');
    await cleanup();
    logStream.end();
    if (failed.length) {
      console.log(
        `FAULT SUITE FAILED — ${failed.length} of ${rows.length} rows failed: ${failed.map((r) => r.fault).join(', ')}`,
      );
      return 1;
    }
    console.log(`fault suite held: all ${rows.length} rows pass (${acceptedTotal} accepted postbacks, none lost)`);
    return 0;
  } catch (e) {
    console.error(`FAULT SUITE ERROR — ${e.stack || e.message}`);
    await cleanup();
    logStream.end();
    return 2;
  }
}

main().then((code) => process.exit(code));
