import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { OutboxMessage, type OutboxRelay } from '@snaptrack/data-access-outbox';
import { TOPICS, isUuid as isSharedUuid, topicName } from '@snaptrack/contracts-events';
import { deriveConversionEventId } from '@snaptrack/util-pii';
import { pgCode } from '@snaptrack/util-db';
import { ListOrder, badInput, paginateKeyset, type ConnectionPage, type PageArgs } from '@snaptrack/util-federation';
import { Batcher } from '../batching/batcher';
import type { ClickView } from '../click/click.entity';
import { Conversion, type ConversionStatusValue, type DuplicatePolicy } from './conversion.entity';
import { toConversionCreatedV1 } from './conversion.event';
import {
  ROLLUP_SHARDS,
  duplicateOf,
  insertConversions,
  type ConversionRow,
  type RecordOutcome,
} from './conversion.write';

export interface ConversionDraft {
  /** The W3C trace context of the request that made it (set by recordNow/record), published with its event. */
  traceHeaders?: Record<string, string> | null;
  accountId: string;
  status: ConversionStatusValue;
  conversionType: { id: string; name: string; duplicate_policy: DuplicatePolicy };
  payout: string | null;
  currency: string | null;
  explicitEventId: string | null;
  transactionId: string | null;
  /** The click id the postback named. */
  clickId: string | null;
  /** The click it is attributed to (also for expired_click), or null. */
  click: ClickView | null;
  offerSourceId: string | null;
  receivedAt: Date;
  /** Snap user_data key → hash. */
  userData: Record<string, string>;
  prehashed: string[];
  pendingId: string | null;
  /**
   * Idempotency key of the postback request (see requestKey in postback/attribution): a second draft with the same
   * key within 24 hours records nothing and answers the first one's conversion. Null: no such check.
   */
  requestKey?: string | null;
}

export { REPLAY_WINDOW_HOURS, ROLLUP_SHARDS, type RecordOutcome } from './conversion.write';

export interface ConversionFilter {
  campaignId?: string | null;
  offerId?: string | null;
  trafficChannelId?: string | null;
  type?: string | null;
  status?: ConversionStatusValue | null;
  from?: Date | null;
  to?: Date | null;
}

export type ConversionPage = ConnectionPage<Conversion>;

/** The platform's one UUID rule (@snaptrack/contracts-events). */
export const isUuid = (s: string) => isSharedUuid(s);

/**
 * Records conversions (each row with its conversion.created.v1 outbox row, written by one statement, inside the
 * caller's transaction when it has one; duplicate policy enforced by a unique index) and answers the account-scoped
 * reads.
 */
export class ConversionService {
  private readonly writes: Batcher<ConversionDraft, RecordOutcome>;
  private shard = Math.floor(Math.random() * ROLLUP_SHARDS);

  constructor(
    private readonly ds: DataSource,
    private readonly topicPrefix: string,
    private readonly relay: Pick<OutboxRelay, 'wake'> | null,
  ) {
    this.writes = new Batcher((drafts) => this.recordMany(this.ds.manager, drafts), {
      single: (d) => this.record(this.ds.manager, d),
      // Only when PostgreSQL answered with an error (the statement rolled back); after a lost connection the outcome
      // is unknown and a retry could record a conversion twice.
      retryable: (e) => pgCode(e) !== undefined,
      // Concurrent write statements no longer queue on one rollup row (ROLLUP_SHARDS), so their commits overlap and
      // PostgreSQL flushes them together.
      maxConcurrent: 4,
    });
  }

  /** Statements the postback path used to write conversions so far (tests and metrics). */
  get writeBatches(): number {
    return this.writes.calls;
  }

  /** The key two conversions must not share under the type's duplicate policy (null: no restriction). */
  static dedupKey(
    d: Pick<ConversionDraft, 'conversionType' | 'clickId' | 'explicitEventId' | 'transactionId'>,
  ): string | null {
    const typeKey = d.conversionType.id;
    switch (d.conversionType.duplicate_policy) {
      case 'ignore_same_click':
        return d.clickId ? `${typeKey}|click:${d.clickId}` : null;
      case 'ignore_same_event_id': {
        const ev = d.explicitEventId ?? d.transactionId;
        return ev ? `${typeKey}|event:${ev}` : null;
      }
      default:
        return null;
    }
  }

  /** The event id Snapchat receives for a conversion (fixed when it was recorded), or null for an unknown id. */
  async eventIdOf(conversionId: string): Promise<string | null> {
    const rows: Array<{ event_id: string }> = await this.ds.query(`SELECT event_id FROM conversion WHERE id = $1`, [
      conversionId,
    ]);
    return rows[0]?.event_id ?? null;
  }

  /**
   * Records one conversion inside `tx` (the pending job passes its transaction, so the pending row's update commits
   * with it). See {@link recordMany}.
   */
  async record(tx: EntityManager, d: ConversionDraft): Promise<RecordOutcome> {
    d.traceHeaders ??= OutboxMessage.traceHeaders();
    return (await this.recordMany(tx, [d]))[0];
  }

  /**
   * Records one conversion of the postback path, in the same statement as the conversions of concurrent postbacks
   * (see {@link Batcher}); a failing batch is retried one by one, so one bad draft cannot fail another request.
   */
  recordNow(d: ConversionDraft): Promise<RecordOutcome> {
    // Captured here, in the request's context: the batch is written from another one.
    d.traceHeaders ??= OutboxMessage.traceHeaders();
    return this.writes.submit(d);
  }

