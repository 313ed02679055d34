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
      port: ports.dispatcher,
      ready: '/readyz',
      env: { DATABASE_URL: pgUrl(`${dbPrefix}_dispatcher`), SNAP_CAPI_BASE_URL: `http://127.0.0.1:${ports.sandbox}` },
    },
    {
      name: 'gateway',
      entry: 'apps/gateway/dist/main.js',
      port: ports.gateway,
      ready: '/readyz',
      env: {
        DATABASE_URL: pgUrl(`${dbPrefix}_gateway`),
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
  return { ports, list: list.map((x) => ({ ...x, env: { ...common, PORT: String(x.port), ...x.env } })) };
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
 * (e.g. `--cpu-prof`); `opts.env` is added to every service's environment.
 */
async function startPlatform(opts = {}) {
  const { ports, list } = services(opts);
  const procs = [];
  const out = opts.output || ((name, line) => process.stdout.write(`${name.padEnd(25)} ${line}\n`));
  const stop = async () => {
    for (const p of [...procs].reverse()) {
      if (p.child.exitCode === null) p.child.kill('SIGTERM');
      await new Promise((r) => {
        if (p.child.exitCode !== null) return r();
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
  try {
    for (const svc of list) {
      if (opts.skip && opts.skip.includes(svc.name)) continue;
      const child = spawn(process.execPath, [...(opts.nodeArgs || []), path.join(ROOT, svc.entry)], {
        cwd: ROOT,
        env: { ...process.env, ...(opts.env || {}), ...svc.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      procs.push({ name: svc.name, child, svc });
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
  } catch (e) {
    await stop();
    throw e;
  }
  return { ports, procs, stop };
}

/** Creates (once) a dev account through the gateway CLI and returns { account_id, api_key }. */
function devAccount(opts = {}) {
  const file = opts.file || path.join(CACHE, 'dev-account.json');
  if (fs.existsSync(file) && !opts.fresh) return JSON.parse(fs.readFileSync(file, 'utf8'));
  const { list } = services(opts);
  const gw = list.find((s) => s.name === 'gateway');
  const outText = execFileSync(
    process.execPath,
    [path.join(ROOT, 'apps/gateway/dist/cli.js'), 'create-account', opts.name || 'Demo account'],
    {
      env: { ...process.env, ...gw.env },
      encoding: 'utf8',
    },
  );
  const acc = JSON.parse(outText.trim().split('\n').pop());
  if (!opts.fresh) fs.writeFileSync(file, JSON.stringify(acc), { mode: 0o600 });
  return acc;
}

/** Drops the databases a platform started with `opts` used (tests and the benchmark clean up after themselves). */
async function dropPlatformDatabases(opts = {}) {
  const { dropDatabase } = require(path.join(ROOT, 'libs/shared/util-db/dist/index.js'));
  for (const svc of services(opts).list) if (svc.env.DATABASE_URL) await dropDatabase(svc.env.DATABASE_URL);
}

module.exports = { services, startPlatform, devAccount, devSecrets, dropPlatformDatabases, ROOT };
