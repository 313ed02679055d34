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

/** CREATE DATABASE if it does not exist (idempotent; safe under concurrency). */
export async function ensureDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`refusing to create database with unusual name "${name}"`);
  const admin = new Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      try {
        await admin.query(`CREATE DATABASE "${name}"`);
      } catch (e) {
        if ((e as { code?: string }).code !== '42P04') throw e; // duplicate_database: someone else won
      }
    }
  } finally {
    await admin.end();
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

/** Creates the database if needed, connects and runs pending migrations. */
export async function openDatabase(ds: DataSource, opts: { migrate?: boolean } = {}): Promise<DataSource> {
  const url = (ds.options as { url?: string }).url;
  if (url) await ensureDatabase(url);
  await ds.initialize();
  if (opts.migrate !== false) await ds.runMigrations({ transaction: 'each' });
  return ds;
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
