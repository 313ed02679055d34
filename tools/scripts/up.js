#!/usr/bin/env node
// npm start: brings the whole platform up (Kafka and PostgreSQL are prepared by up.sh), prints the URLs; Ctrl-C stops
// it all.
const { startPlatform, devAccount } = require('./platform');

/**
 * Instances of the scalable services (campaign-service, conversion-service, snapchat-capi-dispatcher):
 * `npm start -- --instances 2` (each of them twice) or `--instances conversion-service=2,snapchat-capi-dispatcher=3`;
 * SNAPTRACK_INSTANCES takes the same values. Absent: one each.
 */
function parseInstances(argv, env) {
  const i = argv.indexOf('--instances');
  const eq = argv.find((a) => a.startsWith('--instances='));
  const raw = eq ? eq.slice('--instances='.length) : i >= 0 ? argv[i + 1] : env.SNAPTRACK_INSTANCES;
  if (raw === undefined || raw === '') return undefined;
  if (/^\d+$/.test(raw) && Number(raw) >= 1) return Number(raw);
  const out = {};
  for (const item of raw.split(',')) {
    const m = /^([a-z-]+)=(\d+)$/.exec(item.trim());
    if (!m || Number(m[2]) < 1) throw new Error(`--instances: "${item}" is neither a count nor <service>=<count>`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

(async () => {
  let platform;
  const shutdown = async () => {
    process.stdout.write('\nstopping…\n');
    if (platform) await platform.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  let instances;
  try {
    instances = parseInstances(process.argv.slice(2), process.env);
    // The explorer opens with the dev account's key in its headers (development only).
    platform = await startPlatform({ instances, explorerApiKey: () => devAccount().api_key });
  } catch (e) {
    process.stderr.write(`platform failed to start: ${e.message}\n`);
    process.exit(1);
  }
  const acc = devAccount();
  const { ports } = platform;
  process.stdout.write(
    [
      '',
      '  Snaptrack is up.',
      `  GraphQL gateway:   http://127.0.0.1:${ports.gateway}/graphql`,
      `  Explorer (dev):    http://127.0.0.1:${ports.gateway}/explorer   (the dev API key is already in its headers)`,
      `  Accounts:          http://127.0.0.1:${ports.account}   (account-service, internal; keys: ` +
        'node apps/account-service/dist/cli.js)',
      `  Tracking host:     http://127.0.0.1:${ports.tracking}   (clicks, /track.js, /postback)`,
      `  Snap CAPI sandbox: http://127.0.0.1:${ports.sandbox}    (GET /__admin/events)`,
      `  Dev account:       ${acc.account_id}`,
      `  API key:           ${acc.api_key}   (Authorization: Bearer …; stored in .cache/dev-account.json)`,
      '  Metrics (Prometheus text, per service):',
      ...[
        ['gateway', ports.gateway],
        ['account-service', ports.account],
        ['config-service', ports.config],
        ['campaign-service', ports.campaign],
        ['conversion-service', ports.conversion],
        ['dispatcher', ports.dispatcher],
      ].map(([name, port]) => `    ${name.padEnd(19)}http://127.0.0.1:${port}/metrics`),
      ...(instances
        ? [
            '  Instances (each scalable service with several runs as <name>-1…n on its port + 100·i; the HTTP ones',
            '  behind a round-robin proxy <name>-lb on the usual port):',
            ...platform.procs.map((p) => `    ${p.name.padEnd(27)}http://127.0.0.1:${p.svc.port}`),
          ]
        : []),
      '  Traces: set OTEL_EXPORTER_OTLP_ENDPOINT (e.g. http://127.0.0.1:4318) to export them over OTLP/HTTP.',
      '  Next: npm run demo   (walks the Snapchat setup guide end to end)   ·   Ctrl-C stops everything.',
      '',
    ].join('\n') + '\n',
  );
})();
