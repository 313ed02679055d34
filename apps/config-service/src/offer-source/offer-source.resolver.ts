import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ConnectionArgs, type SubgraphContext } from '@snaptrack/util-federation';
import { mapPage } from '../common/pagination';
import { TrackingDomainService } from '../tracking-domain/tracking-domain.service';
import { OfferSourceService } from './offer-source.service';
import { CreateOfferSourceInput, UpdateOfferSourceInput } from './offer-source.input';
import { buildPostbackUrl, trackingBase } from './offer-source.postback-url';
import { OfferSourceConnection, OfferSourceType } from './offer-source.type';

/** Where postback URLs point when an account has no tracking domain (PUBLIC_TRACKING_URL). */
export class PostbackUrlBase {
  constructor(readonly publicTrackingUrl: string) {}
}

@Resolver(() => OfferSourceType)
export class OfferSourceResolver {
  constructor(
    private readonly sources: OfferSourceService,
    private readonly domains: TrackingDomainService,
    private readonly base: PostbackUrlBase,
  ) {}

  @Query(() => OfferSourceConnection, {
    description: 'Your offer sources, oldest first (orderBy: NEWEST_FIRST to reverse)',
  })
  async offerSources(@Ctx() ctx: SubgraphContext, @Args() page: ConnectionArgs) {
    return mapPage(await this.sources.list(ctx.accountId, page), OfferSourceType.from);
  }

  @Query(() => OfferSourceType, { nullable: true })
  async offerSource(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext) {
    return OfferSourceType.from(await this.sources.get(ctx.accountId, id));
  }

  @Mutation(() => OfferSourceType)
  async createOfferSource(
    @Arg('input', () => CreateOfferSourceInput) input: CreateOfferSourceInput,
    @Ctx() ctx: SubgraphContext,
  ) {
    const { row, secret } = await this.sources.create(ctx.accountId, input);
    return OfferSourceType.from(row, secret);
  }

  @Mutation(() => OfferSourceType, {
    description:
      'A new random postback secret, returned once in postbackSecret and postbackUrl; the previous one ' +
      'stays accepted for overlapHours (default POSTBACK_SECRET_OVERLAP_HOURS), then is refused',
  })
  async rotatePostbackSecret(
    @Arg('offerSourceId', () => ID) offerSourceId: string,
    @Arg('overlapHours', () => Int, { nullable: true }) overlapHours: number | null | undefined,
    @Ctx() ctx: SubgraphContext,
  ) {
    const { row, secret } = await this.sources.rotateSecret(ctx.accountId, offerSourceId, overlapHours);
    return OfferSourceType.from(row, secret);
  }

  @Mutation(() => OfferSourceType)
  async updateOfferSource(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateOfferSourceInput) input: UpdateOfferSourceInput,
    @Ctx() ctx: SubgraphContext,
  ) {
    return OfferSourceType.from(await this.sources.update(ctx.accountId, id, input));
  }

  @Mutation(() => ID, { description: 'Refused (CONFLICT) while offers use it' })
  deleteOfferSource(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext): Promise<string> {
    return this.sources.delete(ctx.accountId, id);
  }

  @FieldResolver(() => String, {
    description:
      "The URL the offer network must call, on the account's default tracking domain: {clickid} " +
      "{payout} {type} {eventid} {currency} and {<role>} are placeholders for the network's own macros; " +
      'secret={secret} stands for the postback secret, which is filled in only in the answer of ' +
      'createOfferSource and rotatePostbackSecret',
  })
  async postbackUrl(@Root() source: OfferSourceType, @Ctx() ctx: SubgraphContext): Promise<string> {
    const domain = await this.domains.defaultFor(ctx.accountId);
    return buildPostbackUrl(trackingBase(domain?.hostname ?? null, this.base.publicTrackingUrl), source);
  }
}
