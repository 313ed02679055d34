import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

/**
 * docker/postgres/init/01-roles-and-databases.sh against the local PostgreSQL (under a unique prefix, so the developer
 * databases are untouched), and the services' MIGRATE_ONLY mode (their built dist/main.js) running as those roles:
 * no superuser needed at start, and an upgrade from superuser-owned databases works.
 */
const ROOT = path.resolve(__dirname, '../../..');
const SCRIPT = path.join(ROOT, 'docker/postgres/init/01-roles-and-databases.sh');
const BASE = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const run = promisify(execFile);
const prefix = `snaptrack_it${randomBytes(3).toString('hex')}_`;
const SERVICES = ['config', 'campaign', 'conversion', 'dispatcher', 'account'] as const;
const TOKEN_KEYS = `k1:${Buffer.alloc(32, 7).toString('base64')}`;

function url(db: string, user = BASE.username): string {
  const u = new URL(BASE.toString());
  u.username = user;
  u.pathname = `/${db}`;
  return u.toString();
}
async function query<T>(db: string, sql: string, user?: string): Promise<T[]> {
  const c = new Client({ connectionString: url(db, user) });
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end();
  }
}
function initScript() {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    PGHOST: BASE.hostname,
    PGPORT: BASE.port || '5432',
    POSTGRES_USER: BASE.username,
    SNAPTRACK_DB_PREFIX: prefix,
  };
  for (const s of SERVICES) env[`${s.toUpperCase()}_DB_PASSWORD`] = `pw-${s}-${randomBytes(4).toString('hex')}`;
  return run('sh', [SCRIPT], { env });
}
function migrateOnly(app: string, databaseUrl: string) {
  return run(process.execPath, [path.join(ROOT, `apps/${app}/dist/main.js`)], {
    env: {
      PATH: process.env.PATH,
      MIGRATE_ONLY: 'true',
      DATABASE_URL: databaseUrl,
      INTERNAL_AUTH_SECRET: 'roles-test-secret',
      TOKEN_ENCRYPTION_KEYS: TOKEN_KEYS,
      LOG_LEVEL: 'info',
    },
    timeout: 60000,
  });
}

describe('per-service PostgreSQL roles (docker/postgres/init) and MIGRATE_ONLY', () => {
  afterAll(async () => {
    for (const s of SERVICES) await query('postgres', `DROP DATABASE IF EXISTS "${prefix}${s}" WITH (FORCE)`);
    for (const s of SERVICES) await query('postgres', `DROP ROLE IF EXISTS "${prefix}${s}"`);
  });

  it('an existing deployment: the dispatcher database, created and migrated by the superuser', async () => {
    await query('postgres', `CREATE DATABASE "${prefix}dispatcher"`);
    const { stdout } = await migrateOnly('snapchat-capi-dispatcher', url(`${prefix}dispatcher`));
    expect(stdout).toMatch(/migrations applied; exiting \(MIGRATE_ONLY\)/);
    const owners = await query<{ o: string }>(
      `${prefix}dispatcher`,
      `SELECT DISTINCT tableowner AS o FROM pg_tables
      WHERE schemaname = 'public'`,
    );
    expect(owners.map((r) => r.o)).toEqual([BASE.username]);
  });

  it('the init script makes one NOSUPERUSER NOCREATEDB role per service, owning its database; idempotent', async () => {
    await initScript();
    await initScript(); // the documented upgrade step may run again
    const roles = await query<{ rolname: string; rolsuper: boolean; rolcreatedb: boolean; rolcreaterole: boolean }>(
      'postgres',
      `SELECT rolname, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname LIKE '${prefix}%' ORDER BY 1`,
    );
    expect(roles).toEqual(
      SERVICES.map((s) => `${prefix}${s}`)
        .sort()
        .map((rolname) => ({ rolname, rolsuper: false, rolcreatedb: false, rolcreaterole: false })),
    );
    const dbs = await query<{ datname: string; owner: string }>(
      'postgres',
      `SELECT datname, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname LIKE '${prefix}%' ORDER BY 1`,
    );
    expect(dbs).toEqual(roles.map((r) => ({ datname: r.rolname, owner: r.rolname })));
  });

  it('the upgrade hands the superuser-made tables to the role, whose next migration can alter them', async () => {
    const role = `${prefix}dispatcher`;
    const notOwned = await query<{ t: string }>(
      role,
      `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'
      AND tableowner <> '${role}'`,
    );
    expect(notOwned).toEqual([]);
    const [{ t }] = await query<{ t: string }>(
      role,
      `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'
      AND tablename <> 'migrations' ORDER BY 1 LIMIT 1`,
    );
    await query(role, `ALTER TABLE "${t}" ADD COLUMN roles_test int; ALTER TABLE "${t}" DROP COLUMN roles_test`, role);
    const { stdout } = await migrateOnly('snapchat-capi-dispatcher', url(role, role));
    expect(stdout).toMatch(/"applied":\[\]/);
  });

  it('each service migrates its own database as its role (no superuser at start), and reaches no other', async () => {
    const role = `${prefix}config`;
    for (const [app, db] of [
      ['config-service', role],
      ['account-service', `${prefix}account`],
      ['campaign-service', `${prefix}campaign`],
      ['conversion-service', `${prefix}conversion`],
    ]) {
      const { stdout } = await migrateOnly(app, url(db, db));
      expect(stdout).toMatch(/migrations applied; exiting \(MIGRATE_ONLY\)/);
      const owners = await query<{ o: string }>(
        db,
        `SELECT DISTINCT tableowner AS o FROM pg_tables WHERE schemaname = 'public'`,
      );
      expect(owners.map((r) => r.o)).toEqual([db]);
    }
    await expect(query(`${prefix}campaign`, 'SELECT 1', role)).rejects.toMatchObject({ code: '42501' });
    await expect(query(role, `CREATE DATABASE "${prefix}x"`, role)).rejects.toMatchObject({ code: '42501' });
  });
});
