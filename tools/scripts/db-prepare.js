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
  await oldGatewayDatabaseHint();
}

/**
 * Accounts and API keys moved from the gateway's database (snaptrack_gateway) to account-service's
 * (snaptrack_account). A clone that still has the old one is told how to carry its accounts over.
 */
async function oldGatewayDatabaseHint() {
  const { Client } = require('pg');
  const base = (process.env.PG_BASE_URL || 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');
  const client = new Client({ connectionString: `${base}/postgres` });
  await client.connect();
  try {
    const { rowCount } = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'snaptrack_gateway'`);
    if (rowCount)
      console.log(
        'note: snaptrack_gateway (the gateway’s old database) still exists; the gateway no longer uses it. ' +
          'To keep its accounts and keys: pg_dump --data-only -t account -t api_key snaptrack_gateway | ' +
          'psql snaptrack_account (see apps/account-service/README.md), then drop it.',
      );
  } finally {
    await client.end();
  }
}

main().catch((e) => {
  console.error(`database preparation failed: ${e.message}`);
  process.exit(1);
});
