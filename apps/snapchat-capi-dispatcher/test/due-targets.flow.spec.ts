import { randomUUID } from 'node:crypto';
import { dueCondition } from '@snaptrack/delivery-engine';
import { createLogger } from '@snaptrack/util-logger';
import type { DataSource } from 'typeorm';
import type { DeliveryService } from '../src/delivery/delivery.service';
import { INSTANCE_LOCK_CLASS, OWNER_GRACE_SECONDS } from '../src/delivery/ledger';
import { newPixel } from './factories';
import { openLedgerDb, type LedgerDb } from './ledger-db';

const log = createLogger('test', 'error');

/**
 * Which pixels the sender looks at (real PostgreSQL): the skip scan of `dueTargets` answers what the GROUP BY over
 * every due row answered, in the same order, over rows in every state (due, waiting, in flight with a live or a dead
 * owner, finished).
 */
describe('snapchat-capi-dispatcher due pixels (real PostgreSQL)', () => {
  let db: LedgerDb | undefined;
  let ds: DataSource;
  let service: DeliveryService;
  const acc = `acc_${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    db = await openLedgerDb(
      log,
      { accountId: acc, pixelId: newPixel().pixelId, placement: { kind: 'channel', traffic_channel_id: 'tc' } },
      { topicPrefix: 'due-targets-test.' },
    );
    ({ ds, service } = db);
  });
  afterAll(async () => {
    await db?.close();
  });

  /** The query dueTargets ran before the skip scan, as the reference. */
  const grouped = async (limit: number) =>
    (
      (await ds.query(
        `SELECT d.account_id, d.pixel_id FROM delivery d WHERE ${dueCondition(INSTANCE_LOCK_CLASS, OWNER_GRACE_SECONDS)}
          GROUP BY d.account_id, d.pixel_id ORDER BY min(d.next_attempt_at) LIMIT $1`,
        [limit],
      )) as Array<{ account_id: string; pixel_id: string }>
    ).map((r) => `${r.account_id}/${r.pixel_id}`);
  const skipScan = async (limit: number) =>
    (await service.duePixels(limit)).map((r) => `${r.account_id}/${r.pixel_id}`);

  /** One delivery row; `at` is next_attempt_at in seconds from now (null: none). */
  const row = (account: string, pixel: string, status: string, at: number | null, claimedBy: number | null = null) =>
    ds.query(
      `INSERT INTO delivery (conversion_id, pixel_id, account_id, status, next_attempt_at, event_id, placements,
         claimed_by, claim_id)
       VALUES ($1, $2, $3, $4, CASE WHEN $5::float8 IS NULL THEN NULL ELSE now() + $5::float8 * interval '1 second' END,
         'e', '{}', $6, CASE WHEN $6::int IS NULL THEN NULL ELSE gen_random_uuid() END)`,
      [randomUUID(), pixel, account, status, at, claimedBy],
    );

  it('finds the same pixels in the same order as the GROUP BY over every due row', async () => {
    expect(await skipScan(500)).toEqual([]);
    // p1: three due rows, the oldest 30 s ago; p2: due 20 s ago, and finished rows; p3: only a retry in the future;
    // p4: in flight under a dead owner (instance 977 holds no lock), its lease running; p5: only finished rows;
    // another account's p1: due 10 s ago; p6: due 40 s ago behind 200 finished rows of the same pixel.
    for (const at of [-30, -3, -1]) await row(acc, 'p1', 'pending', at);
    await row(acc, 'p2', 'retrying', -20);
    for (let i = 0; i < 5; i++) await row(acc, 'p2', i % 2 ? 'delivered' : 'failed', null);
    await row(acc, 'p3', 'retrying', 60);
    await row(acc, 'p4', 'sending', 50, 977);
    await row(acc, 'p5', 'delivered', null);
    await row(`${acc}_b`, 'p1', 'pending', -10);
    for (let i = 0; i < 200; i++) await row(`${acc}_c`, 'p6', 'delivered', null);
    await row(`${acc}_c`, 'p6', 'pending', -40);

    const reference = await grouped(500);
    expect(reference).toEqual([`${acc}_c/p6`, `${acc}/p1`, `${acc}/p2`, `${acc}_b/p1`, `${acc}/p4`]);
    expect(await skipScan(500)).toEqual(reference);
    expect(await skipScan(2)).toEqual(await grouped(2));
  });
});
