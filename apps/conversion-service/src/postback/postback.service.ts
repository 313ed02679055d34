import { randomUUID } from 'node:crypto';
import { isIso4217 } from '@snaptrack/contracts-events';
import type { DataSource } from 'typeorm';
import type { Logger } from '@snaptrack/util-logger';
import type { ConfigViewService, OfferSourceView } from '../config-view/config-view.service';
import { REPLAY_WINDOW_HOURS, type ConversionService } from '../conversion/conversion.service';
import { hashPii, isExpired, resolveConversionType } from './attribution';
import { PendingPostback } from './pending-postback.entity';
import type { Postback, PostbackFields } from './postback.parse';

/** What recording a postback came to. The routes turn it into HTTP; nothing here knows a status code. */
export type PostbackOutcome =
  | { kind: 'recorded'; conversionId: string; status: 'attributed' | 'expired_click'; eventId: string }
  | { kind: 'duplicate'; conversionId: string; reason: string }
  | { kind: 'ignored'; reason: string }
  | { kind: 'pending'; pendingId: string; reason: string }
  | { kind: 'rejected'; error: PostbackRejectionCode; reason: string };

/** Why a valid postback was still refused: the account's types, or its pending cap. Nothing was stored. */
export type PostbackRejectionCode = 'unknown_type' | 'missing_type' | 'too_many_pending';

export interface PostbackServiceOptions {
  defaultCurrency: string;
  /** An account holds at most this many open pending postbacks; beyond, it is rejected. */
  pendingMaxPerAccount: number;
}

const FOREIGN_HOST = 'the click belongs to another account than this tracking domain';

/**
 * Decides what a parsed postback becomes: a conversion attributed to its click (or an expired_click one), a duplicate
 * under the type's policy or an exact replay, or a pending postback when the click is not known yet. Never touches
 * Kafka: the conversion and its outbox row are committed together and the relay publishes later.
 */
export class PostbackService {
  constructor(
    private readonly ds: DataSource,
    private readonly config: Pick<ConfigViewService, 'accountForHost' | 'conversionTypes'>,
    private readonly conversions: ConversionService,
    private readonly opts: PostbackServiceOptions,
    private readonly log: Logger,
    /** Called after a pending postback was stored (its click may have arrived meanwhile). */
    private readonly onPending: (clickId: string) => void = () => undefined,
  ) {}

  record(postback: Postback): Promise<PostbackOutcome> {
    return postback.kind === 'known_click' ? this.attribute(postback) : this.storePending(postback);
  }

  /** The event id Snapchat receives for a conversion, or null for an unknown id. */
  eventIdOf(conversionId: string): Promise<string | null> {
    return this.conversions.eventIdOf(conversionId);
  }

  private currencyFor(fields: PostbackFields, offerSource: OfferSourceView | null): string | null {
    if (fields.currency) return fields.currency;
    if (fields.payout === null) return null;
    const def = offerSource?.default_currency?.toUpperCase();
    return def && isIso4217(def) ? def : this.opts.defaultCurrency;
  }

  private async attribute(p: Extract<Postback, { kind: 'known_click' }>): Promise<PostbackOutcome> {
    const { click, offerSource, fields } = p;
    const hostAccount = await this.config.accountForHost(p.host);
    if (hostAccount && hostAccount !== click.accountId) return { kind: 'ignored', reason: FOREIGN_HOST };
    const typeRes = resolveConversionType(await this.config.conversionTypes(click.accountId), fields.type);
    if (!typeRes.ok) return { kind: 'rejected', error: typeRes.error, reason: typeRes.reason };

    const { userData, prehashed } = hashPii(fields.pii, offerSource?.default_phone_country);
    const status = isExpired(click, offerSource, p.receivedAt) ? 'expired_click' : 'attributed';
    // The conversion and its outbox row are written by one statement (shared with concurrent postbacks).
    const result = await this.conversions.recordNow({
      accountId: click.accountId,
      status,
      conversionType: typeRes.type,
      payout: fields.payout,
      currency: this.currencyFor(fields, offerSource),
      explicitEventId: fields.explicitEventId,
      transactionId: fields.transactionId,
      clickId: click.clickId,
      click,
      offerSourceId: offerSource?.id ?? click.offerSourceId,
      receivedAt: p.receivedAt,
      userData,
      prehashed,
      pendingId: null,
      requestKey: p.requestKey,
    });
    if (result.outcome === 'duplicate') {
      this.log.info('postback duplicate', {
        accountId: click.accountId,
        conversionId: result.conversionId,
        policy: typeRes.type.duplicate_policy,
      });
      return { kind: 'duplicate', conversionId: result.conversionId, reason: result.reason };
    }
    this.conversions.published();
    const { id, eventId } = result.conversion;
    this.log.info('conversion recorded', { accountId: click.accountId, conversionId: id, status });
    return { kind: 'recorded', conversionId: id, status, eventId };
  }

