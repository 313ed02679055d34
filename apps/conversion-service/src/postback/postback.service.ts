import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Logger } from '@snaptrack/util-logger';
import type { ClickView } from '../click/click.entity';
import type { ClickService } from '../click/click.service';
import type { ConfigViewService, OfferSourceView } from '../config-view/config-view.service';
import type { ConversionService } from '../conversion/conversion.service';
import { PendingPostback } from './pending-postback.entity';
import {
  DEFAULT_CLICK_ID_PARAM,
  PostbackRejection,
  checkSizes,
  isIsoCurrency,
  paramNamesFor,
  readClickId,
  readPostback,
  readSecret,
  type ParamNames,
  type PostbackInput,
  type RawParams,
} from './postback.parse';
import {
  checkSecret,
  digestEquals,
  hashPii,
  isExpired,
  offerSourceOf,
  requestKey,
  resolveConversionType,
  secretMatches,
  sha256Hex,
} from './attribution';
import { REPLAY_WINDOW_HOURS } from '../conversion/conversion.service';

export type PostbackAnswer =
  | { http: 200; body: { status: 'accepted'; conversion_id: string; conversion_status: string } }
  | { http: 200; body: { status: 'duplicate'; reason: string; conversion_id: string } }
  | { http: 200; body: { status: 'ignored'; reason: string } }
  | { http: 202; body: { status: 'pending'; pending_id: string; reason: string } };

/**
 * How a conversion from an advertiser's website is authorised (instead of an offer source's postback secret): the
 * website's conversion secret (a shop backend, `POST /conversions`), or the `Origin` of the page that reported it
 * (`POST /conversions/browser`, checked against the website's allowed origins).
 */
export type SiteAuth = { kind: 'secret'; secretSha256: string | null } | { kind: 'origin'; origin: string | null };

/** What a website conversion answers: the postback answer, plus the event id Snapchat will receive. */
export type SiteAnswer =
  | { http: 200; body: { status: 'accepted'; conversion_id: string; conversion_status: string; event_id: string } }
  | { http: 200; body: { status: 'duplicate'; reason: string; conversion_id: string; event_id: string } }
  | { http: 200; body: { status: 'ignored'; reason: string } };

export interface PostbackServiceOptions {
  clickWaitMs: number;
  defaultCurrency: string;
  /** An account holds at most this many open pending postbacks; beyond, 429. */
  pendingMaxPerAccount: number;
  /** The clock (tests move it). */
  now?: () => Date;
}

/**
 * Decides what a postback becomes: a conversion attributed to its click (or an expired_click one), a duplicate
 * under the type's policy, or a pending postback when the click is not known yet. Never touches Kafka: the
 * conversion and its outbox row are committed together and the relay publishes later.
 */
export class PostbackService {
  constructor(
    private readonly ds: DataSource,
    private readonly clicks: ClickService,
    private readonly config: ConfigViewService,
    private readonly conversions: ConversionService,
    private readonly opts: PostbackServiceOptions,
    private readonly log: Logger,
    /** Called after a pending postback was stored (its click may have arrived meanwhile). */
    private readonly onPending: (clickId: string) => void = () => undefined,
  ) {}

  async handle(
    params: RawParams,
    host: string | null,
    receivedAt = this.opts.now?.() ?? new Date(),
  ): Promise<PostbackAnswer> {
    checkSizes(params);
    const secret = readSecret(params);
    const secretSha256 = secret === null ? null : sha256Hex(secret);
    let hostAccount: Promise<string | null> | undefined;
    const accountOfHost = () => (hostAccount ??= this.config.accountForHost(host));

    const clickIdParam = await this.clickIdParam(params, accountOfHost);
    const clickId = readClickId(params, clickIdParam);
    // Reject what is malformed under the default names before waiting for an unknown click.
    if (clickIdParam === DEFAULT_CLICK_ID_PARAM) readPostback(params, paramNamesFor(null));

    const click = await this.clicks.waitForClick(clickId, this.opts.clickWaitMs);
    if (click) return this.attributeNow(click, clickIdParam, params, secretSha256, accountOfHost, receivedAt);
    return this.storePending(clickId, clickIdParam, params, host, secretSha256, receivedAt);
  }

