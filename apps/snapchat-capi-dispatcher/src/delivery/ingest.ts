import type { ConversionCreatedV1 } from '@snaptrack/contracts-events';
import { preparedQuery } from '@snaptrack/util-db';
import { targetsFor } from '../targets';
import { conversionRef, insertRows, lockAccounts, newRowFor, publish, type LedgerContext } from './rows';

/**
 * Stores the conversions and creates their ledger rows in one transaction. Idempotent: a redelivered message
 * inserts nothing new (unique ids). Returns how many ledger rows were created.
 */
export async function ingestConversions(
  ctx: LedgerContext,
  values: ConversionCreatedV1.Value[],
  traceParents: ReadonlyMap<string, string> = new Map(),
): Promise<number> {
  if (!values.length) return 0;
  const byId = new Map(values.map((v) => [v.conversion_id, v]));
  const convs = [...byId.values()].sort((a, b) => (a.conversion_id < b.conversion_id ? -1 : 1));
  const attributed = convs.filter((c) => c.status === 'attributed' && c.attribution);
  const created = await ctx.ds.transaction(async (tx) => {
    const accounts = [...new Set(attributed.map((c) => c.account_id))].sort();
    await lockAccounts(tx, accounts, 'shared');
    const pixels = await ctx.configView.pixelsFor(accounts, tx);
    const newRows = attributed.flatMap((c) =>
      targetsFor(conversionRef(c), pixels).map((t) => newRowFor(ctx, c, t, null)),
    );
    await preparedQuery(
      tx,
      `INSERT INTO conversion (id, account_id, event_id, status, conversion_type_id, traffic_channel_id, offer_id,
       occurred_at, payload, trace_parent)
       SELECT id, account_id, event_id, status, conversion_type_id, traffic_channel_id, offer_id, occurred_at,
              payload,
              trace_parent
         FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, account_id text, event_id text, status text,
                                                conversion_type_id text,
                                                traffic_channel_id text, offer_id text, occurred_at timestamptz,
                                                  payload jsonb, trace_parent text)
       ON CONFLICT (id) DO NOTHING`,
      [
        JSON.stringify(
          convs.map((c) => ({
            id: c.conversion_id,
            account_id: c.account_id,
            event_id: c.event_id,
            status: c.status,
            conversion_type_id: c.conversion_type_id,
            traffic_channel_id: c.attribution?.traffic_channel_id ?? null,
            offer_id: c.attribution?.offer_id ?? null,
            occurred_at: c.occurred_at,
            payload: c,
            trace_parent: traceParents.get(c.conversion_id) ?? null,
          })),
        ),
      ],
    );
    const inserted = await insertRows(tx, newRows);
    await publish(ctx, tx, inserted);
    return inserted.length;
  });
  if (created) ctx.onPublished();
  return created;
}
