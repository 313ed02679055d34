import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { DeliveryCommandV1, TOPICS, topicName, type ConversionCreatedV1 } from '@snaptrack/contracts-events';
import type { Logger } from '@snaptrack/util-logger';
import type { ConfigViewService, PlacementChange } from '../config-view/config-view.service';
import { canonicalPixelId, placementNote, targetsFor, type PixelPlacement, type Target } from '../targets';
import { toDeliveryResult, type LedgerRecord } from './delivery-result';

/**
 * The only code that writes the ledger. Every state change and the delivery.result.v1 outbox row that announces it
 * are written in one transaction; the OutboxRelay publishes them.
 *
 *   ingest (consumer)  → rows `pending` (or `skipped: no_mapping`), insert … on conflict do nothing
 *   claim (sender)     → due rows become `sending` under a lease, FOR UPDATE SKIP LOCKED
 *   mark (sender)      → `delivered` | `retrying` | `failed` | `skipped`, only while this claim still owns the row
 *   commands           → redeliver resets failed/skipped rows; backfill adds rows for a newly configured pixel
 */

/** Advisory-lock class of dispatcher instances: lock (INSTANCE_LOCK_CLASS, instance number) while alive. */
export const INSTANCE_LOCK_CLASS = 23721;
/**
 * Advisory-lock class of one account's targeting: (ACCOUNT_LOCK_CLASS, hashtext(account_id)), held for the
 * transaction by ingest and by re-targeting after a placement change. Either the conversion is stored before the
 * re-targeting looks for it, or the ingest reads the configuration after the change: a conversion never misses a
 * placement that was applied while it was being ingested.
 */
export const ACCOUNT_LOCK_CLASS = 23722;

/** Snap counts events up to 37 days old: older conversions are not re-targeted. */
const RETARGET_MAX_AGE_DAYS = 37;

/**
 * True when the instance that claimed row `d` no longer holds its advisory lock (shared mode, as instances hold it):
 * it crashed or stopped, or lost its lock's connections while it lives on. Right after Postgres itself (re)started
 * nobody holds a lock yet, while the instances that live on are about to take theirs back (instance-lock.ts): for
 * OWNER_GRACE after a start, only an expired lease frees a row.
 */
export const OWNER_GRACE_SECONDS = 15;
const OWNER_GONE = `(NOT EXISTS (
  SELECT 1 FROM pg_locks l
   WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.mode = 'ShareLock'
     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
     AND l.classid = ${INSTANCE_LOCK_CLASS}::oid AND l.objid = d.claimed_by::oid)
  AND pg_postmaster_start_time() < now() - interval '${OWNER_GRACE_SECONDS} seconds')`;

/**
 * A `sending` row is taken over when its lease has ended, or when its claimer's lock is gone and no request of it may
 * still be running: none was started (`request_deadline` NULL) or the started one has timed out by now. A lost lock
 * does not tell a dead process (SIGKILL: its requests died with it) from a live one whose lock connections were cut
 * (its requests still run and will be answered and marked), so a started request is always waited for.
 */
const DUE = `d.status IN ('pending', 'retrying', 'sending')
  AND (d.next_attempt_at <= now()
       OR (d.status = 'sending' AND (d.request_deadline IS NULL OR d.request_deadline < now()) AND ${OWNER_GONE}))`;

const RETURNING = `d.id, d.conversion_id, d.pixel_id, d.account_id, d.status, d.attempts, d.next_attempt_at,
  d.event_id, d.event_name,
  d.http_status, d.reason_code, d.message, d.placements, d.test_mode, d.command_id, d.revision, d.cycle_started_at,
    d.delivered_at, d.updated_at`;

/** TypeORM answers UPDATE/DELETE … RETURNING with [rows, count] and INSERT/SELECT with rows. */
export function rowsOf<T>(res: unknown): T[] {
  if (Array.isArray(res) && res.length === 2 && Array.isArray(res[0]) && typeof res[1] === 'number')
    return res[0] as T[];
  return (res as T[]) ?? [];
}

export type FinalStatus = 'delivered' | 'skipped' | 'retrying' | 'failed';

export interface Outcome {
  id: string;
  status: FinalStatus;
  httpStatus?: number | null;
  reasonCode?: string | null;
  message?: string | null;
  /** Required for `retrying`. */
  nextAttemptAt?: Date | null;
  testMode?: boolean;
  placements?: string[];
}

