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
  type PostbackInput,
  type RawParams,
} from './postback.parse';
import { hashPii, isExpired, offerSourceOf, resolveConversionType, sha256Hex, tokenDigestMatches } from './attribution';

export type PostbackAnswer =
  | { http: 200; body: { status: 'accepted'; conversion_id: string; conversion_status: string } }
  | { http: 200; body: { status: 'duplicate'; reason: string; conversion_id: string } }
  | { http: 200; body: { status: 'ignored'; reason: string } }
  | { http: 202; body: { status: 'pending'; pending_id: string; reason: string } };

export interface PostbackServiceOptions {
  clickWaitMs: number;
  defaultCurrency: string;
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

  async handle(params: RawParams, host: string | null, receivedAt = new Date()): Promise<PostbackAnswer> {
    checkSizes(params);
    let hostAccount: Promise<string | null> | undefined;
    const accountOfHost = () => (hostAccount ??= this.config.accountForHost(host));

    const clickIdParam = await this.clickIdParam(params, accountOfHost);
    const clickId = readClickId(params, clickIdParam);
    // Reject what is malformed under the default names before waiting for an unknown click.
    if (clickIdParam === DEFAULT_CLICK_ID_PARAM) readPostback(params, paramNamesFor(null));

    const click = await this.clicks.waitForClick(clickId, this.opts.clickWaitMs);
    if (click) return this.attributeNow(click, clickIdParam, params, accountOfHost, receivedAt);
    return this.storePending(clickId, clickIdParam, params, host, await accountOfHost(), receivedAt);
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

  private async attributeNow(
    click: ClickView,
    clickIdParam: string,
    params: RawParams,
    accountOfHost: () => Promise<string | null>,
    receivedAt: Date,
  ): Promise<PostbackAnswer> {
    const offerSource = await offerSourceOf(this.config, click);
    const input = readPostback(params, { ...paramNamesFor(offerSource), clickId: clickIdParam });
    if (
      !tokenDigestMatches(
        input.token === null ? null : sha256Hex(input.token),
        offerSource?.postback_token_sha256 ?? null,
      )
    ) {
      throw new PostbackRejection(
        403,
        input.token === null ? 'missing_token' : 'bad_token',
        'the postback token is missing or does not match the offer source',
      );
    }
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

  private async storePending(
    clickId: string,
    clickIdParam: string,
    params: RawParams,
    host: string | null,
    hostAccount: string | null,
    receivedAt: Date,
  ): Promise<PostbackAnswer> {
    const input = readPostback(params, { ...paramNamesFor(null), clickId: clickIdParam });
    if (hostAccount) {
      const types = await this.config.conversionTypes(hostAccount);
      if (types.length) {
        const typeRes = resolveConversionType(types, input.type);
        if (!typeRes.ok) throw new PostbackRejection(400, typeRes.error, typeRes.reason);
      }
    }
    // The offer source (and its parameter names and phone country) is unknown until the click arrives: hash what
    // the default role names carry, now, and keep only the hashes.
    const { userData, prehashed } = hashPii(input.pii, null);
    const id = randomUUID();
    await this.ds.getRepository(PendingPostback).insert({
      id,
      clickId,
      accountId: hostAccount,
      host,
      state: 'pending',
      type: input.type,
      payout: input.payout,
      currency: input.currency,
      explicitEventId: input.explicitEventId,
      transactionId: input.transactionId,
      tokenSha256: input.token === null ? null : sha256Hex(input.token),
      userData,
      prehashed,
      receivedAt,
      resolvedAt: null,
      reason: null,
      conversionId: null,
    });
    this.log.info('postback pending: click not known yet', { pendingId: id, accountId: hostAccount });
    this.onPending(clickId);
    return {
      http: 202,
      body: {
        status: 'pending',
        pending_id: id,
        reason: 'the click is not known yet; the conversion is recorded when it arrives',
      },
    };
  }
}
