// The local platform as child processes: shared by `npm start` (up.js), the system smoke test and the demo.
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const CACHE = path.join(ROOT, '.cache');

/** Dev secrets generated once per clone (kept in .cache/, git-ignored), so encrypted tokens survive restarts. */
function devSecrets() {
  fs.mkdirSync(CACHE, { recursive: true });
  const file = path.join(CACHE, 'dev-secrets.json');
  if (!fs.existsSync(file)) {
    fs.writeFileSync(
      file,
      JSON.stringify({
        INTERNAL_AUTH_SECRET: crypto.randomBytes(32).toString('hex'),
        TOKEN_ENCRYPTION_KEYS: `dev1:${crypto.randomBytes(32).toString('base64')}`,
      }),
      { mode: 0o600 },
    );
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function pgUrl(db, base = process.env.PG_BASE_URL || 'postgres://postgres@127.0.0.1:5432') {
  return `${base.replace(/\/+$/, '')}/${db}`;
}

/** name, entry, port, env, readiness path. `opts.prefix` isolates databases and topics (tests). */
function services(opts = {}) {
  const s = devSecrets();
  const p = opts.ports || {};
  const ports = {
    gateway: p.gateway ?? 4000,
    config: p.config ?? 4001,
    campaign: p.campaign ?? 4002,
    conversion: p.conversion ?? 4003,
    dispatcher: p.dispatcher ?? 4004,
    // Callers that lay their ports out from a base (tests, the benchmark: gateway = base … tracking = base + 6) and
    // name no account port get base + 7, never the dev platform's 4005.
    account: p.account ?? (p.gateway !== undefined ? p.gateway + 7 : 4005),
    sandbox: p.sandbox ?? 4010,
    tracking: p.tracking ?? 8080,
  };
  const dbPrefix = opts.dbPrefix || 'snaptrack';
  const common = {
    LOG_LEVEL: process.env.LOG_LEVEL || 'info',
    KAFKA_BROKERS: process.env.KAFKA_BROKERS || `127.0.0.1:${process.env.KAFKA_PORT || 9092}`,
    KAFKA_TOPIC_PREFIX: opts.topicPrefix || '',
    INTERNAL_AUTH_SECRET: s.INTERNAL_AUTH_SECRET,
    TOKEN_ENCRYPTION_KEYS: s.TOKEN_ENCRYPTION_KEYS,
    PUBLIC_TRACKING_URL: `http://127.0.0.1:${ports.tracking}`,
    NODE_ENV: opts.environment || 'development',
  };
  const list = [
    {
      name: 'snap-capi-sandbox',
      entry: 'tools/snap-capi-sandbox/dist/main.js',
      port: ports.sandbox,
      ready: '/healthz',
      env: { SANDBOX_PORT: String(ports.sandbox) },
    },
    {
      name: 'config-service',
      entry: 'apps/config-service/dist/main.js',
      port: ports.config,
      ready: '/readyz',
      env: { DATABASE_URL: pgUrl(`${dbPrefix}_config`) },
    },
    {
      name: 'campaign-service',
      entry: 'apps/campaign-service/dist/main.js',
      port: ports.campaign,
      ready: '/readyz',
      env: { DATABASE_URL: pgUrl(`${dbPrefix}_campaign`) },
    },
    {
      name: 'conversion-service',
      entry: 'apps/conversion-service/dist/main.js',
      port: ports.conversion,
      ready: '/readyz',
      env: { DATABASE_URL: pgUrl(`${dbPrefix}_conversion`) },
    },
    {
      name: 'snapchat-capi-dispatcher',
      entry: 'apps/snapchat-capi-dispatcher/dist/main.js',
      // Same flag as its NODE_OPTIONS in docker/compose.yml (why: apps/snapchat-capi-dispatcher/README.md, "Memory").
      nodeArgs: ['--max-old-space-size=1024'],
      port: ports.dispatcher,
      ready: '/readyz',
      env: {
        DATABASE_URL: pgUrl(`${dbPrefix}_dispatcher`),
        SNAP_CAPI_BASE_URL: `http://127.0.0.1:${ports.sandbox}`,
        // Its consumer groups are not prefixed by the service (conversion-service's and campaign-service's are): two
        // platforms on one broker (a system test beside npm start, the fault suite, the bench) must not share one
        // group over different topics, where a member can be handed the other platform's partitions and leave its
        // own unread.
        ...(opts.topicPrefix ? { KAFKA_GROUP_ID: `${opts.topicPrefix}snapchat-capi-dispatcher` } : {}),
      },
    },
    {
      name: 'account-service',
      entry: 'apps/account-service/dist/main.js',
      port: ports.account,
      ready: '/readyz',
      env: { DATABASE_URL: pgUrl(`${dbPrefix}_account`) },
    },
    {
      // Stateless: no database; API keys are checked at account-service (POST /internal/authenticate).
      name: 'gateway',
      entry: 'apps/gateway/dist/main.js',
      port: ports.gateway,
      ready: '/readyz',
      env: {
        ACCOUNT_SERVICE_URL: `http://127.0.0.1:${ports.account}/graphql`,
        CONFIG_SERVICE_URL: `http://127.0.0.1:${ports.config}/graphql`,
        CAMPAIGN_SERVICE_URL: `http://127.0.0.1:${ports.campaign}/graphql`,
        CONVERSION_SERVICE_URL: `http://127.0.0.1:${ports.conversion}/graphql`,
      },
    },
    {
      name: 'tracking-proxy',
      entry: 'tools/scripts/tracking-proxy.js',
      port: ports.tracking,
      ready: null,
      env: {
        CAMPAIGN_SERVICE_HTTP_URL: `http://127.0.0.1:${ports.campaign}`,
        CONVERSION_SERVICE_HTTP_URL: `http://127.0.0.1:${ports.conversion}`,
      },
    },
  ];
  const expanded = withInstances(list, opts.instances);
  return { ports, list: expanded.map((x) => ({ ...x, env: { ...common, PORT: String(x.port), ...x.env } })) };
}

/** The services that may run as several instances (`opts.instances`). */
const SCALABLE = ['campaign-service', 'conversion-service', 'snapchat-capi-dispatcher'];

/**
 * `instances`: a number (every scalable service) or `{ [service name]: n }`. A service with n > 1 becomes
 * `<name>-1` … `<name>-n` on its port + 100·i; an HTTP service (campaign, conversion) also gets `<name>-lb`, a
 * round-robin proxy on its own port, so the gateway and the tracking proxy reach the instances through it.
 * Dispatcher instances share the consumer group and the ledger database.
 */
function withInstances(list, instances) {
  const count = (name) => (typeof instances === 'number' ? instances : (instances && instances[name]) || 1);
  const out = [];
  for (const svc of list) {
    const n = SCALABLE.includes(svc.name) ? count(svc.name) : 1;
    if (n <= 1) {
      out.push(svc);
      continue;
    }
    const copies = Array.from({ length: n }, (_, i) => ({
      ...svc,
      name: `${svc.name}-${i + 1}`,
      port: svc.port + 100 * (i + 1),
    }));
    out.push(...copies);
    if (svc.name === 'snapchat-capi-dispatcher') continue;
    out.push({
      name: `${svc.name}-lb`,
      entry: 'tools/scripts/round-robin-proxy.js',
      port: svc.port,
      ready: svc.ready,
      env: { UPSTREAMS: copies.map((c) => `http://127.0.0.1:${c.port}`).join(',') },
    });
  }
  return out;
}

async function waitReady(url, ms = 60000, child) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not ready after ${ms} ms: ${url}`);
}

/**
 * Starts every service in order and waits for each one's readiness. Returns { ports, procs, stop }; each of `procs`
 * is { name, child, svc } (`child.pid` is the service's process). `opts.nodeArgs` are put before each entry script
 * (e.g. `--cpu-prof`), then the service's own `nodeArgs`; `opts.env` is added to every service's environment.
 * `opts.explorerApiKey`, a function called once account-service is ready, gives the key the gateway's explorer is
 * prefilled with (development only).
 */
async function startPlatform(opts = {}) {
  const { ports, list } = services(opts);
  const procs = [];
  const out = opts.output || ((name, line) => process.stdout.write(`${name.padEnd(25)} ${line}\n`));
  const stop = async () => {
    for (const p of [...procs].reverse()) {
      const exited = () => p.child.exitCode !== null || p.child.signalCode !== null;
      if (!exited()) p.child.kill('SIGTERM');
      await new Promise((r) => {
        if (exited()) return r();
        const t = setTimeout(() => {
          p.child.kill('SIGKILL');
          r();
        }, 10000);
        p.child.once('exit', () => {
          clearTimeout(t);
          r();
        });
      });
    }
  };
  /** Spawns one service, hands its { name, child, svc } to `place` (so `stop` sees it) and waits for readiness. */
  const launch = async (svc, place) => {
    const child = spawn(
      process.execPath,
      [...(opts.nodeArgs || []), ...(svc.nodeArgs || []), path.join(ROOT, svc.entry)],
      {
        cwd: ROOT,
        env: { ...process.env, ...(opts.env || {}), ...svc.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const proc = { name: svc.name, child, svc };
    place(proc);
    {
      for (const stream of [child.stdout, child.stderr]) {
        let buf = '';
        stream.on('data', (d) => {
          buf += d;
          let i;
          while ((i = buf.indexOf('\n')) >= 0) {
            out(svc.name, buf.slice(0, i));
            buf = buf.slice(i + 1);
          }
        });
      }
      await waitReady(
        `http://127.0.0.1:${svc.port}${svc.ready || '/healthz-proxy-probe'}`.replace(
          '/healthz-proxy-probe',
          '/healthz',
        ),
        90000,
        child,
      ).catch((e) => {
        throw new Error(`${svc.name} did not become ready: ${e.message}`);
      });
    }
    return proc;
  };
  /**
   * Kills one service (`signal`, default SIGKILL), waits `downMs`, starts it again and waits for its readiness (the
   * fault suite). Its entry in `procs` is replaced by the new process.
   */
  const restart = async (name, { signal = 'SIGKILL', downMs = 0 } = {}) => {
    const i = procs.findIndex((p) => p.name === name);
    if (i < 0) throw new Error(`no such service: ${name}`);
    const old = procs[i];
    if (old.child.exitCode === null && old.child.signalCode === null) {
      const exited = new Promise((r) => old.child.once('exit', r));
      old.child.kill(signal);
      await exited;
    }
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    return launch(old.svc, (proc) => (procs[i] = proc));
  };
  try {
    for (const svc of list) {
      if (opts.skip && opts.skip.includes(svc.name)) continue;
      // Development: the explorer opens with this key in its headers (account-service is up by now, so the
      // caller can create the dev account). The gateway refuses EXPLORER_DEFAULT_API_KEY in production.
      if (svc.name === 'gateway' && opts.explorerApiKey) {
        svc.env = { ...svc.env, EXPLORER_DEFAULT_API_KEY: await opts.explorerApiKey() };
      }
      await launch(svc, (proc) => procs.push(proc));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { ports, procs, stop, restart };
}

/** Creates (once) a dev account through the account-service CLI and returns { account_id, api_key }. */
function devAccount(opts = {}) {
  const file = opts.file || path.join(CACHE, 'dev-account.json');
  const { list } = services(opts);
  const accounts = list.find((s) => s.name === 'account-service');
  // The file names the database its account lives in: one made before accounts moved from snaptrack_gateway to
  // account-service's database (no `database`) is stale, and a new account is created.
  const database = new URL(accounts.env.DATABASE_URL).pathname.slice(1);
  if (fs.existsSync(file) && !opts.fresh) {
    const cached = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (cached.database === database) return cached;
  }
  const outText = execFileSync(
    process.execPath,
    [path.join(ROOT, 'apps/account-service/dist/cli.js'), 'create-account', opts.name || 'Demo account'],
    {
      env: { ...process.env, ...accounts.env },
      encoding: 'utf8',
    },
  );
  const acc = { ...JSON.parse(outText.trim().split('\n').pop()), database };
  if (!opts.fresh) fs.writeFileSync(file, JSON.stringify(acc), { mode: 0o600 });
  return acc;
}

/** Drops the databases a platform started with `opts` used (tests and the benchmark clean up after themselves). */
async function dropPlatformDatabases(opts = {}) {
  const { dropDatabase } = require(path.join(ROOT, 'libs/shared/util-db/dist/index.js'));
  const urls = new Set(
    services(opts)
      .list.map((svc) => svc.env.DATABASE_URL)
      .filter(Boolean),
  );
  for (const url of urls) await dropDatabase(url);
}

module.exports = { services, startPlatform, devAccount, devSecrets, dropPlatformDatabases, ROOT };
