import type { DataSource } from 'typeorm';
import { PostgresLedger } from './postgres-ledger';
import { NO_BITMAP_SCAN } from '@snaptrack/util-db';

/** The ledger's reads of due rows run with bitmap scans off (see NO_BITMAP_SCAN for why); statements recorded. */
describe('PostgresLedger: due rows are read with plain index scans', () => {
  function recordingLedger() {
    const statements: string[][] = [];
    const ds = {
      transaction: async (fn: (tx: unknown) => Promise<unknown>) => {
        const tx: string[] = [];
        statements.push(tx);
        return fn({ query: async (sql: string) => (tx.push(sql.trim().split(/\s+/).slice(0, 2).join(' ')), []) });
      },
      query: async (sql: string) => (statements.push([sql.trim().split(/\s+/).slice(0, 2).join(' ')]), []),
    };
    const ledger = new PostgresLedger(ds as unknown as DataSource, {
      table: 'delivery',
      scopeColumns: ['account_id', 'pixel_id'],
      returning: 'id',
      pauses: { table: 'token_pause', keyColumn: 'token_key' },
      lockClass: 1,
      publish: async () => undefined,
    });
    return { ledger, statements };
  }

  it('dueTargets: one transaction, bitmap scans off before the SELECT', async () => {
    const { ledger, statements } = recordingLedger();
    await ledger.dueTargets(10);
    expect(statements).toEqual([['SET LOCAL', 'WITH RECURSIVE']]);
    expect(NO_BITMAP_SCAN).toBe('SET LOCAL enable_bitmapscan = off');
  });

  it('claim: bitmap scans off before the claiming statement, in its transaction', async () => {
    const { ledger, statements } = recordingLedger();
    await ledger.claim('acc', 'px', 10, 1, 30_000);
    expect(statements).toEqual([['SET LOCAL', 'WITH due']]);
  });
});
