import { randomUUID } from 'node:crypto';
import { IsNull, type DataSource } from 'typeorm';
import { isUuid } from '@snaptrack/contracts-events';
import {
  ListOrder,
  badInput,
  conflict,
  notFound,
  paginateKeyset,
  userError,
  type ConnectionPage,
  type KeysetQuery,
  type PageArgs,
} from '@snaptrack/util-federation';
import { EntitySqlQuery, isUniqueViolation } from '@snaptrack/util-db';
import type { ConfigView, OfferView } from '../config-view/config-view';
import { macroInOrigin, safeRedirectUrl } from '../click/offer-url';
import { Campaign, type CampaignOfferRow, type CampaignStatusValue, type TrackingMethodValue } from './campaign.entity';
import type { CampaignCache } from './campaign.cache';
import type { CampaignOfferInput, CreateCampaignInput, UpdateCampaignInput } from './campaign.input';
import { newCampaignKey, scriptTag, trackingBase, trackingLink } from './tracking-link';

export const MAX_OFFERS = 50;
export const MAX_WEIGHT = 10_000;
export const DEFAULT_SINGLE_WEIGHT = 100;
const MAX_URL = 2048;
const MAX_NAME = 200;
const CONTROL = /[\u0000-\u001f\u007f]/;

export interface CampaignServiceOptions {
  publicTrackingUrl: string;
  /** How long a mutation waits for a referenced channel/offer/domain to appear in the config view. */
  configWaitMs: number;
}

export type Page<T> = ConnectionPage<T>;

/**
 * One page of the account's live campaigns, newest first by default, read through `qb` (alias `c`, not yet filtered):
 * what `CampaignService.list` runs, and what its test runs with both query kinds.
 */
export function campaignPage(
  qb: KeysetQuery<Campaign>,
  accountId: string,
  args: PageArgs & { status?: CampaignStatusValue | null },
): Promise<Page<Campaign>> {
  qb.andWhere('c.account_id = :accountId', { accountId }).andWhere('c.deleted_at IS NULL');
  if (args.status) qb.andWhere('c.status = :status', { status: args.status });
  return paginateKeyset(qb, args, {
    time: 'c.created_at',
    id: 'c.id',
    key: (c) => [c.createdAt, c.id],
    defaultOrder: ListOrder.NEWEST_FIRST,
    uuidIds: true,
  });
}

/** Campaign decisions: validation against the account's config entities, optimistic updates, links. */
export class CampaignService {
  private listQuery: EntitySqlQuery<Campaign> | undefined;

  constructor(
    private readonly ds: DataSource,
    private readonly view: ConfigView,
    private readonly cache: CampaignCache,
    private readonly opts: CampaignServiceOptions,
  ) {}

  private get repo() {
    return this.ds.getRepository(Campaign);
  }

  /** Newest first by default (the paging contract of docs/api.md). */
  async list(accountId: string, args: PageArgs & { status?: CampaignStatusValue | null }): Promise<Page<Campaign>> {
    // Plain SQL instead of the query builder: the list is the subgraph's hottest read (see EntitySqlQuery).
    return campaignPage((this.listQuery ??= EntitySqlQuery.for(this.ds, Campaign, 'c')).clone(), accountId, args);
  }

  /** The account's live campaign, else NOT_FOUND (also for another account's id). */
  async get(accountId: string, id: string): Promise<Campaign> {
    const found = await this.findForReference(accountId, id);
    if (!found) throw notFound('Campaign', id);
    return found;
  }

  async findForReference(accountId: string, id: string): Promise<Campaign | null> {
    if (!isUuid(id)) return null;
    return this.repo.findOne({ where: { id, accountId, deletedAt: IsNull() } });
  }

