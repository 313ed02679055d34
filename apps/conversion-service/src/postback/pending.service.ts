import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '@snaptrack/util-logger';
import type { ClickService } from '../click/click.service';
import type { ConfigViewService } from '../config-view/config-view.service';
import type { ConversionService } from '../conversion/conversion.service';
import { PendingPostback, type PendingState } from './pending-postback.entity';
import { isIso4217 } from '@snaptrack/contracts-events';
import { checkSecret, isExpired, offerSourceOf, resolveConversionType } from './attribution';
import { REPLAY_WINDOW_HOURS } from '../conversion/conversion.service';

export interface PendingServiceOptions {
  /** After this long without its click, a pending postback becomes an unattributed conversion. */
  timeoutMs: number;
  sweepIntervalMs: number;
  defaultCurrency: string;
  /** Pending postbacks (resolved or not) are deleted this long after they arrived. */
  ttlMs: number;
  /** The clock (tests move it). */
  now?: () => Date;
}

const OPEN: PendingState[] = ['pending', 'orphaned'];

/**
 * Resolves postbacks that arrived before their click: after every click batch, and on a timer (which also catches
 * clicks stored by another instance and pending postbacks whose wait ran out). Each row is resolved once, under a
 * row lock (SKIP LOCKED), in the same transaction as the conversion and its outbox row.
 */
