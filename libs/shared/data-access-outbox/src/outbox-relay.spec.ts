import type { Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { Logger } from '@snaptrack/util-logger';
import { NO_BITMAP_SCAN } from '@snaptrack/util-db';
import { OutboxRelay } from './outbox-relay';

/** A relay whose database always has one unsent row and whose producer always fails (a broker that is down). */
function failingRelay(opts: { maxBackoffMs?: number } = {}) {
  const warnings: Array<Record<string, unknown>> = [];
  const tx = {
    query: async (sql: string) =>
      sql.startsWith('SELECT') ? [{ id: '1', topic: 't', key: 'k', payload: '{}', headers: null }] : [],
  };
  const ds = { transaction: async (fn: (t: typeof tx) => Promise<unknown>) => fn(tx), query: async () => [] };
  const producer = { sendBatch: async () => Promise.reject(new Error('broker down')) };
  const log = { warn: (_msg: string, fields: Record<string, unknown>) => warnings.push(fields) } as unknown as Logger;
  const relay = new OutboxRelay(ds as unknown as DataSource, producer as unknown as Producer, log, opts);
  return { relay, warnings };
}

describe('OutboxRelay back-off while Kafka fails', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  async function runTries(relay: OutboxRelay, warnings: unknown[], tries: number) {
    relay.start();
    while (warnings.length < tries) await jest.advanceTimersByTimeAsync(1000);
    await relay.stop();
  }

  it('doubles from 250 ms and never waits longer than 5 s by default', async () => {
    const { relay, warnings } = failingRelay();
    await runTries(relay, warnings, 10);
    const waits = warnings.map((w) => w.retryInMs);
    expect(waits.slice(0, 5)).toEqual([500, 1000, 2000, 4000, 5000]);
    expect(Math.max(...(waits as number[]))).toBe(5000);
  });

  it('honours a configured cap', async () => {
    const { relay, warnings } = failingRelay({ maxBackoffMs: 1500 });
    await runTries(relay, warnings, 5);
    expect(warnings.map((w) => w.retryInMs)).toEqual([500, 1000, 1500, 1500, 1500]);
  });
});

describe('OutboxRelay: what a published row becomes', () => {
  async function statementsAfterPublish(opts: { retentionMs?: number }): Promise<string[]> {
    const sql: string[] = [];
    const tx = {
      query: async (q: string) => {
        sql.push(q.split(' ').slice(0, 2).join(' '));
        return q.startsWith('SELECT') ? [{ id: '7', topic: 't', key: 'k', payload: '{}', headers: null }] : [];
      },
    };
    const ds = { transaction: async (fn: (t: typeof tx) => Promise<unknown>) => fn(tx), query: async () => [] };
    const producer = { sendBatch: async () => [] };
    const relay = new OutboxRelay(ds as unknown as DataSource, producer as unknown as Producer, {} as Logger, opts);
    expect(await relay.publishBatch()).toBe(1);
    return sql;
  }

  it('is marked sent (deleted later) by default, and deleted in the same transaction with retentionMs 0', async () => {
    expect(await statementsAfterPublish({})).toEqual(['SET LOCAL', 'SELECT id,', 'UPDATE outbox_message']);
    expect(await statementsAfterPublish({ retentionMs: 0 })).toEqual(['SET LOCAL', 'SELECT id,', 'DELETE FROM']);
  });

  it('reads unsent rows with bitmap scans off: its index scan marks the entries of published rows dead', async () => {
    const [first] = await statementsAfterPublish({});
    expect(first).toBe(NO_BITMAP_SCAN.split(' ').slice(0, 2).join(' '));
    expect(NO_BITMAP_SCAN).toBe('SET LOCAL enable_bitmapscan = off');
  });
});
