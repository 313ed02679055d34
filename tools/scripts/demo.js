#!/usr/bin/env node
// npm run demo: the Snapchat setup guide, end to end, against the platform `npm start` brought up.
const fs = require('node:fs');
const path = require('node:path');
const { walkthrough } = require('./walkthrough');
const { advertiserWalkthrough } = require('./advertiser-walkthrough');

// `npm run demo -- --advertiser`: the advertiser's own website instead of a network's offer and postback.
const advertiser = process.argv.includes('--advertiser');

const ROOT = path.resolve(__dirname, '../..');
const accountFile = path.join(ROOT, '.cache/dev-account.json');
if (!fs.existsSync(accountFile)) {
  console.error('No dev account yet: start the platform first with `npm start` (it creates one).');
  process.exit(1);
}
const { api_key: apiKey } = JSON.parse(fs.readFileSync(accountFile, 'utf8'));
const gatewayUrl = process.env.GATEWAY_URL || 'http://127.0.0.1:4000';
const trackingUrl = process.env.TRACKING_URL || 'http://127.0.0.1:8080';
const sandboxUrl = process.env.SANDBOX_URL || 'http://127.0.0.1:4010';

(advertiser ? advertiserWalkthrough : walkthrough)({
  gatewayUrl,
  trackingUrl,
  sandboxUrl,
  apiKey,
  log: (step, text) => process.stdout.write(`\n\x1b[1m${step}\x1b[0m\n   ${text}\n`),
}).then(
  () =>
    process.stdout.write(
      advertiser
        ? "\nDone: the page and the backend reported one order; Snapchat received it once, with the Pixel's event id.\n"
        : '\nDone: one conversion, delivered once to the Snapchat pixel, with hashed customer data.\n',
    ),
  (e) => {
    process.stderr.write(`\ndemo failed: ${e.message}\n(is the platform up? run \`npm start\` in another terminal)\n`);
    process.exit(1);
  },
);
