import { randomUUID } from 'node:crypto';
import { ConfigError } from '@snaptrack/util-config';
import { RetentionJob } from '@snaptrack/util-db';
import { createLogger } from '@snaptrack/util-logger';
import { TEST_TOKEN_KEYS } from '@snaptrack/util-testing';
import type { DataSource } from 'typeorm';
import { loadDispatcherConfig } from '../src/config';
import { dispatcherRetentionRules } from '../src/conversion/conversion.retention';
import type { DeliveryService } from '../src/delivery/delivery.service';
import { conversion, newPixel, redeliverCommand } from './factories';
import { openLedgerDb, type LedgerDb } from './ledger-db';

const DAY = 24 * 3600 * 1000;
const log = createLogger('test', 'error');
const ENV = { TOKEN_ENCRYPTION_KEYS: TEST_TOKEN_KEYS };

describe('snapchat-capi-dispatcher conversion retention (real PostgreSQL, migrations applied)', () => {
  let db: LedgerDb | undefined;
  let ds: DataSource;
  let service: DeliveryService;
  const acc = `acc_${randomUUID().slice(0, 8)}`;
  const channel = `tc_${randomUUID().slice(0, 8)}`;
  const { pixelId } = newPixel();

  beforeAll(async () => {
    db = await openLedgerDb(
      log,
      {
        accountId: acc,
        pixelId,
        placement: { kind: 'channel', traffic_channel_id: channel },
        mapping: { ct_lead: 'SIGN_UP' },
      },
      { topicPrefix: 'retention-test.' },
    );
    ({ ds, service } = db);
  });
  afterAll(async () => {
    await db?.close();
  });

  const copies = async () =>
    ((await ds.query(`SELECT id FROM conversion`)) as Array<{ id: string }>).map((r) => r.id).sort();
  const ledger = async (): Promise<Array<{ conversion_id: string; status: string }>> =>
    ds.query(`SELECT conversion_id, status FROM delivery ORDER BY conversion_id`);

  it('has an index on conversion.consumed_at, and ledger rows no longer need their copy (no foreign key)', async () => {
    const idx: Array<{ indexdef: string }> = await ds.query(
      `SELECT indexdef FROM pg_indexes WHERE tablename = 'conversion' AND indexname = 'conversion_consumed_at'`,
    );
    expect(idx.map((r) => r.indexdef)).toEqual([expect.stringMatching(/\(consumed_at\)/)]);
    const fks: unknown[] = await ds.query(
      `SELECT conname FROM pg_constraint WHERE conrelid = 'delivery'::regclass AND contype = 'f'`,
    );
    expect(fks).toEqual([]);
  });

  it('deletes exactly the copies past the window without an active delivery; keeps the ledger', async () => {
    const config = loadDispatcherConfig(ENV);
    expect(config.conversionRetentionDays).toBe(90);
    const name = ['delivered', 'failed', 'skipped', 'pending', 'retrying', 'sending', 'none', 'inside', 'new'] as const;
    const conv = Object.fromEntries(
      name.map((n) => [
        n,
        n === 'none'
          ? conversion({ accountId: acc, channelId: channel, status: 'unattributed' })
          : conversion({ accountId: acc, channelId: channel }),
      ]),
    ) as Record<(typeof name)[number], ReturnType<typeof conversion>>;
    expect(await service.ingestConversions(Object.values(conv))).toBe(8); // every attributed one gets its ledger row
    const ageOf = (n: string) => (n === 'inside' ? 90 * DAY - 60_000 : n === 'new' ? 0 : 90 * DAY + 60_000);
    for (const n of name) {
      await ds.query(`UPDATE conversion SET consumed_at = $2 WHERE id = $1`, [
        conv[n].conversion_id,
        new Date(Date.now() - ageOf(n)),
      ]);
      if (n !== 'none' && n !== 'inside' && n !== 'new')
        await ds.query(`UPDATE delivery SET status = $2 WHERE conversion_id = $1`, [conv[n].conversion_id, n]);
    }
    const ledgerBefore = await ledger();

    const job = new RetentionJob(ds, dispatcherRetentionRules(config), {
      intervalMs: config.retentionIntervalMs,
      batchSize: 2, // several batches even here
      log,
    });
    expect(await job.runOnce()).toEqual({ conversion: 4 });
    const kept = ['pending', 'retrying', 'sending', 'inside', 'new'] as const;
    expect(await copies()).toEqual(kept.map((n) => conv[n].conversion_id).sort());
    expect(await ledger()).toEqual(ledgerBefore); // the ledger is never deleted
    expect(await job.runOnce()).toEqual({ conversion: 0 });
    await job.stop();

    // At most once still holds: the same conversion coming back creates no ledger row, and a redeliver of a
    // conversion whose copy is gone sends nothing.
    expect(await service.ingestConversions([conv.delivered, conv.failed])).toBe(0);
    await ds.query(`DELETE FROM conversion WHERE id = ANY($1::uuid[])`, [
      [conv.delivered.conversion_id, conv.failed.conversion_id],
    ]);
    expect(
      await service.applyCommand(
        redeliverCommand({ accountId: acc, conversionIds: [conv.failed.conversion_id, conv.skipped.conversion_id] }),
      ),
    ).toEqual({ created: 0, reset: 0 });
    expect(await ledger()).toEqual(ledgerBefore);
  });

  it('refuses a window shorter than Snap accepts events', () => {
    expect(loadDispatcherConfig({ ...ENV, CONVERSION_RETENTION_DAYS: '38' }).conversionRetentionDays).toBe(38);
    expect(() => loadDispatcherConfig({ ...ENV, CONVERSION_RETENTION_DAYS: '30' })).toThrow(ConfigError);
    expect(() => loadDispatcherConfig({ ...ENV, RETENTION_BATCH_SIZE: '0' })).toThrow(/RETENTION_BATCH_SIZE/);
  });
});
