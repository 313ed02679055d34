import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ConnectionArgs, type SubgraphContext } from '@snaptrack/util-federation';
import { ClickConnection } from '../click/click.type';
import type { ClickService } from '../click/click.service';
import { TrafficChannelRef } from '../federation/stubs.type';
import { Campaign } from './campaign.entity';
import { CreateCampaignInput, UpdateCampaignInput } from './campaign.input';
import type { CampaignService } from './campaign.service';
import { CampaignConnection, CampaignOfferType, CampaignStatus, CampaignType } from './campaign.type';

@Resolver(() => CampaignType)
export class CampaignResolver {
  constructor(
    private readonly campaignService: CampaignService,
    private readonly clickReads: ClickService,
  ) {}

  @Query(() => CampaignType, { description: 'One of your campaigns' })
  campaign(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext) {
    return this.campaignService.get(ctx.accountId, id);
  }

  @Query(() => CampaignConnection, { description: 'Your campaigns, newest first (orderBy: OLDEST_FIRST to reverse)' })
  campaigns(
    @Ctx() ctx: SubgraphContext,
    @Args() page: ConnectionArgs,
    @Arg('status', () => CampaignStatus, { nullable: true }) status?: CampaignStatus | null,
  ) {
    return this.campaignService.list(ctx.accountId, { ...page, status });
  }

  @Mutation(() => CampaignType)
  createCampaign(@Arg('input', () => CreateCampaignInput) input: CreateCampaignInput, @Ctx() ctx: SubgraphContext) {
    return this.campaignService.create(ctx.accountId, input);
  }

  @Mutation(() => CampaignType)
  updateCampaign(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateCampaignInput) input: UpdateCampaignInput,
    @Ctx() ctx: SubgraphContext,
  ) {
    return this.campaignService.update(ctx.accountId, id, input);
  }

  @Mutation(() => CampaignType, {
    description: 'Stops recording clicks: the tracking link answers 404 (or the fallback URL)',
  })
  pauseCampaign(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext) {
    return this.campaignService.setStatus(ctx.accountId, id, 'PAUSED');
  }

  @Mutation(() => CampaignType)
  resumeCampaign(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext) {
    return this.campaignService.setStatus(ctx.accountId, id, 'ACTIVE');
  }

  @Mutation(() => ID, { description: 'Deletes the campaign (its key is never reused; recorded clicks are kept)' })
  deleteCampaign(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext) {
    return this.campaignService.delete(ctx.accountId, id);
  }

  @FieldResolver(() => TrafficChannelRef)
  trafficChannel(@Root() c: Campaign): TrafficChannelRef {
    return { id: c.trafficChannelId };
  }

  @FieldResolver(() => [CampaignOfferType])
  offers(@Root() c: Campaign): CampaignOfferType[] {
    return c.offers.map((o) => ({ offer: { id: o.offer_id }, weight: o.weight }));
  }

  @FieldResolver(() => String, {
    description: 'The link to paste into Snapchat Ads Manager (macros such as {{campaign.id}} stay unencoded)',
  })
  trackingLink(@Root() c: Campaign): string {
    return this.campaignService.trackingLink(c);
  }

  @FieldResolver(() => String, { nullable: true, description: 'DIRECT only: the script tag the landing page needs' })
  scriptTag(@Root() c: Campaign): string | null {
    return this.campaignService.scriptTag(c);
  }

  @FieldResolver(() => Int, {
    description: 'Clicks recorded so far (eventually consistent: trails the click topic by the consumer lag)',
  })
  clickCount(@Root() c: Campaign): Promise<number> {
    return this.clickReads.count(c.id);
  }

  @FieldResolver(() => ClickConnection, {
    description: 'Recorded clicks, newest first (orderBy: OLDEST_FIRST to reverse)',
  })
  clicks(@Root() c: Campaign, @Args() page: ConnectionArgs): Promise<ClickConnection> {
    return this.clickReads.list(c.id, page);
  }
}