export interface ClaimedRow extends LedgerRecord {
  conversion: ConversionCreatedV1.Value;
  /** The W3C traceparent the conversion arrived with (its Snapchat request span continues that trace). */
  traceParent?: string | null;
}

interface NewRow {
  conversion_id: string;
  pixel_id: string;
  account_id: string;
  status: 'pending' | 'skipped';
  event_id: string;
  event_name: string | null;
  reason_code: string | null;
  message: string | null;
  placements: string[];
  test_mode: boolean;
  command_id: string | null;
}

export function noMappingMessage(conv: Pick<ConversionCreatedV1.Value, 'type'>, pixelId: string): string {
  return (
    `Conversion type "${conv.type}" is not mapped to a Snapchat event on pixel ${pixelId}, so nothing ` +
    `was sent. Map it on the pixel, then re-deliver.`
  );
}

/** The ledger row a target asks for (pending, or skipped when the conversion type is not mapped). */
export function newRowFor(conv: ConversionCreatedV1.Value, target: Target, commandId: string | null): NewRow {
  const mapped = target.eventName !== null;
  return {
    conversion_id: conv.conversion_id,
    pixel_id: target.pixelId,
    account_id: conv.account_id,
    status: mapped ? 'pending' : 'skipped',
    event_id: conv.event_id,
    event_name: target.eventName,
    reason_code: mapped ? null : 'no_mapping',
    message: mapped ? placementNote(target) : noMappingMessage(conv, target.pixelId),
    placements: target.placements,
    test_mode: target.primary.testMode,
    command_id: commandId,
  };
}

export function conversionRef(conv: ConversionCreatedV1.Value) {
  return {
    accountId: conv.account_id,
    trafficChannelId: conv.attribution?.traffic_channel_id ?? null,
    offerId: conv.attribution?.offer_id ?? null,
    conversionTypeId: conv.conversion_type_id,
  };
}

/**
 * The destination's rule for the event id of one (conversion, event name), fixed on a row at its first claim. The
 * ledger knows no network: the app injects it (Snap's purchase rule is snap-capi/event-id.ts `snapEventIdFor`).
 * Default: the conversion's own `event_id`.
 */
export type EventIdRule = (conversion: ConversionCreatedV1.Value, eventName: string | null) => string;

export class DeliveryService {
  private readonly resultTopic: string;

  constructor(
    private readonly ds: DataSource,
    private readonly configView: ConfigViewService,
    private readonly log: Logger,
    topicPrefix: string,
    /** Called after a commit that wrote outbox rows (wakes the OutboxRelay). */
    private readonly onPublished: () => void = () => undefined,
    private readonly eventIdFor: EventIdRule = (conversion) => conversion.event_id,
  ) {
    this.resultTopic = topicName(topicPrefix, TOPICS.deliveryResultV1);
  }

  // ---------------------------------------------------------------------------------------------------- outbox

  private async publish(tx: EntityManager, rows: LedgerRecord[]): Promise<void> {
    if (!rows.length) return;
    const messages = rows.map((r) => ({ topic: this.resultTopic, key: r.conversion_id, payload: toDeliveryResult(r) }));
    await tx.query(
      `INSERT INTO outbox_message (topic, key, payload)
       SELECT topic, key, payload FROM jsonb_to_recordset($1::jsonb) AS x(topic text, key text, payload jsonb)`,
      [JSON.stringify(messages)],
    );
  }

  private async insertRows(tx: EntityManager, rows: NewRow[]): Promise<LedgerRecord[]> {
    if (!rows.length) return [];
    rows.sort((a, b) => (a.conversion_id + a.pixel_id < b.conversion_id + b.pixel_id ? -1 : 1));
    return tx.query(
      `INSERT INTO delivery AS d (conversion_id, pixel_id, account_id, status, next_attempt_at, event_id, event_name,
                                 reason_code, message,
                                 placements, test_mode, command_id, revision)
       SELECT conversion_id, pixel_id, account_id, status, CASE WHEN status = 'pending' THEN now() END, event_id,
              event_name, reason_code, message,
              ARRAY(SELECT jsonb_array_elements_text(placements)), test_mode, command_id, 1
         FROM jsonb_to_recordset($1::jsonb) AS x(conversion_id uuid, pixel_id text, account_id text, status text,
                                                event_id text, event_name text,
                                                reason_code text, message text, placements jsonb, test_mode boolean,
                                                  command_id text)
       ON CONFLICT (conversion_id, pixel_id) DO NOTHING
       RETURNING ${RETURNING}`,
      [JSON.stringify(rows)],
    );
  }

