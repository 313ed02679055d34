import type { EntityManager } from 'typeorm';
import type { ConversionCreatedV1 } from '@snaptrack/contracts-events';
import { PostgresLedger } from '@snaptrack/delivery-engine';
import type { LedgerRecord } from './delivery-result';
import { RETURNING, publish, type ClaimedRow, type LedgerContext } from './rows';

/** Advisory-lock class of dispatcher instances: lock (INSTANCE_LOCK_CLASS, instance number) while alive. */
export const INSTANCE_LOCK_CLASS = 23721;
/** Within this long after a Postgres start, only an expired lease frees a row (the engine's ledger, sql.ts). */
export const OWNER_GRACE_SECONDS = 15;

/**
 * The destination's rule for the event id of one (conversion, event name), fixed on a row at its first claim. The
 * ledger knows no network: the app injects it (Snap's purchase rule is snap-capi/event-id.ts `snapEventIdFor`).
 * Default: the conversion's own `event_id`.
 */
export type EventIdRule = (conversion: ConversionCreatedV1.Value, eventName: string | null) => string;

/**
 * The dispatcher's ledger: the engine's PostgresLedger on the `delivery` table (one row per conversion and Snap
 * pixel), `token_pause` for 429 pauses, delivery.result.v1 outbox rows for every state change. A claimed row gets
 * its conversion (payload and traceparent) and, at its first claim, its final event id (docs/snap-capi.md "Event ID
 * and deduplication": the rule depends on the event name mapped on this pixel); later claims reuse it.
 */
export function createDispatcherLedger(ctx: LedgerContext, eventIdFor: EventIdRule): PostgresLedger<ClaimedRow> {
  const ledger: PostgresLedger<ClaimedRow> = new PostgresLedger<ClaimedRow>(ctx.ds, {
    table: 'delivery',
    scopeColumns: ['account_id', 'pixel_id'],
    returning: RETURNING,
    pauses: { table: 'token_pause', keyColumn: 'token_key' },
    lockClass: INSTANCE_LOCK_CLASS,
    ownerGraceSeconds: OWNER_GRACE_SECONDS,
    log: ctx.log,
    publish: (tx, rows) => publish(ctx, tx, rows),
    onPublished: () => ctx.onPublished(),
    onClaimed: async (tx, claimed) => {
      const convs = await conversionsOf(
        tx,
        claimed.map((r) => r.conversion_id),
      );
      const byId = new Map(convs.map((c) => [c.id, c]));
      const fixes = claimed
        .filter((r) => !r.event_id_fixed && byId.has(r.conversion_id))
        .map((r) => ({ id: r.id, event_id: eventIdFor(byId.get(r.conversion_id)!.payload, r.event_name) }));
      await ledger.fixEventIds(tx, fixes);
      const fixedId = new Map(fixes.map((f) => [String(f.id), f.event_id]));
      return claimed.map(({ event_id_fixed: _fixed, ...r }: ClaimedRow & { event_id_fixed: boolean }) => ({
        ...r,
        event_id: fixedId.get(String(r.id)) ?? r.event_id,
        conversion: byId.get(r.conversion_id)?.payload as ConversionCreatedV1.Value,
        traceParent: byId.get(r.conversion_id)?.trace_parent ?? null,
      }));
    },
  });
  return ledger;
}

async function conversionsOf(
  tx: EntityManager,
  ids: string[],
): Promise<Array<{ id: string; payload: ConversionCreatedV1.Value; trace_parent: string | null }>> {
  return tx.query(`SELECT id, payload, trace_parent FROM conversion WHERE id = ANY($1::uuid[])`, [[...new Set(ids)]]);
}

export type { LedgerRecord };
