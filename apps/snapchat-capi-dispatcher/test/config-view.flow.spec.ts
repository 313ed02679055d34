import { randomUUID } from 'node:crypto';
import { createDataSource, openDatabase } from '@snaptrack/util-db';
import { createLogger } from '@snaptrack/util-logger';
import { createTestDatabase } from '@snaptrack/util-testing';
import { applyRecords } from '@snaptrack/data-access-config-view';
import type { DataSource } from 'typeorm';
import { ConfigViewService } from '../src/config-view/config-view.service';
import { entities } from '../src/data-source';
import { migrations } from '../src/migrations';
import { newPixel, pixelEntity } from './factories';

const log = createLogger('test', 'error');

describe('snapchat-capi-dispatcher config view (real PostgreSQL)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let ds: DataSource;
  const acc = `acc_${randomUUID().slice(0, 8)}`;
  const before = pixelEntity({
    accountId: acc,
    pixelId: newPixel().pixelId,
    placement: { kind: 'channel', traffic_channel_id: 'tc_1' },
    version: 4,
  });

  beforeAll(async () => {
    db = await createTestDatabase('dispatcher');
    // The schema as it was before the shared row shape, with one row in it.
    const upTo = migrations.findIndex((m) => m.name === 'ConfigViewSharedShape1797120000000');
    expect(upTo).toBeGreaterThan(0);
    const old = await openDatabase(createDataSource({ url: db.url, entities, migrations: migrations.slice(0, upTo) }));
    await old.query(
      `INSERT INTO config_entity (entity_type, id, account_id, version, deleted, data, updated_at, created_at)
       VALUES ('pixel', $1, $2, 4, false, $3, $4, '2026-01-02T00:00:00Z')`,
      [before.id, acc, JSON.stringify(before.data), before.updated_at],
    );
    await old.destroy();
    ds = await openDatabase(createDataSource({ url: db.url, entities, migrations }));
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('the migration keeps the rows, keyed <entity_type>:<id>, with their creation time', async () => {
    const [row] = await ds.query(`SELECT * FROM config_entity`);
    expect(row).toMatchObject({ key: `pixel:${before.id}`, entity_type: 'pixel', entity_id: before.id, version: '4' });
    expect(new Date(row.created_at).toISOString()).toBe('2026-01-02T00:00:00.000Z');
    const view = new ConfigViewService(ds, log);
    expect((await view.pixelPlacement(before.id))?.configId).toBe(before.id);
  });

  it('a tombstone removes a placement for good: the older value replayed after it does not bring it back', async () => {
    const view = new ConfigViewService(ds, log);
    const key = `pixel:${before.id}`;
    const removed = await view.placementChanges(
      await applyRecords(view.store, [{ key, value: null, partition: 0, offset: '10' }]),
    );
    expect(removed).toHaveLength(1);
    expect(removed[0]).toMatchObject({ configId: before.id, current: null, previous: { configId: before.id } });
    expect(removed[0].createdAt.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    // The dispatcher used to upsert such a value after a delete, re-creating the placement.
    expect(await view.upsert([{ ...before, version: 3 }, before])).toEqual([]);
    expect(await view.pixelPlacement(before.id)).toBeNull();
    // A newer version re-creates it, with the creation time the view first saw.
    const [back] = await view.upsert([{ ...before, version: 5 }]);
    expect(back).toMatchObject({ configId: before.id, previous: null, current: { configId: before.id } });
    expect(back.createdAt.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(await view.pixelPlacement(before.id)).not.toBeNull();
  });
});