  async create(accountId: string, input: CreateCampaignInput): Promise<Campaign> {
    const name = validName(input.name);
    const trackingMethod = validMethod(input.trackingMethod);
    const offers = validOffers(input.offers);
    let landingPageUrl = optionalUrl(input.landingPageUrl, 'landingPageUrl', true);
    const fallbackUrl = optionalUrl(input.fallbackUrl, 'fallbackUrl', false);
    const status = input.status ?? 'ACTIVE';
    const channelId = validId(input.trafficChannelId, 'trafficChannelId');

    const [, offerViews, trackingDomain] = await Promise.all([
      this.requireChannel(accountId, channelId),
      this.requireOffers(accountId, offers),
      input.trackingDomain === undefined || input.trackingDomain === null
        ? Promise.resolve(
            this.view
              .trackingDomains(accountId)
              .find((d) => d.is_default)
              ?.hostname.toLowerCase() ?? null,
          )
        : this.requireDomain(accountId, input.trackingDomain),
    ]);
    landingPageUrl = websiteRules(trackingMethod, landingPageUrl, offerViews);
    requireLandingPage(trackingMethod, landingPageUrl);

    const now = new Date();
    for (let attempt = 0; ; attempt++) {
      const campaign = this.repo.create({
        id: randomUUID(),
        accountId,
        key: newCampaignKey(),
        name,
        trafficChannelId: channelId,
        offers,
        trackingDomain,
        trackingMethod,
        landingPageUrl,
        fallbackUrl,
        status,
        version: 1,
        createdAt: now,
        updatedAt: now,
        deletedAt: null,
      });
      try {
        await this.repo.insert(campaign);
        this.cache.put(campaign);
        return campaign;
      } catch (e) {
        if (!isUniqueViolation(e, 'campaign_key_unique') || attempt >= 4) throw e;
      }
    }
  }

  async update(accountId: string, id: string, input: UpdateCampaignInput): Promise<Campaign> {
    const current = await this.get(accountId, id);
    if (
      input.expectedVersion !== undefined &&
      input.expectedVersion !== null &&
      input.expectedVersion !== current.version
    ) {
      throw conflict(
        `Campaign ${id} is at version ${current.version}, not ${input.expectedVersion}; reload it and try again`,
      );
    }
    const next: Campaign = { ...current };
    const lookups: Array<Promise<unknown>> = [];
    if (input.name !== undefined) next.name = validName(notNull(input.name, 'name'));
    if (input.trackingMethod !== undefined)
      next.trackingMethod = validMethod(notNull(input.trackingMethod, 'trackingMethod'));
    if (input.offers !== undefined) next.offers = validOffers(notNull(input.offers, 'offers'));
    // The offers are looked up when they change, and again when the method or landing page could now disagree with a
    // website among them (an offer deleted since does not block that change: clicks skip it).
    const offerViews =
      input.offers !== undefined
        ? this.requireOffers(accountId, next.offers)
        : input.trackingMethod !== undefined || input.landingPageUrl !== undefined
          ? this.requireOffers(accountId, next.offers).catch(() => null)
          : Promise.resolve(null);
    lookups.push(offerViews);
    if (input.trafficChannelId !== undefined) {
      next.trafficChannelId = validId(notNull(input.trafficChannelId, 'trafficChannelId'), 'trafficChannelId');
      if (next.trafficChannelId !== current.trafficChannelId)
        lookups.push(this.requireChannel(accountId, next.trafficChannelId));
    }
    if (input.landingPageUrl !== undefined)
      next.landingPageUrl = optionalUrl(input.landingPageUrl, 'landingPageUrl', true);
    if (input.fallbackUrl !== undefined) next.fallbackUrl = optionalUrl(input.fallbackUrl, 'fallbackUrl', false);
    if (input.trackingDomain !== undefined) {
      if (input.trackingDomain === null) next.trackingDomain = null;
      else lookups.push(this.requireDomain(accountId, input.trackingDomain).then((h) => (next.trackingDomain = h)));
    }
    await Promise.all(lookups);
    const views = await offerViews;
    if (views) next.landingPageUrl = websiteRules(next.trackingMethod, next.landingPageUrl, views);
    requireLandingPage(next.trackingMethod, next.landingPageUrl);
    return this.save(current, next);
  }