  // ---------------------------------------------------------------------------------------------------- ingest

  /**
   * Stores the conversions and creates their ledger rows in one transaction. Idempotent: a redelivered message
   * inserts nothing new (unique ids). Returns how many ledger rows were created.
   */
  async ingestConversions(
    values: ConversionCreatedV1.Value[],
    traceParents: ReadonlyMap<string, string> = new Map(),
  ): Promise<number> {
    if (!values.length) return 0;
    const byId = new Map(values.map((v) => [v.conversion_id, v]));
    const convs = [...byId.values()].sort((a, b) => (a.conversion_id < b.conversion_id ? -1 : 1));
    const attributed = convs.filter((c) => c.status === 'attributed' && c.attribution);
    const created = await this.ds.transaction(async (tx) => {
      const accounts = [...new Set(attributed.map((c) => c.account_id))].sort();
      await this.lockAccounts(tx, accounts);
      const pixels = await this.configView.pixelsFor(accounts, tx);
      const newRows = attributed.flatMap((c) => targetsFor(conversionRef(c), pixels).map((t) => newRowFor(c, t, null)));
      await tx.query(
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
      const inserted = await this.insertRows(tx, newRows);
      await this.publish(tx, inserted);
      return inserted.length;
    });
    if (created) this.onPublished();
    return created;
  }

  /** Takes the targeting locks of these accounts for the transaction, in a fixed order (no deadlock). */
  private async lockAccounts(tx: EntityManager, accountIds: string[]): Promise<void> {
    for (const a of [...accountIds].sort()) {
      await tx.query(`SELECT pg_advisory_xact_lock($1::int, hashtext($2))`, [ACCOUNT_LOCK_CLASS, a]);
    }
  }

  // ---------------------------------------------------------------------------------------------------- placements

  /**
   * A placement the config view just applied (new, or changed what it targets) re-targets the conversions this
   * service has already stored that conversion-service received since the placement's creation minus `skewMs` (the
   * clock difference allowed between the services), at most 37 days old: a conversion posted right after the pixel
   * was saved, but consumed before the placement was, still reaches it. A version saved with a backfill request
   * (`backfillDays` > 0, config.entity.v1 `backfill_days`) also re-targets the conversions that occurred in the last
   * that many days, as the `backfill` command would. Rows are inserted on conflict do nothing, so each
   * (conversion, pixel) stays single. Returns how many rows were created.
   */
  async retargetPlacement(change: PlacementChange, skewMs: number): Promise<number> {
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
      const n = await this.ds.transaction(async (tx) => {
        await this.lockAccounts(tx, [p.accountId]);
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
        const pixels = await this.configView.pixelsFor([p.accountId], tx);
        const rows = page.flatMap(({ payload }) =>
          targetsFor(conversionRef(payload), pixels)
            .filter((t) => t.pixelId === pixelId)
            .map((t) => newRowFor(payload, t, null)),
        );
        const inserted = await this.insertRows(tx, rows);
        await this.publish(tx, inserted);
        return inserted.length;
      });
      if (n === null) break;
      created += n;
      if (n) this.onPublished();
    }
    if (created) {
      this.log.info('conversions re-targeted to a new or changed pixel placement', {
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
  async skipRemovedPlacement(change: PlacementChange): Promise<number> {
    const p = change.previous;
    if (!p) return 0;
    const pixelId = canonicalPixelId(p.pixelId);
    const n = await this.ds.transaction(async (tx) => {
      await this.lockAccounts(tx, [p.accountId]);
      const waiting: Array<{ id: string; payload: ConversionCreatedV1.Value | null }> = await tx.query(
        `SELECT d.id::text AS id, c.payload FROM delivery d LEFT JOIN conversion c ON c.id = d.conversion_id
          WHERE d.account_id = $1 AND d.pixel_id = $2 AND d.status IN ('pending', 'retrying')`,
        [p.accountId, pixelId],
      );
      if (!waiting.length) return 0;
      const pixels = await this.configView.pixelsFor([p.accountId], tx);
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
      await this.publish(tx, rows);
      return rows.length;
    });
    if (n) this.onPublished();
    return n;
  }

  // ---------------------------------------------------------------------------------------------------- commands

  async applyCommand(
    cmd: DeliveryCommandV1.Value,
    heartbeat: () => Promise<void> = async () => undefined,
  ): Promise<{ created: number; reset: number }> {
    // A command names the one dispatcher it is for (absent: snapchat-capi); another network's is not ours to act on,
    // even when it names no pixel (a redeliver of "every failed delivery" of another destination).
    if (!DeliveryCommandV1.isFor(cmd, DeliveryCommandV1.SNAPCHAT_CAPI_DESTINATION)) {
      this.log.info('command for another destination ignored', {
        command_id: cmd.command_id,
        account_id: cmd.account_id,
        destination: DeliveryCommandV1.destinationOf(cmd),
      });
      return { created: 0, reset: 0 };
    }
    return cmd.kind === 'redeliver' ? this.redeliver(cmd) : this.backfill(cmd, heartbeat);
  }

  /**
   * Resends the failed (and skipped) deliveries of these conversions with the current configuration: targets are
   * recomputed, so a pixel added since gets a new row; delivered and in-flight rows are never touched.
   */
  private async redeliver(
    cmd: Extract<DeliveryCommandV1.Value, { kind: 'redeliver' }>,
  ): Promise<{ created: number; reset: number }> {
    const onlyPixel = cmd.pixel_id ? canonicalPixelId(cmd.pixel_id) : null;
    let created = 0;
    let reset = 0;
    const ids = [...new Set(cmd.conversion_ids)];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const pixels = await this.configView.pixelsFor([cmd.account_id]);
      const r = await this.ds.transaction(async (tx) => {
        const convRows: Array<{ payload: ConversionCreatedV1.Value }> = await tx.query(
          `SELECT payload FROM conversion WHERE account_id = $1 AND id::text = ANY($2::text[]) AND status = ` +
            `'attributed'`,
          [cmd.account_id, chunk],
        );
        const existing: LedgerRecord[] = await tx.query(
          `SELECT ${RETURNING} FROM delivery d WHERE d.account_id = $1 AND d.conversion_id::text = ` +
            `ANY($2::text[]) ORDER BY d.id FOR UPDATE`,
          [cmd.account_id, chunk],
        );
        const byKey = new Map(existing.map((e) => [`${e.conversion_id}|${e.pixel_id}`, e]));
        const inserts: NewRow[] = [];
        const resets: Array<NewRow & { id: string }> = [];
        for (const { payload: conv } of convRows) {
          for (const t of targetsFor(conversionRef(conv), pixels)) {
            if (onlyPixel && t.pixelId !== onlyPixel) continue;
            const row = newRowFor(conv, t, cmd.command_id);
            const prev = byKey.get(`${conv.conversion_id}|${t.pixelId}`);
            if (!prev) inserts.push(row);
            else if (prev.status === 'failed' || prev.status === 'skipped') resets.push({ ...row, id: prev.id });
          }
        }
        const inserted = await this.insertRows(tx, inserts);
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
        await this.publish(tx, changed);
        return { created: inserted.length, reset: changed.length - inserted.length };
      });
      created += r.created;
      reset += r.reset;
      if (r.created + r.reset) this.onPublished();
    }
    this.log.info('redeliver applied', {
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
  private async backfill(
    cmd: Extract<DeliveryCommandV1.Value, { kind: 'backfill' }>,
    heartbeat: () => Promise<void>,
  ): Promise<{ created: number; reset: number }> {
    const placement = await this.configView.pixelPlacement(cmd.pixel_config_id);
    if (!placement || placement.accountId !== cmd.account_id) {
      this.log.warn('backfill for an unknown pixel placement ignored', {
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
      const page: Array<{ id: string; payload: ConversionCreatedV1.Value }> = await this.ds.query(
        `SELECT c.id, c.payload FROM conversion c
          WHERE c.account_id = $1 AND c.status = 'attributed' AND c.${column} = $2
            AND c.occurred_at >= now() - ($3::int * interval '1 day') AND c.id > $4::uuid
            AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.conversion_id = c.id AND d.pixel_id = $5)
          ORDER BY c.id LIMIT 500`,
        [cmd.account_id, scopeId, days, after, pixelId],
      );
      if (!page.length) break;
      after = page[page.length - 1]!.id;
      const pixels = await this.configView.pixelsFor([cmd.account_id]);
      if (!pixels.some((p) => p.configId === placement.configId)) pixels.push(placement);
      const rows = page.flatMap(({ payload }) =>
        targetsFor(conversionRef(payload), pixels)
          .filter((t) => t.pixelId === pixelId)
          .map((t) => newRowFor(payload, t, cmd.command_id)),
      );
      const n = await this.ds.transaction(async (tx) => {
        const inserted = await this.insertRows(tx, rows);
        await this.publish(tx, inserted);
        return inserted.length;
      });
      created += n;
      if (n) this.onPublished();
      await heartbeat();
    }
    this.log.info('backfill applied', {
      command_id: cmd.command_id,
      account_id: cmd.account_id,
      pixel_id: pixelId,
      since_days: days,
      created,
    });
    return { created, reset: 0 };
  }

  // ---------------------------------------------------------------------------------------------------- sender side

  /** Pixels with due work (including rows whose claimer died). */
  async duePixels(limit = 500): Promise<Array<{ account_id: string; pixel_id: string }>> {
    return this.ds.query(
      `SELECT d.account_id, d.pixel_id FROM delivery d WHERE ${DUE} GROUP BY d.account_id, d.pixel_id ` +
        `ORDER BY min(d.next_attempt_at) LIMIT $1`,
      [limit],
    );
  }

  /**
   * Claims up to `limit` due rows of one pixel for this instance: status `sending`, a fresh claim id, a lease, and
   * attempts + 1. SKIP LOCKED: another instance claiming the same pixel at the same moment gets other rows.
   * A row claimed for the first time gets its final Snap `event_id` in the same transaction (docs/snap-capi.md
   * "Event ID and deduplication": rule 2 depends on the event name mapped on this pixel); later claims reuse it.
   */
  async claim(
    accountId: string,
    pixelId: string,
    limit: number,
    instanceNo: number,
    leaseMs: number,
    claimId: string = randomUUID(),
  ): Promise<{ claimId: string; rows: ClaimedRow[] }> {
    const rows: ClaimedRow[] = await this.ds.transaction(async (tx) => {
      const res = await tx.query(
        `WITH due AS (
           SELECT d.id FROM delivery d
            WHERE d.account_id = $1 AND d.pixel_id = $2 AND ${DUE}
            ORDER BY d.next_attempt_at, d.id
            LIMIT $3
            FOR UPDATE SKIP LOCKED)
         UPDATE delivery d SET status = 'sending', claim_id = $4, claimed_by = $5, request_deadline = NULL,
                lease_until = now() + ($6::int * interval '1 millisecond'),
                  next_attempt_at = now() + ($6::int * interval '1 millisecond'),
                attempts = d.attempts + 1, updated_at = now()
           FROM due WHERE d.id = due.id
         RETURNING ${RETURNING}, d.event_id_fixed`,
        [accountId, pixelId, limit, claimId, instanceNo, leaseMs],
      );
      const claimed = rowsOf<LedgerRecord & { event_id_fixed: boolean }>(res);
      if (!claimed.length) return [];
      const convs: Array<{ id: string; payload: ConversionCreatedV1.Value; trace_parent: string | null }> =
        await tx.query(`SELECT id, payload, trace_parent FROM conversion WHERE id = ANY($1::uuid[])`, [
          [...new Set(claimed.map((r) => r.conversion_id))],
        ]);
      const byId = new Map(convs.map((c) => [c.id, c.payload]));
      const traceOf = new Map(convs.map((c) => [c.id, c.trace_parent]));
      const fixes = claimed
        .filter((r) => !r.event_id_fixed && byId.has(r.conversion_id))
        .map((r) => ({ id: r.id, event_id: this.eventIdFor(byId.get(r.conversion_id)!, r.event_name) }));
      if (fixes.length) {
        await tx.query(
          `UPDATE delivery d SET event_id = x.event_id, event_id_fixed = true
             FROM jsonb_to_recordset($1::jsonb) AS x(id bigint, event_id text) WHERE d.id = x.id`,
          [JSON.stringify(fixes)],
        );
      }
      const fixedId = new Map(fixes.map((f) => [String(f.id), f.event_id]));
      return claimed.map(({ event_id_fixed: _fixed, ...r }) => ({
        ...r,
        event_id: fixedId.get(String(r.id)) ?? r.event_id,
        conversion: byId.get(r.conversion_id)!,
        traceParent: traceOf.get(r.conversion_id) ?? null,
      }));
    });
    return { claimId, rows: rows.sort((a, b) => Number(a.id) - Number(b.id)) };
  }

  /**
   * Extends the lease right before a request and records by when that request has certainly ended
   * (`request_deadline`, now + `requestMs`); returns the ids this claim still owns (only those may be sent).
   */
  async refreshLease(claimId: string, ids: string[], leaseMs: number, requestMs: number): Promise<Set<string>> {
    const res = await this.ds.query(
      `UPDATE delivery SET lease_until = now() + ($3::int * interval '1 millisecond'),
              next_attempt_at = now() + ($3::int * interval '1 millisecond'),
              request_deadline = now() + ($4::int * interval '1 millisecond')
        WHERE claim_id = $1 AND status = 'sending' AND id = ANY($2::bigint[])
        RETURNING id`,
      [claimId, ids, leaseMs, requestMs],
    );
    const list = rowsOf<{ id: string }>(res);
    return new Set(list.map((r) => String(r.id)));
  }

  /** Gives rows back unsent (their token is paused): due again at `until`, the claim's attempt is not counted. */
  async release(claimId: string, ids: string[], until: Date): Promise<void> {
    if (!ids.length) return;
    await this.ds.query(
      `UPDATE delivery SET status = CASE WHEN attempts - 1 > 0 THEN 'retrying' ELSE 'pending' END,
              attempts = greatest(0, attempts - 1),
              next_attempt_at = $3, lease_until = NULL, claim_id = NULL, claimed_by = NULL, request_deadline = NULL,
                updated_at = now()
        WHERE claim_id = $1 AND status = 'sending' AND id = ANY($2::bigint[])`,
      [claimId, ids, until],
    );
  }

  /**
   * Hands every still-claimed row of a claim back unsent (due now, the attempt not counted). For a claim whose
   * transaction failed without a clear answer, and for rows a failed worker never put into a request.
   */
  async releaseClaim(claimId: string): Promise<number> {
    const res = await this.ds.query(
      `UPDATE delivery SET status = CASE WHEN attempts - 1 > 0 THEN 'retrying' ELSE 'pending' END,
              attempts = greatest(0, attempts - 1),
              next_attempt_at = now(), lease_until = NULL, claim_id = NULL, claimed_by = NULL, request_deadline = NULL,
                updated_at = now()
        WHERE claim_id = $1 AND status = 'sending'
        RETURNING id`,
      [claimId],
    );
    return rowsOf<{ id: string }>(res).length;
  }

  /** Records outcomes of one claim and publishes them. A row another claim took over (lease expired) is left alone. */
  async mark(claimId: string, outcomes: Outcome[]): Promise<LedgerRecord[]> {
    if (!outcomes.length) return [];
    const data = outcomes.map((o) => ({
      id: o.id,
      status: o.status,
      http_status: o.httpStatus ?? null,
      reason_code: o.reasonCode ?? null,
      message: o.message ?? null,
      next_attempt_at: o.status === 'retrying' ? (o.nextAttemptAt ?? new Date()).toISOString() : null,
      test_mode: o.testMode ?? null,
      placements: o.placements ?? null,
    }));
    const marked = await this.ds.transaction(async (tx) => {
      const res = await tx.query(
        `UPDATE delivery d SET status = x.status, http_status = x.http_status, reason_code = x.reason_code,
                message = x.message,
                next_attempt_at = x.next_attempt_at, lease_until = NULL, claim_id = NULL, claimed_by = NULL,
                  request_deadline = NULL,
                delivered_at = CASE WHEN x.status = 'delivered' THEN now() ELSE d.delivered_at END,
                test_mode = coalesce(x.test_mode, d.test_mode),
                placements = CASE WHEN x.placements IS NULL THEN d.placements ELSE ARRAY(SELECT
                  jsonb_array_elements_text(x.placements)) END,
                revision = d.revision + 1, updated_at = now()
           FROM jsonb_to_recordset($2::jsonb) AS x(id bigint, status text, http_status int, reason_code text,
                                                  message text,
                                                  next_attempt_at timestamptz, test_mode boolean, placements jsonb)
          WHERE d.id = x.id AND d.claim_id = $1 AND d.status = 'sending'
         RETURNING ${RETURNING}`,
        [claimId, JSON.stringify(data)],
      );
      const rows = rowsOf<LedgerRecord>(res);
      await this.publish(tx, rows);
      if (rows.length < outcomes.length) {
        this.log.warn('some outcomes were not recorded: the claim was taken over after its lease ended', {
          claim_id: claimId,
          lost: outcomes.length - rows.length,
        });
      }
      return rows;
    });
    if (marked.length) this.onPublished();
    return marked;
  }

  /**
   * Waiting rows (`pending`/`retrying`) of one pixel with their conversions, by id, a page at a time: the sender
   * picks those that would be sent with a given credential (pixel + token).
   */
  async waitingRows(
    accountId: string,
    pixelId: string,
    afterId: string,
    limit: number,
  ): Promise<Array<{ id: string; conversion: ConversionCreatedV1.Value | null }>> {
    const rows: Array<{ id: string; payload: ConversionCreatedV1.Value | null }> = await this.ds.query(
      `SELECT d.id::text AS id, c.payload FROM delivery d LEFT JOIN conversion c ON c.id = d.conversion_id
        WHERE d.account_id = $1 AND d.pixel_id = $2 AND d.status IN ('pending', 'retrying') AND d.id > $3::bigint
        ORDER BY d.id LIMIT $4`,
      [accountId, pixelId, afterId, limit],
    );
    return rows.map((r) => ({ id: r.id, conversion: r.payload }));
  }

  /**
   * A person has to fix the credential (bad token, unknown pixel): fail these waiting deliveries of the pixel (the
   * ones that would use the same token) now with the same message, instead of sending each one into the same wall.
   * Rows in flight get their own answer; rows that have left the waiting states meanwhile are left alone.
   */
  async failWaiting(
    accountId: string,
    pixelId: string,
    ids: string[],
    outcome: { httpStatus: number | null; reasonCode: string; message: string },
  ): Promise<number> {
    if (!ids.length) return 0;
    const n = await this.ds.transaction(async (tx) => {
      const res = await tx.query(
        `UPDATE delivery d SET status = 'failed', http_status = $3, reason_code = $4, message = $5,
                next_attempt_at = NULL,
                revision = d.revision + 1, updated_at = now()
          WHERE d.account_id = $1 AND d.pixel_id = $2 AND d.id = ANY($6::bigint[]) AND d.status IN ('pending',
            'retrying')
         RETURNING ${RETURNING}`,
        [accountId, pixelId, outcome.httpStatus, outcome.reasonCode, outcome.message, ids],
      );
      const rows = rowsOf<LedgerRecord>(res);
      await this.publish(tx, rows);
      return rows.length;
    });
    if (n) this.onPublished();
    return n;
  }

  /** 429: none of these waiting rows is due before `until` (state unchanged, so nothing is published). */
  async deferWaiting(accountId: string, pixelId: string, ids: string[], until: Date): Promise<void> {
    if (!ids.length) return;
    await this.ds.query(
      `UPDATE delivery SET next_attempt_at = greatest(next_attempt_at, $3)
        WHERE account_id = $1 AND pixel_id = $2 AND id = ANY($4::bigint[]) AND status IN ('pending', 'retrying')`,
      [accountId, pixelId, until, ids],
    );
  }

  async pauseToken(tokenKey: string, until: Date): Promise<void> {
    await this.ds.query(
      `INSERT INTO token_pause (token_key, paused_until) VALUES ($1, $2)
       ON CONFLICT (token_key) DO UPDATE SET paused_until = greatest(token_pause.paused_until, EXCLUDED.paused_until)`,
      [tokenKey, until],
    );
  }

  async activePauses(): Promise<Map<string, number>> {
    const rows: Array<{ token_key: string; paused_until: Date }> = await this.ds.query(
      `SELECT token_key, paused_until FROM token_pause WHERE paused_until > now()`,
    );
    return new Map(rows.map((r) => [r.token_key, new Date(r.paused_until).getTime()]));
  }

  async cleanupPauses(): Promise<void> {
    await this.ds.query(`DELETE FROM token_pause WHERE paused_until < now() - interval '1 hour'`);
  }

  /** Ledger counts by status (tests, operators). */
  async counts(): Promise<Record<string, number>> {
    const rows: Array<{ status: string; n: number }> = await this.ds.query(
      `SELECT status, count(*)::int AS n FROM delivery GROUP BY status`,
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }
}

export type { PixelPlacement };
