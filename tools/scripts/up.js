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
    platform = await startPlatform();
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
      `  Explorer (dev):    http://127.0.0.1:${ports.gateway}/explorer`,
      `  Accounts:          http://127.0.0.1:${ports.account}   (account-service, internal; keys: ` +
        'node apps/account-service/dist/cli.js)',
      `  Tracking host:     http://127.0.0.1:${ports.tracking}   (clicks, /track.js, /postback)`,
      `  Snap CAPI sandbox: http://127.0.0.1:${ports.sandbox}    (GET /__admin/events)`,
      `  Dev account:       ${acc.account_id}`,
      `  API key:           ${acc.api_key}   (Authorization: Bearer …; stored in .cache/dev-account.json)`,
      '  Next: npm run demo   (walks the Snapchat setup guide end to end)   ·   Ctrl-C stops everything.',
      '',
    ].join('\n') + '\n',
  );
})();
