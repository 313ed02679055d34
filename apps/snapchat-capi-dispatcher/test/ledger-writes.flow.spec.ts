import { randomUUID } from 'node:crypto';
import { createLogger } from '@snaptrack/util-logger';
import type { DataSource } from 'typeorm';
import type { DeliveryService } from '../src/delivery/delivery.service';
import { snapEventIdFor } from '../src/snap-capi/event-id';
import { conversion, newPixel } from './factories';
import { openLedgerDb, type LedgerDb } from './ledger-db';

const log = createLogger('test', 'error');

/**
 * What a delivery costs the ledger (real PostgreSQL, migrations applied, no sender): a row is written with the event
 * id the destination's rule gives, the claim fixes it and may set the request deadline in the same statement, so the
 * first request of a claim needs no further write. A row whose stored id is not the rule's (written before, or its
 * event name changed) is still corrected at its first claim, and never after it.
 */
describe('snapchat-capi-dispatcher ledger writes (real PostgreSQL)', () => {
  let db: LedgerDb | undefined;
  let ds: DataSource;
  let service: DeliveryService;
  const acc = `acc_${randomUUID().slice(0, 8)}`;
  const channel = `tc_${randomUUID().slice(0, 8)}`;
  const { pixelId } = newPixel();
  const px = pixelId.toLowerCase();
  const sale = (tx: string) =>
    conversion({
      accountId: acc,
      channelId: channel,
      typeId: 'ct_sale',
      type: 'sale',
      transactionId: tx,
      postbackClickId: 'clk-writes',
      derivedEventId: true,
      explicitEventId: false,
    });

  beforeAll(async () => {
    db = await openLedgerDb(
      log,
      {
        accountId: acc,
        pixelId,
        placement: { kind: 'channel', traffic_channel_id: channel },
        mapping: { ct_sale: 'PURCHASE' },
      },
      { topicPrefix: 'ledger-writes-test.', eventIdFor: snapEventIdFor },
    );
    ({ ds, service } = db);
  });
  afterAll(async () => {
    await db?.close();
  });

  const row = async (conversionId: string) =>
    (
      (await ds.query(
        `SELECT event_id, event_id_fixed, status,
                extract(epoch FROM request_deadline - now()) * 1000 AS deadline_in_ms
           FROM delivery WHERE conversion_id = $1`,
        [conversionId],
      )) as Array<{ event_id: string; event_id_fixed: boolean; status: string; deadline_in_ms: number | null }>
    )[0]!;

  it('ingest writes the rule’s event id; the claim fixes it and sets the request deadline it is given', async () => {
    const c = sale('ORD-W1');
    expect(c.event_id).not.toBe('ORD-W1');
    expect(await service.ingestConversions([c])).toBe(1);
    expect(await row(c.conversion_id)).toMatchObject({ event_id: 'ORD-W1', event_id_fixed: false, status: 'pending' });

    const claimed = await service.claim(acc, px, 10, 1, 60_000, undefined, 5_000);
    expect(claimed.rows.map((r) => [r.conversion_id, r.event_id])).toEqual([[c.conversion_id, 'ORD-W1']]);
    const after = await row(c.conversion_id);
    expect(after).toMatchObject({ event_id: 'ORD-W1', event_id_fixed: true, status: 'sending' });
    expect(Number(after.deadline_in_ms)).toBeGreaterThan(3_000);
    expect(Number(after.deadline_in_ms)).toBeLessThanOrEqual(5_000);
    await service.releaseClaim(claimed.claimId);

    // Without a deadline the claim leaves request_deadline empty, for refreshLease to set before the request.
    const again = await service.claim(acc, px, 10, 1, 60_000);
    expect(again.rows).toHaveLength(1);
    expect((await row(c.conversion_id)).deadline_in_ms).toBeNull();
    await service.releaseClaim(again.claimId);
  });

  it('corrects a stored id that is not the rule’s at the first claim only', async () => {
    const c = sale('ORD-W2');
    await service.ingestConversions([c]);
    // As written before ingest applied the rule: the conversion's own (derived) id, not fixed.
    await ds.query(`UPDATE delivery SET event_id = $2 WHERE conversion_id = $1`, [c.conversion_id, c.event_id]);

    const first = await service.claim(acc, px, 10, 1, 60_000);
    expect(first.rows.find((r) => r.conversion_id === c.conversion_id)?.event_id).toBe('ORD-W2');
    expect(await row(c.conversion_id)).toMatchObject({ event_id: 'ORD-W2', event_id_fixed: true });
    await service.releaseClaim(first.claimId);

    // Later claims keep the fixed id, even when the event name changes and the rule would give another one.
    await ds.query(`UPDATE delivery SET event_name = 'SIGN_UP' WHERE conversion_id = $1`, [c.conversion_id]);
    const second = await service.claim(acc, px, 10, 1, 60_000);
    expect(second.rows.find((r) => r.conversion_id === c.conversion_id)?.event_id).toBe('ORD-W2');
    expect((await row(c.conversion_id)).event_id).toBe('ORD-W2');
    await service.releaseClaim(second.claimId);
  });
});
