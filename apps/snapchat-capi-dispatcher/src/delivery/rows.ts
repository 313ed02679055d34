import type { DataSource, EntityManager } from 'typeorm';
import type { ConversionCreatedV1 } from '@snaptrack/contracts-events';
import type { Logger } from '@snaptrack/util-logger';
import { preparedQuery } from '@snaptrack/util-db';
import type { ConfigViewService } from '../config-view/config-view.service';
import { placementNote, type Target } from '../targets';
import { toDeliveryResult, type LedgerRecord } from './delivery-result';

export { rowsOf } from '@snaptrack/delivery-engine';

/** What the ledger's writers share: the database, the config view, the result topic, and the relay's wake-up. */
export interface LedgerContext {
  ds: DataSource;
  configView: ConfigViewService;
  log: Logger;
  /** delivery.result.v1 with the topic prefix. */
  resultTopic: string;
  /** Called after a commit that wrote outbox rows (wakes the OutboxRelay). */
  onPublished: () => void;
  /** The destination's event id rule: new rows are written with its id (ledger.ts checks it at the first claim). */
  eventIdFor: EventIdRule;
}

/**
 * The destination's rule for the event id of one (conversion, event name), fixed on a row at its first claim. The
 * ledger knows no network: the app injects it (Snap's purchase rule is snap-capi/event-id.ts `snapEventIdFor`).
 * Default: the conversion's own `event_id`.
 */
export type EventIdRule = (conversion: ConversionCreatedV1.Value, eventName: string | null) => string;

/**
 * Advisory-lock class of one account's targeting: (ACCOUNT_LOCK_CLASS, hashtext(account_id)), held for the
 * transaction, shared by ingest and exclusive by re-targeting after a placement change. Either the conversion is stored
 * before the re-targeting looks for it, or the ingest reads the configuration after the change: a conversion never
 * misses a placement that was applied while it was being ingested. Ingests do not exclude each other (instances
 * ingest the same account at once; a conversion read twice meets the unique keys and inserts nothing).
 */
export const ACCOUNT_LOCK_CLASS = 23722;

/** Snap counts events up to 37 days old: older conversions are not re-targeted. */
export const RETARGET_MAX_AGE_DAYS = 37;

export const RETURNING = `d.id, d.conversion_id, d.pixel_id, d.account_id, d.status, d.attempts, d.next_attempt_at,
  d.event_id, d.event_name,
  d.http_status, d.reason_code, d.message, d.placements, d.test_mode, d.command_id, d.revision, d.cycle_started_at,
    d.delivered_at, d.updated_at`;

export interface ClaimedRow extends LedgerRecord {
  conversion: ConversionCreatedV1.Value;
  /** The W3C traceparent the conversion arrived with (its Snapchat request span continues that trace). */
  traceParent?: string | null;
}

export interface NewRow {
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

/**
 * The ledger row a target asks for (pending, or skipped when the conversion type is not mapped), with the event id
 * the rule gives for the target's event name: the first claim then has nothing to correct.
 */
export function newRowFor(
  ctx: Pick<LedgerContext, 'eventIdFor'>,
  conv: ConversionCreatedV1.Value,
  target: Target,
  commandId: string | null,
): NewRow {
  const mapped = target.eventName !== null;
  return {
    conversion_id: conv.conversion_id,
    pixel_id: target.pixelId,
    account_id: conv.account_id,
    status: mapped ? 'pending' : 'skipped',
    event_id: ctx.eventIdFor(conv, target.eventName),
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

export async function publish(
  ctx: Pick<LedgerContext, 'resultTopic'>,
  tx: EntityManager,
  rows: LedgerRecord[],
): Promise<void> {
  if (!rows.length) return;
  const messages = rows.map((r) => ({ topic: ctx.resultTopic, key: r.conversion_id, payload: toDeliveryResult(r) }));
  await preparedQuery(
    tx,
    `INSERT INTO outbox_message (topic, key, payload)
     SELECT topic, key, payload FROM jsonb_to_recordset($1::jsonb) AS x(topic text, key text, payload jsonb)`,
    [JSON.stringify(messages)],
  );
}

export async function insertRows(tx: EntityManager, rows: NewRow[]): Promise<LedgerRecord[]> {
  if (!rows.length) return [];
  rows.sort((a, b) => (a.conversion_id + a.pixel_id < b.conversion_id + b.pixel_id ? -1 : 1));
  return preparedQuery<LedgerRecord>(
    tx,
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

/**
 * Takes the targeting locks of these accounts for the transaction, in a fixed order (no deadlock): `shared` for
 * ingest, `exclusive` for re-targeting and skipping after a placement change (see ACCOUNT_LOCK_CLASS).
 */
export async function lockAccounts(
  tx: EntityManager,
  accountIds: string[],
  mode: 'shared' | 'exclusive',
): Promise<void> {
  const fn = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  for (const a of [...accountIds].sort()) {
    await tx.query(`SELECT ${fn}($1::int, hashtext($2))`, [ACCOUNT_LOCK_CLASS, a]);
  }
}
