import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dropDatabase, ensureDatabase, withDatabase } from './db';
import { RetentionJob, deleteExpiredRows, retentionCutoff, type RetentionRule } from './retention';

// Real PostgreSQL, own database per run (util-db may not import util-testing, so the same convention by hand).
const BASE = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DAY = 24 * 3600 * 1000;
const silent = { info: () => undefined, error: () => undefined };

describe('retention (real PostgreSQL)', () => {
  const url = withDatabase(BASE, `snaptrack_test_utildb_${randomUUID().replace(/-/g, '').slice(0, 12)}`);
  let ds: DataSource;
  const now = new Date('2026-12-07T12:00:00.000Z');

  beforeAll(async () => {
    await ensureDatabase(url);
    ds = new DataSource({ type: 'postgres', url, synchronize: false, logging: false });
    await ds.initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await dropDatabase(url);
  });

  async function table(name: string, ages: Array<[string, number]>): Promise<void> {
    await ds.query(
      `CREATE TABLE ${name} (id text PRIMARY KEY, at timestamptz NOT NULL, busy boolean NOT NULL DEFAULT false)`,
    );
    for (const [id, ageMs] of ages)
      await ds.query(`INSERT INTO ${name} (id, at) VALUES ($1, $2)`, [id, new Date(now.getTime() - ageMs)]);
  }
  const ids = async (name: string) =>
    ((await ds.query(`SELECT id FROM ${name} ORDER BY id`)) as Array<{ id: string }>).map((r) => r.id);

  it('the cutoff is now minus the days', () => {
    expect(retentionCutoff(45, now).toISOString()).toBe('2026-10-23T12:00:00.000Z');
  });

  it('deletes exactly the rows older than the cutoff, in batches; rows at or just inside the cutoff stay', async () => {
    const due = Array.from(
      { length: 10 },
      (_, i) => [`due-${String(i).padStart(2, '0')}`, 10 * DAY + 1 + i * DAY] as [string, number],
    );
    await table('t1', [
      ...due,
      ['due-just', 10 * DAY + 1000],
      ['keep-at-cutoff', 10 * DAY],
      ['keep-inside', 10 * DAY - 1000],
      ['keep-new', 0],
    ]);
    const statements: string[] = [];
    const spy = jest.spyOn(ds, 'query');
    const rule: RetentionRule = { name: 't1', table: 't1', key: 'id', column: 'at', days: 10 };
    expect(await deleteExpiredRows(ds, rule, { batchSize: 3, now })).toBe(11);
    for (const call of spy.mock.calls) statements.push(String(call[0]));
    spy.mockRestore();
    expect(statements.filter((s) => s.startsWith('DELETE'))).toHaveLength(4); // 3 + 3 + 3 + 2: bounded batches
    expect(await ids('t1')).toEqual(['keep-at-cutoff', 'keep-inside', 'keep-new']);
    expect(await deleteExpiredRows(ds, rule, { batchSize: 3, now })).toBe(0);
  });

  it('keeps rows the rule says are still needed', async () => {
    await table('t2', [
      ['old-free', 5 * DAY],
      ['old-busy', 5 * DAY],
      ['new', DAY],
    ]);
    await ds.query(`UPDATE t2 SET busy = true WHERE id = 'old-busy'`);
    const rule: RetentionRule = { name: 't2', table: 't2', key: 'id', column: 'at', days: 2, keepUnless: 'NOT t.busy' };
    expect(await deleteExpiredRows(ds, rule, { batchSize: 100, now })).toBe(1);
    expect(await ids('t2')).toEqual(['new', 'old-busy']);
  });

  it(
    'RetentionJob runs every rule once per pass and reports per rule; a failing rule does not stop ' + 'the others',
    async () => {
      await table('t3', [
        ['old', 3 * DAY],
        ['new', 0],
      ]);
      const errors: string[] = [];
      const job = new RetentionJob(
        ds,
        [
          { name: 'missing', table: 'no_such_table', key: 'id', column: 'at', days: 1 },
          { name: 't3', table: 't3', key: 'id', column: 'at', days: 1 },
        ],
        { intervalMs: 60_000, batchSize: 10, log: { ...silent, error: (m) => errors.push(m) }, now: () => now },
      );
      await expect(job.runOnce()).rejects.toThrow(/some rules failed/);
      expect(errors).toHaveLength(1);
      expect(await ids('t3')).toEqual(['new']);
      await job.stop();
    },
  );

  it('refuses identifiers that are not plain and non-positive settings', () => {
    const bad = { name: 'x', table: 'a; DROP TABLE b', key: 'id', column: 'at', days: 1 };
    expect(() => new RetentionJob(ds, [bad], { intervalMs: 1000, batchSize: 1, log: silent })).toThrow(/identifier/);
    expect(
      () =>
        new RetentionJob(ds, [{ name: 'x', table: 't', key: 'id', column: 'at', days: 0 }], {
          intervalMs: 1000,
          batchSize: 1,
          log: silent,
        }),
    ).toThrow(/days/);
  });

  it('start() runs periodically and stop() ends it', async () => {
    await table('t4', [['old', 3 * DAY]]);
    const job = new RetentionJob(ds, [{ name: 't4', table: 't4', key: 'id', column: 'at', days: 1 }], {
      intervalMs: 50,
      firstRunDelayMs: 10,
      batchSize: 10,
      log: silent,
      now: () => now,
    });
    job.start();
    const deadline = Date.now() + 5000;
    while ((await ids('t4')).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await job.stop();
    expect(await ids('t4')).toEqual([]);
    await ds.query(`INSERT INTO t4 (id, at) VALUES ('after-stop', $1)`, [new Date(now.getTime() - 3 * DAY)]);
    await new Promise((r) => setTimeout(r, 200));
    expect(await ids('t4')).toEqual(['after-stop']);
  });
});
