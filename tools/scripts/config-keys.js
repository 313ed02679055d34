// The config keys an app declares: the key table its built config module exports (apps/<app>/dist/config.js; run the
// build first). generate.js prints it into the README; the compose test checks each service's secrets against it.
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const isKey = (k) => !!k && typeof k === 'object' && 'env' in k && 'doc' in k;

/** The app's key table (`{ name: { env, doc, secret?, optional?, … } }`), or null when it is not built or has none. */
function declaredConfig(app) {
  const file = path.join(ROOT, `apps/${app}/dist/config.js`);
  if (!fs.existsSync(file)) return null;
  const mod = require(file);
  return Object.values(mod).find((v) => v && typeof v === 'object' && Object.values(v).every(isKey)) ?? null;
}

module.exports = { declaredConfig };