  async setStatus(accountId: string, id: string, status: CampaignStatusValue): Promise<Campaign> {
    const current = await this.get(accountId, id);
    if (current.status === status) return current;
    return this.save(current, { ...current, status });
  }

  async delete(accountId: string, id: string): Promise<string> {
    const current = await this.get(accountId, id);
    const now = new Date();
    const result = await this.repo.update(
      { id, accountId, version: current.version, deletedAt: IsNull() },
      { deletedAt: now, updatedAt: now, version: current.version + 1 },
    );
    if (result.affected !== 1) throw conflict(`Campaign ${id} was changed at the same time; reload it and try again`);
    this.cache.remove({ key: current.key, version: current.version + 1 });
    return id;
  }

  /** Optimistic write: succeeds only if nobody changed the row since `current` was read. */
  private async save(current: Campaign, next: Campaign): Promise<Campaign> {
    const saved: Campaign = { ...next, version: current.version + 1, updatedAt: new Date() };
    const result = await this.repo.update(
      { id: current.id, accountId: current.accountId, version: current.version, deletedAt: IsNull() },
      {
        name: saved.name,
        trafficChannelId: saved.trafficChannelId,
        offers: saved.offers,
        trackingDomain: saved.trackingDomain,
        trackingMethod: saved.trackingMethod,
        landingPageUrl: saved.landingPageUrl,
        fallbackUrl: saved.fallbackUrl,
        status: saved.status,
        version: saved.version,
        updatedAt: saved.updatedAt,
      },
    );
    if (result.affected !== 1)
      throw conflict(`Campaign ${current.id} was changed at the same time; reload it and try again`);
    this.cache.put(saved);
    return saved;
  }

  // ---- links -------------------------------------------------------------------------------------------------

  private base(c: Pick<Campaign, 'trackingDomain'>): string {
    return trackingBase(c.trackingDomain, this.opts.publicTrackingUrl);
  }

  trackingLink(c: Campaign): string {
    const channel = this.view.trafficChannel(c.trafficChannelId, c.accountId);
    return trackingLink(
      {
        key: c.key,
        trackingMethod: c.trackingMethod,
        landingPageUrl: c.landingPageUrl,
        parameters: channel?.parameters ?? [],
      },
      this.base(c),
    );
  }

  scriptTag(c: Campaign): string | null {
    return c.trackingMethod === 'DIRECT' ? scriptTag(this.base(c)) : null;
  }

  // ---- references to config-service entities (through the config view) ----------------------------------

  private async requireChannel(accountId: string, id: string): Promise<void> {
    const found = await this.view.waitFor(() => this.view.trafficChannel(id, accountId), this.opts.configWaitMs);
    if (!found) throw userError('NOT_FOUND', `Traffic channel ${id} not found`, { field: 'trafficChannelId' });
  }

  private async requireOffers(accountId: string, offers: CampaignOfferRow[]): Promise<OfferView[]> {
    const found = await Promise.all(
      offers.map((o) => this.view.waitFor(() => this.view.offer(o.offer_id, accountId), this.opts.configWaitMs)),
    );
    const missing = offers.filter((_, i) => !found[i]).map((o) => o.offer_id);
    if (missing.length) throw userError('NOT_FOUND', `Offer ${missing.join(', ')} not found`, { field: 'offers' });
    return found as OfferView[];
  }

  private async requireDomain(accountId: string, hostname: string): Promise<string> {
    const wanted = hostname.trim().toLowerCase();
    const found = await this.view.waitFor(
      () => this.view.trackingDomainByHost(wanted, accountId),
      this.opts.configWaitMs,
    );
    if (!found)
      throw userError('NOT_FOUND', `Tracking domain ${wanted} is not one of your tracking domains`, {
        field: 'trackingDomain',
      });
    return found.hostname.toLowerCase();
  }
}

// ---- input rules (pure) ------------------------------------------------------------------------------------

