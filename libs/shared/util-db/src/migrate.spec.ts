import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  createDataSource,
  databaseName,
  dropDatabase,
  ensureDatabase,
  migrateOnly,
  openDatabase,
  withDatabase,
} from './db';

// Real PostgreSQL (util-db may not import util-testing, so the same conventions by hand): own databases and an own
// role per run, all dropped again.
const BASE = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const tag = randomUUID().replace(/-/g, '').slice(0, 12);

class CreateThing1000000000000 implements MigrationInterface {
  name = 'CreateThing1000000000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE thing (id int PRIMARY KEY)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE thing`);
  }
}
class AddThingName1000000000001 implements MigrationInterface {
  name = 'AddThingName1000000000001';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE thing ADD COLUMN name text`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE thing DROP COLUMN name`);
  }
}
const migrations = [CreateThing1000000000000, AddThingName1000000000001];

async function asSuperuser<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: BASE });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
async function tables(url: string): Promise<string[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    );
    return rows.map((r) => r.name);
  } finally {
    await c.end();
  }
}

describe('migrations at start, MIGRATE_ONLY and a role without CREATEDB (real PostgreSQL)', () => {
  const role = `snaptrack_test_role_${tag}`;
  const owned = withDatabase(BASE, `snaptrack_test_owned_${tag}`);
  const asRole = (url: string) => {
    const u = new URL(url);
    u.username = role;
    u.password = '';
    return u.toString();
  };
  const plain = withDatabase(BASE, `snaptrack_test_migrate_${tag}`);

  beforeAll(async () => {
    // What docker/postgres/init does in production: a login role that may not create databases, owning its database.
    await asSuperuser(async (c) => {
      await c.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE`);
      await c.query(`CREATE DATABASE ${databaseName(owned)} OWNER ${role}`);
    });
  });
  afterAll(async () => {
    await dropDatabase(owned);
    await dropDatabase(plain);
    await asSuperuser((c) => c.query(`DROP ROLE IF EXISTS ${role}`));
  });

  it('a role without CREATEDB starts on its existing database: ensureDatabase skips creation cleanly', async () => {
    await expect(ensureDatabase(asRole(owned))).resolves.toBeUndefined();
    const canCreate = await asSuperuser(async (c) => {
      const { rows } = await c.query<{ rolcreatedb: boolean }>('SELECT rolcreatedb FROM pg_roles WHERE rolname = $1', [
        role,
      ]);
      return rows[0].rolcreatedb;
    });
    expect(canCreate).toBe(false);
  });

  it('a role without CREATEDB gets an error that says what to do when its database is missing', async () => {
    const missing = asRole(withDatabase(BASE, `snaptrack_test_missing_${tag}`));
    await expect(ensureDatabase(missing)).rejects.toThrow(/does not exist and this role may not create databases/);
  });

  it(
    'migrateOnly applies the pending migrations as the owning role, closes the pool, and is a no-op ' + 'after',
    async () => {
      const ds = createDataSource({ url: asRole(owned), entities: [], migrations });
      expect(await migrateOnly(ds)).toEqual(['CreateThing1000000000000', 'AddThingName1000000000001']);
      expect(ds.isInitialized).toBe(false);
      expect(await tables(owned)).toEqual(['migrations', 'thing']);
      const owner = await (async () => {
        const c = new Client({ connectionString: owned });
        await c.connect();
        try {
          const { rows } = await c.query<{ owner: string }>(
            `SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'thing'`,
          );
          return rows[0].owner;
        } finally {
          await c.end();
        }
      })();
      expect(owner).toBe(role);
      expect(await migrateOnly(createDataSource({ url: asRole(owned), entities: [], migrations }))).toEqual([]);
    },
  );

  it('RUN_MIGRATIONS=false (openDatabase with migrate: false) creates the database but applies nothing', async () => {
    const ds = await openDatabase(createDataSource({ url: plain, entities: [], migrations }), { migrate: false });
    try {
      expect(await ds.showMigrations()).toBe(true); // pending ones remain
      expect(await tables(plain)).not.toContain('thing');
    } finally {
      await ds.destroy();
    }
    expect(await migrateOnly(createDataSource({ url: plain, entities: [], migrations }))).toHaveLength(2);
    const again = await openDatabase(createDataSource({ url: plain, entities: [], migrations }), { migrate: false });
    try {
      expect(await again.showMigrations()).toBe(false);
      expect(await tables(plain)).toContain('thing');
    } finally {
      await again.destroy();
    }
  });
});
