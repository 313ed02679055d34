import type { DataSource } from 'typeorm';
import { TOPICS, topicName, type ConversionCreatedV1, type DeliveryCommandV1 } from '@snaptrack/contracts-events';
import type { Outcome, PostgresLedger } from '@snaptrack/delivery-engine';
import type { Logger } from '@snaptrack/util-logger';
import type { ConfigViewService, PlacementChange } from '../config-view/config-view.service';
import type { PixelPlacement } from '../targets';
import { applyCommand } from './commands';
import type { LedgerRecord } from './delivery-result';
import { ingestConversions } from './ingest';
import { createDispatcherLedger, type EventIdRule } from './ledger';
import { retargetPlacement, skipRemovedPlacement } from './placement-change';
import type { ClaimedRow, LedgerContext } from './rows';

export { INSTANCE_LOCK_CLASS, OWNER_GRACE_SECONDS, type EventIdRule } from './ledger';
export {
  ACCOUNT_LOCK_CLASS,
  conversionRef,
  newRowFor,
  noMappingMessage,
  rowsOf,
  type ClaimedRow,
  type NewRow,
} from './rows';
export type { FinalStatus, Outcome } from '@snaptrack/delivery-engine';

/**
 * The only code that writes the ledger. Every state change and the delivery.result.v1 outbox row that announces it
 * are written in one transaction; the OutboxRelay publishes them.
 *
 *   ingest (consumer)  → rows `pending` (or `skipped: no_mapping`), insert … on conflict do nothing   (ingest.ts)
 *   placement changes  → re-target stored conversions, skip rows of a removed placement     (placement-change.ts)
 *   commands           → redeliver resets failed/skipped rows; backfill adds rows for a newly configured pixel
 *                                                                                                   (commands.ts)
 *   claim → mark       → the delivery engine's PostgresLedger on the `delivery` table                 (ledger.ts)
 */
export class DeliveryService {
  private readonly ctx: LedgerContext;
  private readonly ledger: PostgresLedger<ClaimedRow>;

  constructor(
    ds: DataSource,
    configView: ConfigViewService,
    log: Logger,
    topicPrefix: string,
    /** Called after a commit that wrote outbox rows (wakes the OutboxRelay). */
    onPublished: () => void = () => undefined,
    eventIdFor: EventIdRule = (conversion) => conversion.event_id,
  ) {
    const resultTopic = topicName(topicPrefix, TOPICS.deliveryResultV1);
    this.ctx = { ds, configView, log, resultTopic, onPublished, eventIdFor };
    this.ledger = createDispatcherLedger(this.ctx);
  }

  ingestConversions(values: ConversionCreatedV1.Value[], traceParents?: ReadonlyMap<string, string>) {
    return ingestConversions(this.ctx, values, traceParents);
  }

  retargetPlacement(change: PlacementChange, skewMs: number): Promise<number> {
    return retargetPlacement(this.ctx, change, skewMs);
  }

  skipRemovedPlacement(change: PlacementChange): Promise<number> {
    return skipRemovedPlacement(this.ctx, change);
  }

  applyCommand(cmd: DeliveryCommandV1.Value, heartbeat?: () => Promise<void>) {
    return applyCommand(this.ctx, cmd, heartbeat);
  }

  // ---------------------------------------------------------------------------------------------------- sender side

  /** Pixels with due work (including rows whose claimer died). */
  async duePixels(limit = 500): Promise<Array<{ account_id: string; pixel_id: string }>> {
    return (await this.ledger.dueTargets(limit)).map((t) => ({ account_id: t.scope, pixel_id: t.target }));
  }

  /** Claims up to `limit` due rows of one pixel for this instance (PostgresLedger.claim; ledger.ts). */
  claim(
    accountId: string,
    pixelId: string,
    limit: number,
    instanceNo: number,
    leaseMs: number,
    claimId?: string,
    requestDeadlineMs?: number,
  ) {
    return this.ledger.claim(accountId, pixelId, limit, instanceNo, leaseMs, claimId, requestDeadlineMs);
  }

  refreshLease(claimId: string, ids: string[], leaseMs: number, requestMs: number): Promise<Set<string>> {
    return this.ledger.refreshLease(claimId, ids, leaseMs, requestMs);
  }

  release(claimId: string, ids: string[], until: Date): Promise<void> {
    return this.ledger.release(claimId, ids, until);
  }

  releaseClaim(claimId: string): Promise<number> {
    return this.ledger.releaseClaim(claimId);
  }

  mark(claimId: string, outcomes: Outcome[]): Promise<LedgerRecord[]> {
    return this.ledger.mark(claimId, outcomes);
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
    const rows: Array<{ id: string; payload: ConversionCreatedV1.Value | null }> = await this.ctx.ds.query(
      `SELECT d.id::text AS id, c.payload FROM delivery d LEFT JOIN conversion c ON c.id = d.conversion_id
        WHERE d.account_id = $1 AND d.pixel_id = $2 AND d.status IN ('pending', 'retrying') AND d.id > $3::bigint
        ORDER BY d.id LIMIT $4`,
      [accountId, pixelId, afterId, limit],
    );
    return rows.map((r) => ({ id: r.id, conversion: r.payload }));
  }

  failWaiting(
    accountId: string,
    pixelId: string,
    ids: string[],
    outcome: { httpStatus: number | null; reasonCode: string; message: string },
  ): Promise<number> {
    return this.ledger.failWaiting(accountId, pixelId, ids, outcome);
  }

  deferWaiting(accountId: string, pixelId: string, ids: string[], until: Date): Promise<void> {
    return this.ledger.deferWaiting(accountId, pixelId, ids, until);
  }

  pauseToken(tokenKey: string, until: Date): Promise<void> {
    return this.ledger.pauseCredential(tokenKey, until);
  }

  activePauses(): Promise<Map<string, number>> {
    return this.ledger.activePauses();
  }

  cleanupPauses(): Promise<void> {
    return this.ledger.cleanupPauses();
  }

  /** Ledger counts by status (tests, operators). */
  counts(): Promise<Record<string, number>> {
    return this.ledger.counts();
  }
}

export type { PixelPlacement };
