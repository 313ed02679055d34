import type { ClickRecordedV1 } from '@snaptrack/contracts-events';
import { HttpError } from '@snaptrack/util-http';
import type { Logger } from '@snaptrack/util-logger';
import { scrubParams, scrubUrl } from '@snaptrack/util-pii';
import type { CampaignCache, CachedCampaign } from '../campaign/campaign.cache';
import type { ConfigView, OfferView } from '../config-view/config-view';
import { newClickId } from './click-id';
import { ClickNotRecorded, type ClickPublisher } from './click.publisher';
import { fillOfferUrl, keepsTemplateOrigin, safeRedirectUrl } from './offer-url';
import { paramCaseInsensitive, paramsRecord } from './query';

const MAX_SC_CLICK_ID = 512;
const MAX_HEADER_VALUE = 2048;
const MAX_URL_VALUE = 4096;

export interface CaptureInput {
  /** How the click arrived: `redirect` = GET /<key> on the tracking domain, `direct` = /click from /track.js. */
  method: 'redirect' | 'direct';
  key: string;
  pairs: Array<[string, string]>;
  /** Parameter names that steer the endpoint and are not tracking parameters. */
  reserved: ReadonlySet<string>;
  ip: string | null;
  userAgent: string | null;
  referrer: string | null;
  landingUrl: string | null;
  /** Hostname the request arrived on (no port), or null; a tracking domain must be verified to serve clicks. */
  host?: string | null;
  /** Snapchat's first-party `_scid` cookie as /track.js read it on the landing page (direct clicks), or null. */
  scCookie1?: string | null;
}

/** A plausible `_scid` value (Snap sets a UUID); anything else is dropped, never an error that loses the click. */
const SC_COOKIE1 = /^[\x21-\x7e]{1,512}$/;

export type CaptureResult =
  | { kind: 'recorded'; clickId: string; offerUrl: string; click: ClickRecordedV1.Value }
  | { kind: 'unavailable'; reason: string; fallbackUrl: string | null };

const clip = (v: string | null, max: number) => (v === null ? null : v.length > max ? v.slice(0, max) : v);

/** Picks an offer in proportion to its weight. `rand` in [0, 1). */
export function pickWeighted<T extends { weight: number }>(items: T[], rand: number = Math.random()): T {
  const total = items.reduce((s, i) => s + i.weight, 0);
  let r = rand * total;
  for (const item of items) {
    r -= item.weight;
    if (r < 0) return item;
  }
  return items[items.length - 1];
}

/**
 * The click hot path: campaign from the in-memory cache, offer from the config view, everything validated, then one
 * publish that resolves after the broker's ack. No database access.
 */
export class ClickCapture {
  constructor(
    private readonly cache: CampaignCache,
    private readonly view: ConfigView,
    private readonly publisher: ClickPublisher,
    private readonly viewReady: () => boolean,
    private readonly log: Logger,
  ) {}

  async capture(input: CaptureInput): Promise<CaptureResult> {
    // A Host that names a tracking domain serves clicks only once its account proved control of it, and only for
    // that account's campaigns. Other hosts (PUBLIC_TRACKING_URL, internal names) are not tracking domains.
    const domain = input.host ? this.view.trackingDomainForHost(input.host) : undefined;
    if (domain && domain.verified !== true)
      return { kind: 'unavailable', reason: 'this tracking domain is not verified', fallbackUrl: null };
    const campaign = this.cache.get(input.key);
    if (!campaign || (domain && domain.accountId !== campaign.accountId))
      return { kind: 'unavailable', reason: 'unknown campaign', fallbackUrl: null };
    if (campaign.status !== 'ACTIVE')
      return { kind: 'unavailable', reason: 'campaign is paused', fallbackUrl: campaign.fallbackUrl };

    const offers = this.availableOffers(campaign);
    if (!offers.length) {
      if (!this.viewReady())
        throw new HttpError(503, 'configuration is still loading; try again in a moment', { error: 'unavailable' });
      return { kind: 'unavailable', reason: 'campaign has no available offer', fallbackUrl: campaign.fallbackUrl };
    }
    const { offer } = pickWeighted(offers);
    const channel = this.view.trafficChannel(campaign.trafficChannelId, campaign.accountId);

    const params = paramsRecord(input.pairs, input.reserved);
    const scClickId = paramCaseInsensitive(input.pairs, 'ScCid');
    if (scClickId !== null && scClickId.length > MAX_SC_CLICK_ID)
      throw new HttpError(400, `ScCid is longer than ${MAX_SC_CLICK_ID} characters`);

    const clickId = newClickId();
    const filled = fillOfferUrl(
      offer.url,
      {
        clickid: clickId,
        click_id: clickId,
        campaign_id: campaign.id,
        campaign_key: campaign.key,
        traffic_channel_id: campaign.trafficChannelId,
        offer_id: offer.id,
        offer_source_id: offer.offer_source_id,
        sccid: scClickId,
      },
      params,
    );
    const safe = safeRedirectUrl(filled);
    const checked =
      'url' in safe && !keepsTemplateOrigin(offer.url, safe.url)
        ? { problem: 'would leave the scheme and host of the offer URL after filling macros' }
        : safe;
    if ('problem' in checked) {
      this.log.warn('offer URL refused for a click', {
        campaignId: campaign.id,
        offerId: offer.id,
        problem: checked.problem,
      });
      throw new HttpError(422, `the offer URL ${checked.problem}`, { error: 'invalid_offer_url' });
    }

    const click: ClickRecordedV1.Value = {
      schema: 'click.recorded.v1',
      click_id: clickId,
      account_id: campaign.accountId,
      campaign_id: campaign.id,
      traffic_channel_id: campaign.trafficChannelId,
      traffic_channel_template: channel?.template ?? 'custom',
      offer_id: offer.id,
      offer_source_id: offer.offer_source_id ?? null,
      tracking_method: input.method,
      sc_click_id: scClickId,
      // Only when present, so clicks without it keep the shape they always had.
      ...(input.scCookie1 && SC_COOKIE1.test(input.scCookie1) ? { sc_cookie1: input.scCookie1 } : {}),
      // IP and user agent stay raw (Snapchat takes them as they are). The free-form parts are scrubbed of e-mail
      // addresses and phone numbers (util-pii scrubUrl/scrubParams) before anything is published or stored; the
      // offer URL above was filled from the raw parameters, as the visitor's own redirect needs them.
      ip: input.ip,
      user_agent: clip(input.userAgent, MAX_HEADER_VALUE),
      referrer: clip(scrubUrl(input.referrer), MAX_URL_VALUE),
      landing_url: clip(scrubUrl(input.landingUrl), MAX_URL_VALUE),
      params: scrubParams(params),
      clicked_at: new Date().toISOString(),
    };
    try {
      await this.publisher.publish(click);
    } catch (e) {
      if (e instanceof ClickNotRecorded) {
        this.log.error('click not recorded', { campaignId: campaign.id, reason: e.message });
        throw new HttpError(503, 'the click could not be recorded right now; try again', { error: 'unavailable' });
      }
      throw e;
    }
    return { kind: 'recorded', clickId, offerUrl: checked.url, click };
  }

  private availableOffers(c: CachedCampaign): Array<{ offer: OfferView; weight: number }> {
    const out: Array<{ offer: OfferView; weight: number }> = [];
    for (const row of c.offers) {
      const offer = this.view.offer(row.offer_id, c.accountId);
      if (offer) out.push({ offer, weight: row.weight });
    }
    return out;
  }
}