export class PendingService {
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private sweeping: Promise<void> | null = null;
  private inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly ds: DataSource,
    private readonly clicks: ClickService,
    private readonly config: ConfigViewService,
    private readonly conversions: ConversionService,
    private readonly opts: PendingServiceOptions,
    private readonly log: Logger,
  ) {}

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.sweeping?.catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.sweeping = this.sweep()
        .catch((e) => this.log.warn('pending postback sweep failed', { err: e }))
        .finally(() => {
          this.sweeping = null;
          this.schedule();
        });
    }, this.opts.sweepIntervalMs);
  }

  /** Fire-and-forget variant for callers on the request path or in the consumer loop. */
  kick(clickIds: string[]): void {
    if (this.stopped) return;
    const p = this.onClicks(clickIds).catch((e) =>
      this.log.warn('attributing pending postbacks failed; the sweep retries', { err: e }),
    );
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Attributes the open pending postbacks of these clicks (they were just stored). */
  async onClicks(clickIds: string[]): Promise<number> {
    if (!clickIds.length) return 0;
    const rows: Array<{ id: string }> = await this.ds.query(
      `SELECT id FROM pending_postback WHERE click_id = ANY($1::text[]) AND state IN ('pending', ` +
        `'orphaned') ORDER BY received_at`,
      [clickIds],
    );
    let n = 0;
    for (const r of rows) if (await this.resolve(r.id)) n++;
    return n;
  }

  /**
   * Deletes pending postbacks older than the TTL (resolved or not: a conversion made from one keeps its own row),
   * and idempotency keys older than the replay window. Returns how many pending postbacks it deleted.
   */
  async expire(): Promise<number> {
    const now = this.now().getTime();
    // A CTE, so the driver answers rows (TypeORM answers a DELETE … RETURNING with [rows, count]).
    const rows: Array<{ id: string }> = await this.ds.query(
      `WITH gone AS (
         DELETE FROM pending_postback WHERE id IN (
           SELECT id FROM pending_postback WHERE received_at <= $1 ORDER BY received_at LIMIT 5000
           FOR UPDATE SKIP LOCKED)
         RETURNING id)
       SELECT id FROM gone`,
      [new Date(now - this.opts.ttlMs)],
    );
    await this.ds.query(`DELETE FROM postback_request WHERE received_at <= $1`, [
      new Date(now - REPLAY_WINDOW_HOURS * 3600 * 1000),
    ]);
    if (rows.length) this.log.info('expired pending postbacks deleted', { count: rows.length });
    return rows.length;
  }

  /** One pass: pending postbacks whose click is now known, then those whose wait ran out, then expiry. */
  async sweep(): Promise<void> {
    const withClick: Array<{ id: string }> = await this.ds.query(
      `SELECT p.id FROM pending_postback p JOIN click_view c ON c.click_id = p.click_id
       WHERE p.state IN ('pending', 'orphaned') ORDER BY p.received_at LIMIT 500`,
    );
    for (const r of withClick) await this.resolve(r.id);
    const due: Array<{ id: string }> = await this.ds.query(
      `SELECT id FROM pending_postback WHERE state = 'pending' AND received_at <= $1 ORDER BY received_at LIMIT 500`,
      [new Date(this.now().getTime() - this.opts.timeoutMs)],
    );
    for (const r of due) await this.resolve(r.id);
    await this.expire();
  }

  /** Resolves one pending postback if it can be resolved now; returns whether it was. */
  async resolve(id: string): Promise<boolean> {
    const changed = await this.ds.transaction(async (tx) => {
      const row = await tx
        .getRepository(PendingPostback)
        .createQueryBuilder('p')
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .where('p.id = :id', { id })
        .getOne();
      if (!row || !OPEN.includes(row.state)) return false;
      const click = await this.clicks.find(row.clickId);
      if (click) return this.attribute(tx, row, click);
      if (row.state === 'pending' && this.now().getTime() - row.receivedAt.getTime() >= this.opts.timeoutMs)
        return this.unattributed(tx, row);
      return false;
    });
    if (changed) this.conversions.published();
    return changed;
  }

  private async finish(
    tx: EntityManager,
    row: PendingPostback,
    state: PendingState,
    reason: string | null,
    conversionId: string | null,
  ): Promise<true> {
    await tx
      .getRepository(PendingPostback)
      .update({ id: row.id }, { state, reason, conversionId, resolvedAt: new Date() });
    this.log.info('pending postback resolved', { pendingId: row.id, state, reason, conversionId });
    return true;
  }

  private currency(row: PendingPostback, offerSourceCurrency: string | null | undefined): string | null {
    if (row.currency) return row.currency;
    if (row.payout === null) return null;
    const def = offerSourceCurrency?.toUpperCase();
    return def && isIso4217(def) ? def : this.opts.defaultCurrency;
  }

  private async attribute(
    tx: EntityManager,
    row: PendingPostback,
    click: NonNullable<Awaited<ReturnType<ClickService['find']>>>,
  ): Promise<boolean> {
    const offerSource = await offerSourceOf(this.config, click);
    // The secret that let the row in must also be the one of the click's offer source (as of its arrival).
    const verdict = checkSecret(offerSource, row.tokenSha256, row.receivedAt);
    if (!verdict.ok) return this.finish(tx, row, 'rejected', verdict.error, null);
    if (row.accountId && row.accountId !== click.accountId) {
      return this.finish(tx, row, 'rejected', 'click_of_another_account', null);
    }
    const typeRes = resolveConversionType(await this.config.conversionTypes(click.accountId), row.type);
    if (!typeRes.ok) return this.finish(tx, row, 'rejected', typeRes.error, null);
    const result = await this.conversions.record(tx, {
      accountId: click.accountId,
      status: isExpired(click, offerSource, row.receivedAt) ? 'expired_click' : 'attributed',
      conversionType: typeRes.type,
      payout: row.payout,
      currency: this.currency(row, offerSource?.default_currency),
      explicitEventId: row.explicitEventId,
      transactionId: row.transactionId,
      clickId: click.clickId,
      click,
      offerSourceId: offerSource?.id ?? click.offerSourceId,
      receivedAt: row.receivedAt,
      userData: row.userData,
      prehashed: row.prehashed,
      pendingId: row.id,
      requestKey: row.requestKey,
    });
    if (result.outcome === 'duplicate') return this.finish(tx, row, 'duplicate', result.reason, result.conversionId);
    return this.finish(tx, row, 'attributed', null, result.conversion.id);
  }

  private async unattributed(tx: EntityManager, row: PendingPostback): Promise<boolean> {
    if (!row.accountId) {
      // No click and no tracking domain naming the account: nothing to publish it under. It stays visible here and
      // is still attributed if its click turns up later.
      return this.finish(tx, row, 'orphaned', 'no click arrived in time and no account is known for it', null);
    }
    const typeRes = resolveConversionType(await this.config.conversionTypes(row.accountId), row.type);
    if (!typeRes.ok) return this.finish(tx, row, 'rejected', typeRes.error, null);
    const result = await this.conversions.record(tx, {
      accountId: row.accountId,
      status: 'unattributed',
      conversionType: typeRes.type,
      payout: row.payout,
      currency: this.currency(row, null),
      explicitEventId: row.explicitEventId,
      transactionId: row.transactionId,
      clickId: row.clickId,
      click: null,
      offerSourceId: row.offerSourceId,
      receivedAt: row.receivedAt,
      userData: row.userData,
      prehashed: row.prehashed,
      pendingId: row.id,
      requestKey: row.requestKey,
    });
    if (result.outcome === 'duplicate') return this.finish(tx, row, 'duplicate', result.reason, result.conversionId);
    return this.finish(tx, row, 'unattributed', null, result.conversion.id);
  }
}
