import { randomBytes } from 'node:crypto';
import type { ConfigEntityV1 } from '@snaptrack/contracts-events';
import { createDataSource, dropDatabase, openDatabase, withDatabase } from '@snaptrack/util-db';
import type { DataSource } from 'typeorm';
import { applyRecords } from './apply';
import type { ConfigRecord, ConfigViewStore } from './config-view.types';
import { CreateConfigView1797000000000 } from './create-config-view.migration';
import { MemoryConfigViewStore } from './memory-store';
import { PostgresConfigViewStore, configViewTableSql } from './postgres-store';

const PG_BASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const offer = (id: string, version: number, url: string | null, deleted = false): ConfigEntityV1.Value =>
  ({
    schema: 'config.entity.v1',
    entity_type: 'offer',
    id,
    account_id: 'acc',
    version,
    deleted,
    updated_at: '2026-12-07T00:00:00.000Z',
    data: deleted ? null : { name: 'o', url, offer_source_id: 's' },
  }) as ConfigEntityV1.Value;

let offset = 0;
const rec = (value: ConfigEntityV1.Value | null, key?: string, at?: number): ConfigRecord => ({
  key: key ?? `${value!.entity_type}:${value!.id}`,
  value,
  partition: 0,
  offset: String(at ?? ++offset),
});

/** The apply rules, run against each storage adapter. */
function ruleSuite(name: string, makeStore: () => Promise<ConfigViewStore>) {
  describe(`apply rules (${name})`, () => {
    let store: ConfigViewStore;
    beforeEach(async () => {
      store = await makeStore();
    });
    const url = async (id: string) => {
      const e = (await store.entries([`offer:${id}`])).get(`offer:${id}`);
      return e ? (e.deleted ? 'deleted' : (e.data as { url: string }).url) : 'unknown';
    };
    const version = async (id: string) => (await store.entries([`offer:${id}`])).get(`offer:${id}`)?.version;

    it('applies a value only when its version is newer', async () => {
      expect(await applyRecords(store, [rec(offer('a', 2, 'v2'))])).toHaveLength(1);
      expect(await applyRecords(store, [rec(offer('a', 1, 'v1'))])).toEqual([]);
      expect(await applyRecords(store, [rec(offer('a', 2, 'v2-again'))])).toEqual([]);
      expect(await url('a')).toBe('v2');
      const [change] = await applyRecords(store, [rec(offer('a', 3, 'v3'))]);
      expect(change.previous).toMatchObject({ version: 2, data: { url: 'v2' } });
      expect(change.current).toMatchObject({ version: 3, deleted: false, data: { url: 'v3' }, accountId: 'acc' });
      expect(await url('a')).toBe('v3');
    });

    it('keeps a deleted entry: older values cannot resurrect it, newer ones re-create it', async () => {
      await applyRecords(store, [rec(offer('b', 1, 'v1'))]);
      const [gone] = await applyRecords(store, [rec(offer('b', 2, null, true))]);
      expect(gone.current).toMatchObject({ deleted: true, data: null, version: 2 });
      expect(await applyRecords(store, [rec(offer('b', 1, 'v1'))])).toEqual([]);
      expect(await url('b')).toBe('deleted');
      await applyRecords(store, [rec(offer('b', 3, 'v3'))]);
      expect(await url('b')).toBe('v3');
    });

    it('a Kafka tombstone removes the key and keeps its version: an older replayed value is refused', async () => {
      await applyRecords(store, [rec(offer('c', 4, 'v4'))]);
      const [gone] = await applyRecords(store, [rec(null, 'offer:c')]);
      expect(gone).toMatchObject({ previous: { deleted: false, version: 4 }, current: { deleted: true, version: 4 } });
      expect(await version('c')).toBe(4);
      // The dispatcher used to upsert such values after a delete, bringing the entity back.
      expect(await applyRecords(store, [rec(offer('c', 3, 'v3')), rec(offer('c', 4, 'v4'))])).toEqual([]);
      expect(await url('c')).toBe('deleted');
      // A tombstone for an unknown or already deleted key changes nothing.
      expect(await applyRecords(store, [rec(null, 'offer:c'), rec(null, 'offer:nobody')])).toEqual([]);
      expect(await url('nobody')).toBe('unknown');
    });

    it('in one batch a tombstone deletes the values before it (offset order), whatever the listed order', async () => {
      await applyRecords(store, [rec(offer('d', 1, 'v1'))]);
      const changes = await applyRecords(store, [rec(null, 'offer:d', 20), rec(offer('d', 2, 'v2'), undefined, 10)]);
      expect(changes).toHaveLength(1);
      expect(changes[0].current).toMatchObject({ deleted: true, version: 2 });
      expect(await url('d')).toBe('deleted');
    });

    it('in one batch a newer value after a tombstone survives it (conversion-service used to delete it)', async () => {
      await applyRecords(store, [rec(offer('e', 1, 'v1'))]);
      const changes = await applyRecords(store, [rec(offer('e', 2, 'v2'), undefined, 31), rec(null, 'offer:e', 30)]);
      expect(changes).toHaveLength(1);
      expect(changes[0].current).toMatchObject({ deleted: false, version: 2, data: { url: 'v2' } });
      expect(await url('e')).toBe('v2');
    });

    it('keeps the newest of several versions of one key in a batch and reports one change per key', async () => {
      const changes = await applyRecords(store, [
        rec(offer('f', 2, 'v2')),
        rec(offer('f', 5, 'v5')),
        rec(offer('f', 3, 'v3')),
        rec(offer('g', 1, 'g1')),
      ]);
      expect(changes.map((c) => [c.key, c.current.version])).toEqual([
        ['offer:f', 5],
        ['offer:g', 1],
      ]);
      expect(await url('f')).toBe('v5');
    });

    it('the store itself refuses an older write (two writers racing on one key keep the newest)', async () => {
      await applyRecords(store, [rec(offer('h', 7, 'v7'))]);
      const older = { ...(await store.entries(['offer:h'])).get('offer:h')!, version: 6, data: { url: 'v6' } };
      expect(await store.write([older])).toEqual([]);
      expect(await url('h')).toBe('v7');
    });
  });
}

