import type { ConversionCreatedV1 } from '@snaptrack/contracts-events';
import type { PlacementChange } from '../config-view/config-view.service';
import { canonicalPixelId, targetsFor } from '../targets';
import type { LedgerRecord } from './delivery-result';
import {
  RETARGET_MAX_AGE_DAYS,
  RETURNING,
  conversionRef,
  insertRows,
  lockAccounts,
  newRowFor,
  publish,
  rowsOf,
  type LedgerContext,
} from './rows';

/**
 * A placement the config view just applied (new, or changed what it targets) re-targets the conversions this
 * service has already stored that conversion-service received since the placement's creation minus `skewMs` (the
 * clock difference allowed between the services), at most 37 days old: a conversion posted right after the pixel
 * was saved, but consumed before the placement was, still reaches it. A version saved with a backfill request
 * (`backfillDays` > 0, config.entity.v1 `backfill_days`) also re-targets the conversions that occurred in the last
 * that many days, as the `backfill` command would. Rows are inserted on conflict do nothing, so each
 * (conversion, pixel) stays single. Returns how many rows were created.
 */
export async function retargetPlacement(ctx: LedgerContext, change: PlacementChange, skewMs: number): Promise<number> {
  const p = change.current;
  if (!p) return 0;
  const pixelId = canonicalPixelId(p.pixelId);
  const column = p.placement.kind === 'channel' ? 'traffic_channel_id' : 'offer_id';
  const scopeId = p.placement.kind === 'channel' ? p.placement.trafficChannelId : p.placement.offerId;
  const since = new Date(change.createdAt.getTime() - skewMs);
  // 0: no backfill requested, only the creation window applies.
  const backfillDays = Math.min(RETARGET_MAX_AGE_DAYS, Math.max(0, change.backfillDays ?? 0));
  let after = '00000000-0000-0000-0000-000000000000';
  let created = 0;
  for (;;) {
    const n = await ctx.ds.transaction(async (tx) => {
      await lockAccounts(tx, [p.accountId], 'exclusive');
      const page: Array<{ id: string; payload: ConversionCreatedV1.Value }> = await tx.query(
        `SELECT c.id, c.payload FROM conversion c
          WHERE c.account_id = $1 AND c.status = 'attributed' AND c.${column} = $2
            AND c.occurred_at >= now() - ($3::int * interval '1 day')
            AND (coalesce((c.payload->>'received_at')::timestamptz, c.consumed_at) >= $4
                 OR ($7::int > 0 AND c.occurred_at >= now() - ($7::int * interval '1 day')))
            AND c.id > $5::uuid
            AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.conversion_id = c.id AND d.pixel_id = $6)
          ORDER BY c.id LIMIT 500`,
        [p.accountId, scopeId, RETARGET_MAX_AGE_DAYS, since, after, pixelId, backfillDays],
      );
      if (!page.length) return null;
      after = page[page.length - 1]!.id;
      const pixels = await ctx.configView.pixelsFor([p.accountId], tx);
      const rows = page.flatMap(({ payload }) =>
        targetsFor(conversionRef(payload), pixels)
          .filter((t) => t.pixelId === pixelId)
          .map((t) => newRowFor(ctx, payload, t, null)),
      );
      const inserted = await insertRows(tx, rows);
      await publish(ctx, tx, inserted);
      return inserted.length;
    });
    if (n === null) break;
    created += n;
    if (n) ctx.onPublished();
  }
  if (created) {
    ctx.log.info('conversions re-targeted to a new or changed pixel placement', {
      config_id: change.configId,
      account_id: p.accountId,
      pixel_id: pixelId,
      backfill_days: backfillDays,
      created,
    });
  }
  return created;
}

/**
 * A placement went away (or no longer targets what it did): the waiting deliveries of its previous pixel that no
 * placement justifies any more are skipped now (`pixel_removed`) rather than sent, whatever the sender would
 * otherwise reach first. Rows in flight get their own answer. Returns how many rows were skipped.
 */
export async function skipRemovedPlacement(ctx: LedgerContext, change: PlacementChange): Promise<number> {
  const p = change.previous;
  if (!p) return 0;
  const pixelId = canonicalPixelId(p.pixelId);
  const n = await ctx.ds.transaction(async (tx) => {
    await lockAccounts(tx, [p.accountId], 'exclusive');
    const waiting: Array<{ id: string; payload: ConversionCreatedV1.Value | null }> = await tx.query(
      `SELECT d.id::text AS id, c.payload FROM delivery d LEFT JOIN conversion c ON c.id = d.conversion_id
        WHERE d.account_id = $1 AND d.pixel_id = $2 AND d.status IN ('pending', 'retrying')`,
      [p.accountId, pixelId],
    );
    if (!waiting.length) return 0;
    const pixels = await ctx.configView.pixelsFor([p.accountId], tx);
    const ids = waiting
      .filter((w) => w.payload && !targetsFor(conversionRef(w.payload), pixels).some((t) => t.pixelId === pixelId))
      .map((w) => w.id);
    if (!ids.length) return 0;
    const res = await tx.query(
      `UPDATE delivery d SET status = 'skipped', reason_code = 'pixel_removed', message = $2, http_status = NULL,
              next_attempt_at = NULL, revision = d.revision + 1, updated_at = now()
        WHERE d.id = ANY($1::bigint[]) AND d.status IN ('pending', 'retrying')
       RETURNING ${RETURNING}`,
      [ids, `Pixel ${pixelId} is no longer set on this conversion's traffic channel or offer, so nothing was sent.`],
    );
    const rows = rowsOf<LedgerRecord>(res);
    await publish(ctx, tx, rows);
    return rows.length;
  });
  if (n) ctx.onPublished();
  return n;
}