function notNull<T>(v: T | null, field: string): T {
  if (v === null) throw badInput(`${field} cannot be null`, field);
  return v;
}

function validName(raw: string): string {
  const name = raw.trim();
  if (!name) throw badInput('Give the campaign a name', 'name');
  if (name.length > MAX_NAME) throw badInput(`The name is longer than ${MAX_NAME} characters`, 'name');
  if (CONTROL.test(name)) throw badInput('The name contains control characters', 'name');
  return name;
}

function validId(raw: string, field: string): string {
  const id = raw.trim();
  if (!id || id.length > 200) throw badInput(`${field} is empty or too long`, field);
  return id;
}

function validMethod(m: string): TrackingMethodValue {
  if (m !== 'REDIRECT' && m !== 'DIRECT') throw badInput('trackingMethod must be REDIRECT or DIRECT', 'trackingMethod');
  return m;
}

export function validOffers(input: CampaignOfferInput[]): CampaignOfferRow[] {
  if (!input.length) throw badInput('A campaign needs at least one offer', 'offers');
  if (input.length > MAX_OFFERS) throw badInput(`A campaign can rotate at most ${MAX_OFFERS} offers`, 'offers');
  const seen = new Set<string>();
  return input.map((o) => {
    const id = validId(o.offerId, 'offers');
    if (seen.has(id)) throw badInput(`Offer ${id} is listed twice`, 'offers');
    seen.add(id);
    let weight = o.weight ?? null;
    if (weight === null) {
      if (input.length > 1)
        throw badInput('Give every offer a weight when the campaign rotates more than one offer', 'offers');
      weight = DEFAULT_SINGLE_WEIGHT;
    }
    if (!Number.isInteger(weight) || weight < 1 || weight > MAX_WEIGHT)
      throw badInput(`Offer weights must be whole numbers from 1 to ${MAX_WEIGHT}`, 'offers');
    return { offer_id: id, weight };
  });
}

export function optionalUrl(raw: string | null | undefined, field: string, landingPage: boolean): string | null {
  if (raw === undefined || raw === null || raw.trim() === '') return null;
  const url = raw.trim();
  if (url.length > MAX_URL) throw badInput(`${field} is longer than ${MAX_URL} characters`, field);
  const macroAt = macroInOrigin(url);
  if (macroAt)
    throw badInput(
      `${field} must not contain a macro ({…}) in its ${macroAt}: the scheme, user info, host and port ` +
        `must be literal, ` +
        'so a click can never choose where visitors are sent',
      field,
    );
  const checked = safeRedirectUrl(url);
  if ('problem' in checked) throw badInput(`${field} ${checked.problem}; give an absolute http(s) URL`, field);
  if (landingPage && url.includes('#')) {
    throw badInput(
      `${field} must not contain a #fragment: Snapchat appends ScCid at the end of the link, which ` +
        `would land inside the fragment`,
      field,
    );
  }
  return url;
}

/**
 * A website (an offer of kind `website`) is reached directly: its pages run /track.js, which records the click and
 * keeps the click id for the thank-you page; a redirect would bring no click id to them. Without a landing page, a
 * DIRECT campaign to a website lands on the website's URL.
 */
export function websiteRules(
  method: TrackingMethodValue,
  landingPageUrl: string | null,
  offers: Array<Pick<OfferView, 'kind' | 'url'>>,
): string | null {
  const website = offers.find((o) => o.kind === 'website');
  if (!website) return landingPageUrl;
  if (method !== 'DIRECT')
    throw badInput(
      'A website is reached directly: use trackingMethod DIRECT (a redirect would bring no click id to its pages)',
      'trackingMethod',
    );
  return landingPageUrl ?? website.url;
}

function requireLandingPage(method: TrackingMethodValue, landingPageUrl: string | null): void {
  if (method === 'DIRECT' && !landingPageUrl)
    throw badInput('A DIRECT (no-redirect) campaign needs a landingPageUrl', 'landingPageUrl');
}
