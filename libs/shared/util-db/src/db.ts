import 'reflect-metadata';
import { Client } from 'pg';
import { DataSource, type MixedList, type EntitySchema } from 'typeorm';

/** Same server, another database name. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

/**
 * Makes sure the database exists. It first connects to the database itself: when that works (the usual case, and the
 * only one open to a production role that owns its database but may not create databases) nothing else happens.
 * Only a missing database is created, through the `postgres` maintenance database (idempotent; safe under
 * concurrency); a role without CREATEDB then gets an error that says what to do.
 */
export async function ensureDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`refusing to create database with unusual name "${name}"`);
  if (await databaseExists(url)) return;
  const admin = new Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      try {
        await admin.query(`CREATE DATABASE "${name}"`);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === '42501')
          throw new Error(
            `database "${name}" does not exist and this role may not create databases: create it (owned by this ` +
              `role) first, e.g. with docker/postgres/init, or grant the role CREATEDB`,
          );
        if (code !== '42P04') throw e; // duplicate_database: someone else won
      }
    }
  } finally {
    await admin.end();
  }
}

/** True when the URL's database accepts a connection; false only when it does not exist (3D000). */
async function databaseExists(url: string): Promise<boolean> {
  const probe = new Client({ connectionString: url });
  try {
    await probe.connect();
    return true;
  } catch (e) {
    if ((e as { code?: string }).code === '3D000') return false; // invalid_catalog_name
    throw e;
  } finally {
    await probe.end().catch(() => undefined);
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  const admin = new Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export interface DataSourceOptions {
  url: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  entities: MixedList<Function | string | EntitySchema<any>>;

  migrations: MixedList<Function | string>;
  poolSize?: number;
  applicationName?: string;
}

/** One DataSource per service; schema changes only through migrations. */
export function createDataSource(opts: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: opts.url,
    entities: opts.entities,
    migrations: opts.migrations,
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    logging: false,
    poolSize: opts.poolSize ?? 10,
    applicationName: opts.applicationName,
    extra: { connectionTimeoutMillis: 5000 },
  });
}

/**
 * Creates the database if needed, connects and runs pending migrations (`migrate: false` skips them: a deploy step
 * ran them with `migrateOnly`, see RUN_MIGRATIONS).
 */
export async function openDatabase(ds: DataSource, opts: { migrate?: boolean } = {}): Promise<DataSource> {
  const url = (ds.options as { url?: string }).url;
  if (url) await ensureDatabase(url);
  await ds.initialize();
  if (opts.migrate !== false) await ds.runMigrations({ transaction: 'each' });
  return ds;
}

/**
 * The MIGRATE_ONLY deploy step: create the database if missing, apply the pending migrations and close the pool.
 * Returns the names of the migrations it applied (none when the schema was already current). Run it once per
 * deploy, before the new version starts: each migration runs in its own transaction, but two runs at the same time
 * can both try the same migration and one of them then fails.
 */
export async function migrateOnly(ds: DataSource): Promise<string[]> {
  await openDatabase(ds, { migrate: false });
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

export async function dbReachable(ds: DataSource): Promise<boolean> {
  try {
    if (!ds.isInitialized) return false;
    await ds.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}

export function pgCode(e: unknown): string | undefined {
  const err = e as { code?: string; driverError?: { code?: string } };
  return err?.driverError?.code ?? err?.code;
}
export function pgConstraint(e: unknown): string | undefined {
  const err = e as { constraint?: string; driverError?: { constraint?: string } };
  return err?.driverError?.constraint ?? err?.constraint;
}
export const isUniqueViolation = (e: unknown, constraint?: string) =>
  pgCode(e) === '23505' && (!constraint || pgConstraint(e) === constraint);
export const isSerializationFailure = (e: unknown) => pgCode(e) === '40001' || pgCode(e) === '40P01';