  /**
   * A postback whose click is not known yet, kept in the account of the offer source its secret named. Stored in one
   * transaction with the per-account cap (an advisory lock per account serialises the count and the insert).
   */
  private async storePending(p: Extract<Postback, { kind: 'unknown_click' }>): Promise<PostbackOutcome> {
    const { offerSource, fields, receivedAt } = p;
    const accountId = offerSource.accountId;
    const types = await this.config.conversionTypes(accountId);
    if (types.length) {
      const typeRes = resolveConversionType(types, fields.type);
      if (!typeRes.ok) return { kind: 'rejected', error: typeRes.error, reason: typeRes.reason };
    }
    // The click (and so its offer) is unknown: hash what the offer source's parameters carry, now, and keep only the
    // hashes.
    const { userData, prehashed } = hashPii(fields.pii, offerSource.default_phone_country);
    const row: PendingPostback = {
      id: randomUUID(),
      clickId: fields.clickId,
      accountId,
      host: p.host,
      state: 'pending',
      type: fields.type,
      payout: fields.payout,
      currency: fields.currency,
      explicitEventId: fields.explicitEventId,
      transactionId: fields.transactionId,
      tokenSha256: p.secretSha256,
      offerSourceId: offerSource.id,
      requestKey: p.requestKey,
      userData,
      prehashed,
      receivedAt,
      resolvedAt: null,
      reason: null,
      conversionId: null,
    };
    type Replay = { id: string; conversion_id: string | null; received_at: Date };
    type Stored = { inserted: true } | { full: number } | { replayOf: Replay };
    const stored = await this.ds.transaction(async (tx): Promise<Stored> => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('pending_postback'), hashtext($1))`, [accountId]);
      // An exact replay: the first one answers (a row older than the replay window gives up its key).
      const [existing]: Replay[] = await tx.query(
        `SELECT id, conversion_id, received_at FROM pending_postback WHERE request_key = $1`,
        [p.requestKey],
      );
      if (existing) {
        if (existing.received_at.getTime() > receivedAt.getTime() - REPLAY_WINDOW_HOURS * 3600 * 1000)
          return { replayOf: existing };
        await tx.query(`UPDATE pending_postback SET request_key = NULL WHERE id = $1`, [existing.id]);
      }
      const [{ n }]: Array<{ n: number }> = await tx.query(
        `SELECT count(*)::int AS n FROM pending_postback WHERE account_id = $1 AND state IN ('pending', 'orphaned')`,
        [accountId],
      );
      if (n >= this.opts.pendingMaxPerAccount) return { full: n };
      await tx.getRepository(PendingPostback).insert(row);
      return { inserted: true };
    });
    if ('full' in stored) {
      this.log.warn('postback refused: too many pending postbacks', { accountId, pending: stored.full });
      return {
        kind: 'rejected',
        error: 'too_many_pending',
        reason:
          `the account already holds ${this.opts.pendingMaxPerAccount} postbacks waiting for their click; ` +
          'retry later',
      };
    }
    if ('replayOf' in stored) {
      const first = stored.replayOf;
      if (first.conversion_id) {
        const reason = 'the same postback was already received (an exact replay)';
        return { kind: 'duplicate', conversionId: first.conversion_id, reason };
      }
      const reason = 'the same postback was already received and is waiting for its click';
      return { kind: 'pending', pendingId: first.id, reason };
    }
    this.log.info('postback pending: click not known yet', { pendingId: row.id, accountId });
    this.onPending(fields.clickId);
    return {
      kind: 'pending',
      pendingId: row.id,
      reason: 'the click is not known yet; the conversion is recorded when it arrives',
    };
  }
}