  /**
   * A conversion reported by an advertiser's website (its pages or its backend), already parsed into postback
   * parameters under the default names (`clickid`, `sum`, `type`, `eventid`, `txid`, `currency`, `email`, …). The
   * click must be known and its offer must be a website that `auth` satisfies; from there it is the postback path:
   * the same validation, duplicate policy, expiry, hashing, replay key and conversion record.
   */
  async handleSite(
    params: RawParams,
    auth: SiteAuth,
    host: string | null = null,
    receivedAt = this.opts.now?.() ?? new Date(),
  ): Promise<SiteAnswer> {
    checkSizes(params);
    // The order id is the event id when none is given: what the call answers is then what Snapchat receives (an
    // explicit id is sent verbatim; a derived one would be replaced by the order id for purchases).
    const orderId = params.get('txid');
    if (!params.get('eventid')?.trim() && orderId?.trim()) params.set('eventid', orderId);
    const names = paramNamesFor(null);
    const input = readPostback(params, names);
    const click = await this.clicks.waitForClick(input.clickId, this.opts.clickWaitMs);
    if (!click) throw new PostbackRejection(404, 'unknown_click', 'the click id is not one of our clicks (yet)');
    const offer = await this.config.offer(click.offerId);
    if (!offer || offer.kind !== 'website')
      throw new PostbackRejection(403, 'not_a_website', "the click's destination is not a website (use its postback)");
    if (auth.kind === 'secret') {
      if (auth.secretSha256 === null)
        throw new PostbackRejection(401, 'missing_secret', 'send the website secret as Authorization: Bearer <secret>');
      if (!digestEquals(auth.secretSha256, offer.conversion_secret_sha256))
        throw new PostbackRejection(
          403,
          'bad_secret',
          "the secret is not the conversion secret of the click's website",
        );
    } else if (!auth.origin || !(offer.allowed_origins ?? []).includes(auth.origin)) {
      throw new PostbackRejection(
        403,
        'origin_not_allowed',
        "the page's origin is not one of the website's allowed origins",
      );
    }
    const answer = await this.attributeNow(
      click,
      names.clickId,
      params,
      'authorised',
      () => this.config.accountForHost(host),
      receivedAt,
      names,
    );
    if (answer.http !== 200 || answer.body.status === 'ignored') return answer as SiteAnswer;
    const eventId = await this.conversions.eventIdOf(answer.body.conversion_id);
    return { http: 200, body: { ...answer.body, event_id: eventId ?? '' } } as SiteAnswer;
  }

  /** `clickid`, else a click-id parameter name some offer source (of the host's account, if known) configured. */
  private async clickIdParam(params: RawParams, accountOfHost: () => Promise<string | null>): Promise<string> {
    if (params.has(DEFAULT_CLICK_ID_PARAM)) return DEFAULT_CLICK_ID_PARAM;
    const names = await this.config.clickIdParamNames(await accountOfHost());
    return names.find((n) => params.has(n)) ?? DEFAULT_CLICK_ID_PARAM;
  }

  private currencyFor(
    input: Pick<PostbackInput, 'currency' | 'payout'>,
    offerSource: OfferSourceView | null,
  ): string | null {
    if (input.currency) return input.currency;
    if (input.payout === null) return null;
    const def = offerSource?.default_currency?.toUpperCase();
    return def && isIsoCurrency(def) ? def : this.opts.defaultCurrency;
  }

  /**
   * `secretSha256`: the postback's secret, checked against the click's offer source; `'authorised'`: a website
   * conversion whose caller {@link handleSite} already checked. `names`: the parameter names (default: the offer
   * source's).
   */
  private async attributeNow(
    click: ClickView,
    clickIdParam: string,
    params: RawParams,
    secretSha256: string | null | 'authorised',
    accountOfHost: () => Promise<string | null>,
    receivedAt: Date,
    names?: ParamNames,
  ): Promise<PostbackAnswer> {
    const offerSource = await offerSourceOf(this.config, click);
    // The secret of the click's own offer source (click → offer → offer source), before anything else is read.
    const verdict =
      secretSha256 === 'authorised' ? { ok: true as const } : checkSecret(offerSource, secretSha256, receivedAt);
    if (!verdict.ok) {
      this.log.info('postback refused', { accountId: click.accountId, error: verdict.error });
      throw new PostbackRejection(verdict.http, verdict.error, verdict.reason);
    }
    const input = readPostback(params, names ?? { ...paramNamesFor(offerSource), clickId: clickIdParam });
    const hostAccount = await accountOfHost();
    if (hostAccount && hostAccount !== click.accountId) {
      return {
        http: 200,
        body: { status: 'ignored', reason: 'the click belongs to another account than this tracking domain' },
      };
    }
    const typeRes = resolveConversionType(await this.config.conversionTypes(click.accountId), input.type);
    if (!typeRes.ok) throw new PostbackRejection(400, typeRes.error, typeRes.reason);

    const { userData, prehashed } = hashPii(input.pii, offerSource?.default_phone_country);
    const status = isExpired(click, offerSource, receivedAt) ? 'expired_click' : 'attributed';
    // The conversion and its outbox row are written by one statement (shared with concurrent postbacks).
    const result = await this.conversions.recordNow({
      accountId: click.accountId,
      status,
      conversionType: typeRes.type,
      payout: input.payout,
      currency: this.currencyFor(input, offerSource),
      explicitEventId: input.explicitEventId,
      transactionId: input.transactionId,
      clickId: click.clickId,
      click,
      offerSourceId: offerSource?.id ?? click.offerSourceId,
      receivedAt,
      userData,
      prehashed,
      pendingId: null,
      requestKey: requestKey(offerSource?.id ?? click.offerSourceId ?? '', params),
    });
    if (result.outcome === 'duplicate') {
      this.log.info('postback duplicate', {
        accountId: click.accountId,
        conversionId: result.conversionId,
        policy: typeRes.type.duplicate_policy,
      });
      return { http: 200, body: { status: 'duplicate', reason: result.reason, conversion_id: result.conversionId } };
    }
    this.conversions.published();
    this.log.info('conversion recorded', { accountId: click.accountId, conversionId: result.conversion.id, status });
    return { http: 200, body: { status: 'accepted', conversion_id: result.conversion.id, conversion_status: status } };
  }