ruleSuite('memory adapter', () => Promise.resolve(new MemoryConfigViewStore()));

describe('Postgres adapter (real Postgres)', () => {
  const url = withDatabase(PG_BASE_URL, `config_view_test_${randomBytes(4).toString('hex')}`);
  let ds: DataSource;
  let n = 0;
  beforeAll(async () => {
    ds = await openDatabase(createDataSource({ url, entities: [], migrations: [CreateConfigView1797000000000] }));
  });
  afterAll(async () => {
    await ds?.destroy();
    await dropDatabase(url);
  });

  ruleSuite('Postgres adapter, default table', () => Promise.resolve(new PostgresConfigViewStore(ds)));

  ruleSuite('Postgres adapter, a table of its own name', async () => {
    const table = `config_entity_${++n}`;
    for (const sql of configViewTableSql(table)) await ds.query(sql);
    return new PostgresConfigViewStore(ds, { table });
  });

  it('stores the shared row shape', async () => {
    const store = new PostgresConfigViewStore(ds);
    await applyRecords(store, [rec(offer('row', 9, 'https://x/'))]);
    const [row] = await ds.query(`SELECT * FROM config_view_entity WHERE key = 'offer:row'`);
    expect(row).toMatchObject({
      key: 'offer:row',
      entity_type: 'offer',
      entity_id: 'row',
      account_id: 'acc',
      version: '9',
      deleted: false,
      data: { url: 'https://x/' },
    });
    expect(() => new PostgresConfigViewStore(ds, { table: 'x; DROP TABLE y' })).toThrow(/plain table name/);
  });
});