  /**
   * Inserts the conversions and their outbox rows in ONE statement ({@link insertConversions}), so each conversion
   * row commits with its outbox row even when `tx` is not inside a transaction. A conflict on the duplicate index (a
   * concurrent or earlier postback, or an earlier draft of the same batch) inserts neither row of that draft and
   * reports the existing conversion ({@link duplicateOf}).
   */
  async recordMany(tx: EntityManager, drafts: ConversionDraft[]): Promise<RecordOutcome[]> {
    if (!drafts.length) return [];
    const topic = topicName(this.topicPrefix, TOPICS.conversionCreatedV1);
    const conversions = drafts.map((d) => this.toConversion(d));
    const rows = conversions.map((c, i): ConversionRow => ({
      ...c,
      // The event does not depend on created_at: it is built (and checked against the contract) before the write.
      payload: toConversionCreatedV1(c, drafts[i].click),
      ord: i,
      requestKey: drafts[i].requestKey ?? null,
      headers: drafts[i].traceHeaders ?? null,
    }));
    const createdAt = await insertConversions(tx, rows, topic, (this.shard = (this.shard + 1) % ROLLUP_SHARDS));
    const outcomes: RecordOutcome[] = [];
    for (const [i, conversion] of conversions.entries()) {
      const at = createdAt.get(conversion.id);
      if (at) {
        conversion.createdAt = at;
        outcomes.push({ outcome: 'accepted', conversion });
        continue;
      }
      outcomes.push(await duplicateOf(tx, conversion, drafts[i].requestKey ?? null, drafts[i].conversionType));
    }
    return outcomes;
  }

  private toConversion(d: ConversionDraft): Conversion {
    const id = randomUUID();
    const eventId = deriveConversionEventId({
      explicitEventId: d.explicitEventId,
      transactionId: d.transactionId,
      clickId: d.clickId ?? '',
      conversionType: d.conversionType.name,
      conversionId: id,
    });
    return Object.assign(new Conversion(), {
      id,
      accountId: d.accountId,
      eventId,
      status: d.status,
      conversionTypeId: d.conversionType.id,
      type: d.conversionType.name,
      duplicatePolicy: d.conversionType.duplicate_policy,
      dedupKey: ConversionService.dedupKey(d),
      payout: d.payout,
      currency: d.currency,
      transactionId: d.transactionId,
      occurredAt: d.receivedAt,
      receivedAt: d.receivedAt,
      clickId: d.clickId,
      clickedAt: d.click?.clickedAt ?? null,
      campaignId: d.click?.campaignId ?? null,
      trafficChannelId: d.click?.trafficChannelId ?? null,
      trafficChannelTemplate: d.click?.trafficChannelTemplate ?? null,
      offerId: d.click?.offerId ?? null,
      offerSourceId: d.offerSourceId,
      userData: d.userData,
      prehashed: d.prehashed,
      pendingId: d.pendingId,
      createdAt: d.receivedAt, // the stored value replaces it
    } satisfies Conversion);
  }

  /** Ask the relay to publish soon (after a commit that wrote outbox rows). */
  published(): void {
    this.relay?.wake();
  }

  async byId(accountId: string, id: string): Promise<Conversion | null> {
    if (!isUuid(id)) return null;
    return this.ds.getRepository(Conversion).findOneBy({ id, accountId });
  }

  /** The ids among `ids` that belong to the account. */
  async ownedIds(accountId: string, ids: string[]): Promise<Set<string>> {
    const valid = ids.filter(isUuid);
    if (!valid.length) return new Set();
    const rows: Array<{ id: string }> = await this.ds.query(
      `SELECT id FROM conversion WHERE account_id = $1 AND id = ANY($2::uuid[])`,
      [accountId, valid],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** Newest first by default, keyset-paginated over (received_at, id) (the paging contract of docs/api.md). */
  async list(accountId: string, filter: ConversionFilter = {}, page: PageArgs = {}): Promise<ConversionPage> {
    if (filter.from && filter.to && filter.from > filter.to)
      throw badInput('filter.from must not be later than filter.to', 'filter.from');
    const qb = this.ds
      .getRepository(Conversion)
      .createQueryBuilder('c')
      .where('c.account_id = :accountId', { accountId });
    if (filter.campaignId) qb.andWhere('c.campaign_id = :campaignId', { campaignId: filter.campaignId });
    if (filter.offerId) qb.andWhere('c.offer_id = :offerId', { offerId: filter.offerId });
    if (filter.trafficChannelId)
      qb.andWhere('c.traffic_channel_id = :trafficChannelId', { trafficChannelId: filter.trafficChannelId });
    if (filter.type) qb.andWhere('c.type = :type', { type: filter.type });
    if (filter.status) qb.andWhere('c.status = :status', { status: filter.status });
    if (filter.from) qb.andWhere('c.received_at >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('c.received_at < :to', { to: filter.to });
    return paginateKeyset(qb, page, {
      time: 'c.received_at',
      id: 'c.id',
      key: (c) => [c.receivedAt, c.id],
      defaultOrder: ListOrder.NEWEST_FIRST,
      uuidIds: true,
    });
  }
}
