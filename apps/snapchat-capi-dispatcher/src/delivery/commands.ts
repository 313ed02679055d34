import { DeliveryCommandV1, isUuid, type ConversionCreatedV1 } from '@snaptrack/contracts-events';
import { canonicalPixelId, targetsFor } from '../targets';
import type { LedgerRecord } from './delivery-result';
import {
  RETURNING,
  conversionRef,
  insertRows,
  newRowFor,
  publish,
  rowsOf,
  type LedgerContext,
  type NewRow,
} from './rows';

export async function applyCommand(
  ctx: LedgerContext,
  cmd: DeliveryCommandV1.Value,
  heartbeat: () => Promise<void> = async () => undefined,
): Promise<{ created: number; reset: number }> {
  // A command names the one dispatcher it is for (absent: snapchat-capi); another network's is not ours to act on,
  // even when it names no pixel (a redeliver of "every failed delivery" of another destination).
  if (!DeliveryCommandV1.isFor(cmd, DeliveryCommandV1.SNAPCHAT_CAPI_DESTINATION)) {
    ctx.log.info('command for another destination ignored', {
      command_id: cmd.command_id,
      account_id: cmd.account_id,
      destination: DeliveryCommandV1.destinationOf(cmd),
    });
    return { created: 0, reset: 0 };
  }
  return cmd.kind === 'redeliver' ? redeliver(ctx, cmd) : backfill(ctx, cmd, heartbeat);
}

/**
 * Resends the failed (and skipped) deliveries of these conversions with the current configuration: targets are
 * recomputed, so a pixel added since gets a new row; delivered and in-flight rows are never touched.
 */
async function redeliver(
  ctx: LedgerContext,
  cmd: Extract<DeliveryCommandV1.Value, { kind: 'redeliver' }>,
): Promise<{ created: number; reset: number }> {
  const onlyPixel = cmd.pixel_id ? canonicalPixelId(cmd.pixel_id) : null;
  let created = 0;
  let reset = 0;
  // Only a UUID can name a conversion (any case). Compared as uuid, both lookups below use their unique indexes; a
  // text comparison (id::text) read every conversion and ledger row of the account for each chunk.
  const ids = [...new Set(cmd.conversion_ids.filter(isUuid).map((id) => id.toLowerCase()))];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const pixels = await ctx.configView.pixelsFor([cmd.account_id]);
    const r = await ctx.ds.transaction(async (tx) => {
      const convRows: Array<{ payload: ConversionCreatedV1.Value }> = await tx.query(
        `SELECT payload FROM conversion WHERE account_id = $1 AND id = ANY($2::uuid[]) AND status = 'attributed'`,
        [cmd.account_id, chunk],
      );
      const existing: LedgerRecord[] = await tx.query(
        `SELECT ${RETURNING} FROM delivery d WHERE d.account_id = $1 AND d.conversion_id = ANY($2::uuid[]) ` +
          `ORDER BY d.id FOR UPDATE`,
        [cmd.account_id, chunk],
      );
      const byKey = new Map(existing.map((e) => [`${e.conversion_id}|${e.pixel_id}`, e]));
      const inserts: NewRow[] = [];
      const resets: Array<NewRow & { id: string }> = [];
      for (const { payload: conv } of convRows) {
        for (const t of targetsFor(conversionRef(conv), pixels)) {
          if (onlyPixel && t.pixelId !== onlyPixel) continue;
          const row = newRowFor(ctx, conv, t, cmd.command_id);
          const prev = byKey.get(`${conv.conversion_id}|${t.pixelId}`);
          if (!prev) inserts.push(row);
          else if (prev.status === 'failed' || prev.status === 'skipped') resets.push({ ...row, id: prev.id });
        }
      }
      const inserted = await insertRows(tx, inserts);
      const updated: LedgerRecord[] = resets.length
        ? rowsOf<LedgerRecord>(
            await tx.query(
              `UPDATE delivery d SET status = x.status, attempts = 0,
                    next_attempt_at = CASE WHEN x.status = 'pending' THEN now() END,
                    lease_until = NULL, claim_id = NULL, claimed_by = NULL, request_deadline = NULL,
                      event_name = x.event_name, http_status = NULL,
                    reason_code = x.reason_code, message = x.message,
                      placements = ARRAY(SELECT jsonb_array_elements_text(x.placements)),
                    test_mode = x.test_mode, command_id = x.command_id, cycle_started_at = now(),
                      revision = d.revision + 1, updated_at = now()
               FROM jsonb_to_recordset($1::jsonb) AS x(id bigint, status text, event_name text, reason_code text,
                                                      message text,
                                                      placements jsonb, test_mode boolean, command_id text)
              WHERE d.id = x.id AND d.status IN ('failed', 'skipped')
             RETURNING ${RETURNING}`,
              [JSON.stringify(resets)],
            ),
          )
        : [];
      const changed = [...inserted, ...updated];
      await publish(ctx, tx, changed);
      return { created: inserted.length, reset: changed.length - inserted.length };
    });
    created += r.created;
    reset += r.reset;
    if (r.created + r.reset) ctx.onPublished();
  }
  ctx.log.info('redeliver applied', {
    command_id: cmd.command_id,
    account_id: cmd.account_id,
    conversions: ids.length,
    created,
    reset,
  });
  return { created, reset };
}

