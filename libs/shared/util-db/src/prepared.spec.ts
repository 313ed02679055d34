import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dropDatabase, ensureDatabase, pgCode, withDatabase } from './db';
import { preparedQuery } from './prepared';

const BASE = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

describe('preparedQuery (real PostgreSQL)', () => {
  const url = withDatabase(BASE, `snaptrack_test_utildb_${randomUUID().replace(/-/g, '').slice(0, 12)}`);
  let ds: DataSource;

  beforeAll(async () => {
    await ensureDatabase(url);
    ds = new DataSource({ type: 'postgres', url, synchronize: false, logging: false, poolSize: 2 });
    await ds.initialize();
    await ds.query(`CREATE TABLE t (id int PRIMARY KEY, at timestamptz NOT NULL)`);
  });
  afterAll(async () => {
    await ds?.destroy();
    await dropDatabase(url);
  });

  const insert = `INSERT INTO t (id, at) VALUES ($1, $2) RETURNING id, at`;

  it('answers rows as node-postgres parses them, on a pooled connection or on a transaction', async () => {
    const at = new Date('2026-12-08T00:00:00.000Z');
    expect(await preparedQuery(ds, insert, [1, at])).toEqual([{ id: 1, at }]);
    const rolledBack = ds.transaction(async (tx) => {
      expect(await preparedQuery(tx, insert, [2, at])).toEqual([{ id: 2, at }]);
      throw new Error('roll back');
    });
    await expect(rolledBack).rejects.toThrow('roll back');
    expect(await ds.query(`SELECT id FROM t ORDER BY id`)).toEqual([{ id: 1 }]);
  });

  it('prepares the statement once per connection and reuses it', async () => {
    const prepared = await ds.transaction(async (tx) => {
      await preparedQuery(tx, insert, [10, new Date()]);
      await preparedQuery(tx, insert, [11, new Date()]);
      return tx.query(`SELECT statement FROM pg_prepared_statements WHERE statement = $1`, [insert]);
    });
    expect(prepared).toHaveLength(1);
  });

  it("keeps PostgreSQL's error code for the caller", async () => {
    const e = await preparedQuery(ds, insert, [1, new Date()]).catch((err: unknown) => err);
    expect(pgCode(e)).toBe('23505');
  });
});
