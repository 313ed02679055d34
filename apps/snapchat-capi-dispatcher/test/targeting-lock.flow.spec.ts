import { randomUUID } from 'node:crypto';
import { createLogger } from '@snaptrack/util-logger';
import type { DataSource, QueryRunner } from 'typeorm';
import type { ConfigViewService } from '../src/config-view/config-view.service';
import type { DeliveryService } from '../src/delivery/delivery.service';
import { lockAccounts } from '../src/delivery/rows';
import { conversion, newPixel, pixelEntity } from './factories';
import { openLedgerDb, type LedgerDb } from './ledger-db';

const log = createLogger('test', 'error');

/** Settles with 'done' or, if `p` is still pending after `ms`, with 'waiting' (p keeps running). */
const within = <T>(p: Promise<T>, ms: number): Promise<'done' | 'waiting'> =>
  Promise.race([
    p.then(() => 'done' as const),
    new Promise<'waiting'>((r) => setTimeout(() => r('waiting'), ms).unref()),
  ]);

/**
 * The account's targeting lock (real PostgreSQL): ingests share it, so two instances ingest one account at once;
 * re-targeting after a placement change takes it alone, so it waits for the ingests in progress and sees what they
 * stored.
 */
describe('snapchat-capi-dispatcher targeting lock (real PostgreSQL)', () => {
  let db: LedgerDb | undefined;
  let ds: DataSource;
  let service: DeliveryService;
  let configView: ConfigViewService;
  let holder: QueryRunner | undefined;
  const acc = `acc_${randomUUID().slice(0, 8)}`;
  const channel = `tc_${randomUUID().slice(0, 8)}`;
  const spec = { accountId: acc, placement: { kind: 'channel' as const, traffic_channel_id: channel } };
  const sale = (tx: string) => conversion({ accountId: acc, channelId: channel, transactionId: tx });

  beforeAll(async () => {
    db = await openLedgerDb(log, { ...spec, pixelId: newPixel().pixelId }, { topicPrefix: 'targeting-lock-test.' });
    ({ ds, service, configView } = db);
  });
  afterEach(async () => {
    if (holder?.isTransactionActive) await holder.rollbackTransaction();
    await holder?.release();
    holder = undefined;
  });
  afterAll(async () => {
    await db?.close();
  });

  /** Another instance's ingest in progress: a transaction that holds the account's lock the way ingest takes it. */
  const ingestInProgress = async () => {
    holder = ds.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    await lockAccounts(holder.manager, [acc], 'shared');
    return holder;
  };

  it('an ingest of the account does not wait for another ingest of it', async () => {
    await ingestInProgress();
    const ingest = service.ingestConversions([sale('ORD-L1')]);
    expect(await within(ingest, 5_000)).toBe('done');
    expect(await ingest).toBe(1);
  });

  it('re-targeting waits until the ingests in progress have committed, then targets what they stored', async () => {
    const tx = await ingestInProgress();
    // The other instance's ingest stores a conversion in its transaction, not committed yet.
    const c = sale('ORD-L2');
    await tx.query(
      `INSERT INTO conversion (id, account_id, event_id, status, conversion_type_id, traffic_channel_id, occurred_at,
                               payload)
       VALUES ($1, $2, $3, 'attributed', $4, $5, $6, $7::jsonb)`,
      [c.conversion_id, acc, c.event_id, c.conversion_type_id, channel, c.occurred_at, JSON.stringify(c)],
    );

    const { pixelId } = newPixel();
    const [change] = await configView.upsert([pixelEntity({ ...spec, pixelId })]);
    expect(change?.current).toBeTruthy();
    const retarget = service.retargetPlacement(change!, 60_000);
    expect(await within(retarget, 500)).toBe('waiting');

    await tx.commitTransaction();
    expect(await retarget).toBeGreaterThanOrEqual(1);
    const rows = await ds.query(`SELECT pixel_id FROM delivery WHERE conversion_id = $1`, [c.conversion_id]);
    expect(rows.map((r: { pixel_id: string }) => r.pixel_id)).toContain(pixelId.toLowerCase());
  });
});
