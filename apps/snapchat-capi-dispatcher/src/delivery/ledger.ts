import type { EntityManager } from 'typeorm';
import type { ConversionCreatedV1 } from '@snaptrack/contracts-events';
import { PostgresLedger } from '@snaptrack/delivery-engine';
import type { LedgerRecord } from './delivery-result';
import { RETURNING, publish, type ClaimedRow, type LedgerContext } from './rows';

export type { EventIdRule } from './rows';

/** Advisory-lock class of dispatcher instances: lock (INSTANCE_LOCK_CLASS, instance number) while alive. */
export const INSTANCE_LOCK_CLASS = 23721;
/** Within this long after a Postgres start, only an expired lease frees a row (the engine's ledger, sql.ts). */
export const OWNER_GRACE_SECONDS = 15;

/**
 * The dispatcher's ledger: the engine's PostgresLedger on the `delivery` table (one row per conversion and Snap
 * pixel), `token_pause` for 429 pauses, delivery.result.v1 outbox rows for every state change. A claimed row gets
 * its conversion (payload and traceparent); its event id is fixed at its first claim (docs/snap-capi.md "Event ID
 * and deduplication": the rule depends on the event name mapped on this pixel), checked against the rule then, and
 * later claims reuse it.
 */
export function createDispatcherLedger(ctx: LedgerContext): PostgresLedger<ClaimedRow> {
  const { eventIdFor } = ctx;
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
      // Rows are written with the rule's id for their event name (rows.ts newRowFor): only a first-claimed row whose
      // event name changed since (a redeliver after a new mapping), or one written before that, gets a correction.
      const fixes: Array<{ id: string; event_id: string }> = [];
      for (const r of claimed) {
        const conv = byId.get(r.conversion_id);
        if (r.event_id_fixed || !conv) continue;
        const eventId = eventIdFor(conv.payload, r.event_name);
        if (eventId !== r.event_id) fixes.push({ id: r.id, event_id: eventId });
      }
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