  /**
   * A postback whose click is not known yet is kept only when its secret is the current (or overlapping previous)
   * secret of an offer source: that offer source decides the account, never the Host header. Stored in one
   * transaction with the per-account cap (an advisory lock per account serialises the count and the insert).
   */
  private async storePending(
    clickId: string,
    clickIdParam: string,
    params: RawParams,
    host: string | null,
    secretSha256: string | null,
    receivedAt: Date,
  ): Promise<PostbackAnswer> {
    if (secretSha256 === null) {
      throw new PostbackRejection(
        401,
        'missing_secret',
        'the click is not known (yet) and the postback carries no secret, so it cannot be kept: add ' +
          'secret=<the offer source postback secret>',
      );
    }
    const offerSource = (await this.config.offerSourcesBySecret(secretSha256)).find((s) =>
      secretMatches(s, secretSha256, receivedAt),
    );
    if (!offerSource) {
      throw new PostbackRejection(
        403,
        'bad_secret',
        'the click is not known (yet) and the secret is not the postback secret of any offer source',
      );
    }
    const accountId = offerSource.accountId;
    const input = readPostback(params, { ...paramNamesFor(offerSource), clickId: clickIdParam });
    const types = await this.config.conversionTypes(accountId);
    if (types.length) {
      const typeRes = resolveConversionType(types, input.type);
      if (!typeRes.ok) throw new PostbackRejection(400, typeRes.error, typeRes.reason);
    }
    // The click (and so its offer) is unknown: hash what the offer source's parameters carry, now, and keep only the
    // hashes.
    const { userData, prehashed } = hashPii(input.pii, offerSource.default_phone_country);
    const key = requestKey(offerSource.id, params);
    const row: PendingPostback = {
      id: randomUUID(),
      clickId,
      accountId,
      host,
      state: 'pending',
      type: input.type,
      payout: input.payout,
      currency: input.currency,
      explicitEventId: input.explicitEventId,
      transactionId: input.transactionId,
      tokenSha256: secretSha256,
      offerSourceId: offerSource.id,
      requestKey: key,
      userData,
      prehashed,
      receivedAt,
      resolvedAt: null,
      reason: null,
      conversionId: null,
    };
    type Stored =
      | { inserted: true }
      | { full: number }
      | { replayOf: { id: string; conversion_id: string | null; received_at: Date } };
    const stored = await this.ds.transaction(async (tx): Promise<Stored> => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('pending_postback'), hashtext($1))`, [accountId]);
      // An exact replay: the first one answers (a row older than the replay window gives up its key).
      const [existing]: Array<{ id: string; conversion_id: string | null; received_at: Date }> = await tx.query(
        `SELECT id, conversion_id, received_at FROM pending_postback WHERE request_key = $1`,
        [key],
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
      throw new PostbackRejection(
        429,
        'too_many_pending',
        `the account already holds ${this.opts.pendingMaxPerAccount} postbacks waiting for their click; retry later`,
      );
    }
    if ('replayOf' in stored) {
      const first = stored.replayOf;
      if (first.conversion_id) {
        return {
          http: 200,
          body: {
            status: 'duplicate',
            reason: 'the same postback was already received (an exact replay)',
            conversion_id: first.conversion_id,
          },
        };
      }
      return {
        http: 202,
        body: {
          status: 'pending',
          pending_id: first.id,
          reason: 'the same postback was already received and is waiting for its click',
        },
      };
    }
    this.log.info('postback pending: click not known yet', { pendingId: row.id, accountId });
    this.onPending(clickId);
    return {
      http: 202,
      body: {
        status: 'pending',
        pending_id: row.id,
        reason: 'the click is not known yet; the conversion is recorded when it arrives',
      },
    };
  }
}
