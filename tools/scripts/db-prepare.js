#!/usr/bin/env node
// Creates one database per service (idempotent) and runs each service's pending TypeORM migrations.
// Uses each app's built data source (apps/<app>/dist/data-source.js), so run the build first.
require('reflect-metadata');
const path = require('node:path');
const { services, ROOT } = require('./platform');
const { ensureDatabase } = require(path.join(ROOT, 'libs/shared/util-db/dist/index.js'));

async function main() {
  for (const svc of services().list) {
    if (!svc.env.DATABASE_URL || !svc.entry.startsWith('apps/')) continue;
    const mod = require(path.join(ROOT, path.dirname(svc.entry), 'data-source.js'));
    const factory = Object.entries(mod).find(([k, v]) => typeof v === 'function' && /^create\w*DataSource$/.test(k));
    if (!factory) throw new Error(`${svc.name}: data-source.js exports no create…DataSource(url) factory`);
    await ensureDatabase(svc.env.DATABASE_URL);
    const ds = factory[1](svc.env.DATABASE_URL);
    await ds.initialize();
    const ran = await ds.runMigrations({ transaction: 'each' });
    await ds.destroy();
    console.log(
      `${svc.name}: database ${new URL(svc.env.DATABASE_URL).pathname.slice(1)} ready (${ran.length} ` +
        `migration(s) applied)`,
    );
  }
}

main().catch((e) => {
  console.error(`database preparation failed: ${e.message}`);
  process.exit(1);
});
