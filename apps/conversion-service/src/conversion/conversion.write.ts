import type { EntityManager } from 'typeorm';
import { preparedQuery } from '@snaptrack/util-db';
import type { Conversion, DuplicatePolicy } from './conversion.entity';

/** How long an exact replay of a postback answers the first one's conversion. */
export const REPLAY_WINDOW_HOURS = 24;

/**
 * Shards of each `report_conversion_rollup` row. Each write statement adds its counts to one shard (taken in turn, from
 * a random start per instance), so concurrent writes of the same account and 15-minute bucket do not wait for each
 * other's commit on one row lock; the report sums the shards.
 */
export const ROLLUP_SHARDS = 8;

export type RecordOutcome =
  { outcome: 'accepted'; conversion: Conversion } | { outcome: 'duplicate'; conversionId: string; reason: string };

/** A conversion as the write statement reads it: its columns, its event and what the request adds. */
export type ConversionRow = Conversion & {
  /** conversion.created.v1, built (and checked against the contract) before the write. */
  payload: unknown;
  /** Position in the batch: rows are inserted in this order, so the first of two duplicates wins. */
  ord: number;
  requestKey: string | null;
  headers: Record<string, string> | null;
};

/**
 * Inserts the conversions, their outbox rows (topic `topic`) and their counts in `report_conversion_rollup` (shard
 * `shard`) in ONE statement (data-modifying CTEs), so each conversion row commits with its outbox row even when `tx`
 * is not inside a transaction. An exact replay of a request key within the replay window, or a conflict on the
 * duplicate index (a concurrent or earlier postback, or an earlier row of the same batch), inserts nothing for that
 * row. Returns `created_at` of each conversion it inserted, by id.
 */
export async function insertConversions(
  tx: EntityManager,
  rows: ConversionRow[],
  topic: string,
  shard: number,
): Promise<Map<string, Date>> {
  // Prepared: planning this statement cost about as much as running it for a typical batch of a few postbacks.
  const inserted = await preparedQuery<{ id: string; created_at: Date }>(
    tx,
    `WITH input AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(ord int, id uuid, "accountId" text, "eventId" text,
         status text,
         "conversionTypeId" text, type text, "duplicatePolicy" text, "dedupKey" text, payout numeric, currency text,
         "transactionId" text, "receivedAt" timestamptz, "clickId" text, "clickedAt" timestamptz, "campaignId" text,
         "trafficChannelId" text, "trafficChannelTemplate" text, "offerId" text, "offerSourceId" text,
           "userData" jsonb,
         prehashed jsonb, "pendingId" uuid, payload jsonb, "requestKey" text, headers jsonb)
     ), claimed AS (
       -- An exact replay within the window claims nothing (a concurrent one waits on the key, then finds it).
       INSERT INTO postback_request (request_key, account_id, conversion_id, received_at)
       SELECT "requestKey", "accountId", id, "receivedAt" FROM input WHERE "requestKey" IS NOT NULL ORDER BY ord
       ON CONFLICT (request_key) DO UPDATE SET account_id = EXCLUDED.account_id,
         conversion_id = EXCLUDED.conversion_id, received_at = EXCLUDED.received_at
       WHERE postback_request.received_at <= EXCLUDED.received_at - make_interval(hours => $3)
       RETURNING request_key
     ), inserted AS (
       INSERT INTO conversion (id, account_id, event_id, status, conversion_type_id, type, duplicate_policy,
         dedup_key, payout,
         currency, transaction_id, occurred_at, received_at, click_id, clicked_at, campaign_id, traffic_channel_id,
         traffic_channel_template, offer_id, offer_source_id, user_data, prehashed, pending_id)
       SELECT id, "accountId", "eventId", status, "conversionTypeId", type, "duplicatePolicy", "dedupKey", payout,
         currency,
         "transactionId", "receivedAt", "receivedAt", "clickId", "clickedAt", "campaignId", "trafficChannelId",
         "trafficChannelTemplate", "offerId", "offerSourceId", coalesce("userData", '{}'::jsonb),
         ARRAY(SELECT jsonb_array_elements_text(coalesce(prehashed, '[]'::jsonb))), "pendingId"
       FROM input WHERE "requestKey" IS NULL OR "requestKey" IN (SELECT request_key FROM claimed) ORDER BY ord
       ON CONFLICT (account_id, dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING
       RETURNING id, created_at
     ), outbox AS (
       INSERT INTO outbox_message (topic, key, payload, headers)
       SELECT $2, input.id::text, input.payload, input.headers FROM input JOIN inserted USING (id) ORDER BY input.ord
     ), rolled AS (
       -- The report's rollup counts exactly the conversions this statement inserted (see report.service.ts).
       INSERT INTO report_conversion_rollup AS r (account_id, bucket, campaign_id, traffic_channel_id, offer_id,
         offer_source_id, conversion_type_id, currency, shard, conversions, revenue)
       SELECT "accountId", date_bin('15 minutes', "receivedAt", 'epoch'), coalesce("campaignId", ''),
         coalesce("trafficChannelId", ''), coalesce("offerId", ''), coalesce("offerSourceId", ''),
         coalesce("conversionTypeId", ''), coalesce(upper(currency), ''), $4::smallint, count(*),
         coalesce(sum(payout), 0)
       FROM input JOIN inserted USING (id)
       GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
       ON CONFLICT (account_id, bucket, campaign_id, traffic_channel_id, offer_id, offer_source_id,
         conversion_type_id, currency, shard)
         DO UPDATE SET conversions = r.conversions + EXCLUDED.conversions, revenue = r.revenue + EXCLUDED.revenue
     )
     SELECT id, created_at FROM inserted`,
    [JSON.stringify(rows), topic, REPLAY_WINDOW_HOURS, shard],
  );
  return new Map(inserted.map((r) => [r.id, r.created_at]));
}

/**
 * Why a conversion the statement did not insert is a duplicate, and of which conversion: the first request of an
 * exact replay, else the existing conversion with the same duplicate key (whose id this request's claimed key then
 * answers to later replays).
 */
export async function duplicateOf(
  tx: EntityManager,
  conversion: Pick<Conversion, 'id' | 'accountId' | 'dedupKey'>,
  requestKey: string | null,
  type: { name: string; duplicate_policy: DuplicatePolicy },
): Promise<Extract<RecordOutcome, { outcome: 'duplicate' }>> {
  if (requestKey) {
    const [replayed]: Array<{ conversion_id: string }> = await tx.query(
      `SELECT conversion_id FROM postback_request WHERE request_key = $1 AND conversion_id <> $2`,
      [requestKey, conversion.id],
    );
    if (replayed) {
      return {
        outcome: 'duplicate',
        conversionId: replayed.conversion_id,
        reason: 'the same postback was already received (an exact replay)',
      };
    }
  }
  const [existing]: Array<{ id: string }> = await tx.query(
    `SELECT id FROM conversion WHERE account_id = $1 AND dedup_key = $2`,
    [conversion.accountId, conversion.dedupKey],
  );
  const reason =
    type.duplicate_policy === 'ignore_same_click'
      ? `a "${type.name}" conversion was already recorded for this click`
      : `a "${type.name}" conversion with this event id was already recorded`;
  // This request claimed its key but its conversion is a duplicate under the policy: replays answer that one.
  if (requestKey && existing)
    await tx.query(`UPDATE postback_request SET conversion_id = $2 WHERE request_key = $1 AND conversion_id = $3`, [
      requestKey,
      existing.id,
      conversion.id,
    ]);
  return { outcome: 'duplicate', conversionId: existing?.id, reason };
}
