#!/usr/bin/env node
// npm start: brings the whole platform up (Kafka and PostgreSQL are prepared by up.sh), prints the URLs; Ctrl-C stops
// it all.
const { startPlatform, devAccount } = require('./platform');

(async () => {
  let platform;
  const shutdown = async () => {
    process.stdout.write('\nstopping…\n');
    if (platform) await platform.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  try {
    // The explorer opens with the dev account's key in its headers (development only).
    platform = await startPlatform({ explorerApiKey: () => devAccount().api_key });
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
      '  Traces: set OTEL_EXPORTER_OTLP_ENDPOINT (e.g. http://127.0.0.1:4318) to export them over OTLP/HTTP.',
      '  Next: npm run demo   (walks the Snapchat setup guide end to end)   ·   Ctrl-C stops everything.',
      '',
    ].join('\n') + '\n',
  );
})();