/**
 * Delivers to the pixel placement `pixel_config_id` the conversions of its channel/offer from the last `since_days`
 * that this Snap pixel has no ledger row for yet. Pages of 500; the unique index keeps it exactly-once even if the
 * command is consumed twice or runs on two instances.
 */
async function backfill(
  ctx: LedgerContext,
  cmd: Extract<DeliveryCommandV1.Value, { kind: 'backfill' }>,
  heartbeat: () => Promise<void>,
): Promise<{ created: number; reset: number }> {
  const placement = await ctx.configView.pixelPlacement(cmd.pixel_config_id);
  if (!placement || placement.accountId !== cmd.account_id) {
    ctx.log.warn('backfill for an unknown pixel placement ignored', {
      command_id: cmd.command_id,
      account_id: cmd.account_id,
      pixel_config_id: cmd.pixel_config_id,
    });
    return { created: 0, reset: 0 };
  }
  const pixelId = canonicalPixelId(placement.pixelId);
  const column = placement.placement.kind === 'channel' ? 'traffic_channel_id' : 'offer_id';
  const scopeId =
    placement.placement.kind === 'channel' ? placement.placement.trafficChannelId : placement.placement.offerId;
  const days = Math.min(37, Math.max(1, cmd.since_days));
  let created = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const page: Array<{ id: string; payload: ConversionCreatedV1.Value }> = await ctx.ds.query(
      `SELECT c.id, c.payload FROM conversion c
        WHERE c.account_id = $1 AND c.status = 'attributed' AND c.${column} = $2
          AND c.occurred_at >= now() - ($3::int * interval '1 day') AND c.id > $4::uuid
          AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.conversion_id = c.id AND d.pixel_id = $5)
        ORDER BY c.id LIMIT 500`,
      [cmd.account_id, scopeId, days, after, pixelId],
    );
    if (!page.length) break;
    after = page[page.length - 1]!.id;
    const pixels = await ctx.configView.pixelsFor([cmd.account_id]);
    if (!pixels.some((p) => p.configId === placement.configId)) pixels.push(placement);
    const rows = page.flatMap(({ payload }) =>
      targetsFor(conversionRef(payload), pixels)
        .filter((t) => t.pixelId === pixelId)
        .map((t) => newRowFor(ctx, payload, t, cmd.command_id)),
    );
    const n = await ctx.ds.transaction(async (tx) => {
      const inserted = await insertRows(tx, rows);
      await publish(ctx, tx, inserted);
      return inserted.length;
    });
    created += n;
    if (n) ctx.onPublished();
    await heartbeat();
  }
  ctx.log.info('backfill applied', {
    command_id: cmd.command_id,
    account_id: cmd.account_id,
    pixel_id: pixelId,
    since_days: days,
    created,
  });
  return { created, reset: 0 };
}
