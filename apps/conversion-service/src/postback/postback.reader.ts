import type { Logger } from '@snaptrack/util-logger';
import type { ClickService } from '../click/click.service';
import type { ConfigViewService } from '../config-view/config-view.service';
import { checkSecret, digestEquals, offerSourceOf, requestKey, secretMatches, sha256Hex } from './attribution';
import { DEFAULT_CLICK_ID_PARAM, DEFAULT_NAMES, paramNamesFor } from './postback.names';
import { checkSizes, ParseError, parsing, readSecret, type Parsed, type RawParams } from './postback.params';
import { readClickId, readPostback, type Postback, type PostbackFields } from './postback.parse';

/**
 * How a conversion from an advertiser's website is authorised (instead of an offer source's postback secret): the
 * website's conversion secret (a shop backend, `POST /conversions`), or the `Origin` of the page that reported it
 * (`POST /conversions/browser`, checked against the website's allowed origins).
 */
export type SiteAuth = { kind: 'secret'; secretSha256: string | null } | { kind: 'origin'; origin: string | null };

/** A website conversion's parameters (default names) and its fields, read by the route. */
export interface SiteConversion {
  params: RawParams;
  fields: PostbackFields;
}

export interface PostbackReaderOptions {
  /** How long a postback for an unknown click waits for it before it counts as unknown. */
  clickWaitMs: number;
  /** The clock (tests move it). */
  now?: () => Date;
}

/**
 * The edge's second half: decoded parameters → a typed, validated, authorised {@link Postback}. Which names a
 * postback uses and who may send it depend on its offer source, so this is where the click (after a bounded wait)
 * or the secret names that offer source; the fields are then read once, under its names. Nothing is written here.
 */
export class PostbackReader {
  constructor(
    private readonly config: Pick<
      ConfigViewService,
      'accountForHost' | 'clickIdParamNames' | 'offerSource' | 'offer' | 'offerSourcesBySecret'
    >,
    private readonly clicks: Pick<ClickService, 'waitForClick'>,
    private readonly opts: PostbackReaderOptions,
    private readonly log: Logger,
  ) {}

  /** A network's postback (`GET|POST /postback`). */
  read(params: RawParams, host: string | null): Promise<Parsed<Postback>> {
    const receivedAt = this.opts.now?.() ?? new Date();
    return parsing(() => this.readPostback(params, host, receivedAt));
  }

  /** A website conversion: the click must be known and its offer a website that `auth` satisfies. */
  readSite(site: SiteConversion, auth: SiteAuth, host: string | null): Promise<Parsed<Postback>> {
    const receivedAt = this.opts.now?.() ?? new Date();
    return parsing(() => this.readSiteConversion(site, auth, host, receivedAt));
  }

  private async readPostback(params: RawParams, host: string | null, receivedAt: Date): Promise<Postback> {
    checkSizes(params);
    const secret = readSecret(params);
    const secretSha256 = secret === null ? null : sha256Hex(secret);
    const clickIdParam = await this.clickIdParam(params, host);
    const clickId = readClickId(params, clickIdParam);
    // Reject what is malformed under the default names before waiting for an unknown click.
    if (clickIdParam === DEFAULT_CLICK_ID_PARAM) readPostback(params, DEFAULT_NAMES);

    const click = await this.clicks.waitForClick(clickId, this.opts.clickWaitMs);
    if (click) {
      const offerSource = await offerSourceOf(this.config, click);
      // The secret of the click's own offer source (click → offer → offer source), before anything else is read.
      const verdict = checkSecret(offerSource, secretSha256, receivedAt);
      if (!verdict.ok) {
        this.log.info('postback refused', { accountId: click.accountId, error: verdict.error });
        throw new ParseError(verdict.error, verdict.reason);
      }
      const fields = readPostback(params, { ...paramNamesFor(offerSource), clickId: clickIdParam });
      const key = requestKey(offerSource?.id ?? click.offerSourceId ?? '', params);
      return { kind: 'known_click', click, offerSource, fields, host, receivedAt, requestKey: key };
    }

    // Unknown click: only a current (or overlapping previous) offer-source secret can keep it, and that offer
    // source decides the account, never the Host header.
    if (secretSha256 === null) {
      throw new ParseError(
        'missing_secret',
        'the click is not known (yet) and the postback carries no secret, so it cannot be kept: add ' +
          'secret=<the offer source postback secret>',
      );
    }
    const offerSource = (await this.config.offerSourcesBySecret(secretSha256)).find((s) =>
      secretMatches(s, secretSha256, receivedAt),
    );
    if (!offerSource) {
      throw new ParseError(
        'bad_secret',
        'the click is not known (yet) and the secret is not the postback secret of any offer source',
      );
    }
    const fields = readPostback(params, { ...paramNamesFor(offerSource), clickId: clickIdParam });
    const key = requestKey(offerSource.id, params);
    return { kind: 'unknown_click', offerSource, secretSha256, fields, host, receivedAt, requestKey: key };
  }

  /** `clickid`, else a click-id parameter name some offer source (of the host's account, if known) configured. */
  private async clickIdParam(params: RawParams, host: string | null): Promise<string> {
    if (params.has(DEFAULT_CLICK_ID_PARAM)) return DEFAULT_CLICK_ID_PARAM;
    const names = await this.config.clickIdParamNames(await this.config.accountForHost(host));
    return names.find((n) => params.has(n)) ?? DEFAULT_CLICK_ID_PARAM;
  }

  private async readSiteConversion(
    site: SiteConversion,
    auth: SiteAuth,
    host: string | null,
    receivedAt: Date,
  ): Promise<Postback> {
    const click = await this.clicks.waitForClick(site.fields.clickId, this.opts.clickWaitMs);
    if (!click) throw new ParseError('unknown_click', 'the click id is not one of our clicks (yet)');
    const offer = await this.config.offer(click.offerId);
    if (!offer || offer.kind !== 'website')
      throw new ParseError('not_a_website', "the click's destination is not a website (use its postback)");
    if (auth.kind === 'secret') {
      if (auth.secretSha256 === null)
        throw new ParseError('missing_secret', 'send the website secret as Authorization: Bearer <secret>');
      if (!digestEquals(auth.secretSha256, offer.conversion_secret_sha256))
        throw new ParseError('bad_secret', "the secret is not the conversion secret of the click's website");
    } else if (!auth.origin || !(offer.allowed_origins ?? []).includes(auth.origin)) {
      throw new ParseError('origin_not_allowed', "the page's origin is not one of the website's allowed origins");
    }
    const offerSource = await offerSourceOf(this.config, click);
    const key = requestKey(offerSource?.id ?? click.offerSourceId ?? '', site.params);
    return { kind: 'known_click', click, offerSource, fields: site.fields, host, receivedAt, requestKey: key };
  }
}
