import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ConnectionArgs, type SubgraphContext } from '@snaptrack/util-federation';
import { mapPage } from '../common/pagination';
import { OfferSourceService } from '../offer-source/offer-source.service';
import { OfferSourceType } from '../offer-source/offer-source.type';
import { PixelService } from '../pixel/pixel.service';
import { PixelType } from '../pixel/pixel.type';
import { OfferService } from './offer.service';
import { CreateOfferInput, UpdateOfferInput } from './offer.input';
import { OfferConnection, OfferType } from './offer.type';

@Resolver(() => OfferType)
export class OfferResolver {
  constructor(
    private readonly offerService: OfferService,
    private readonly sources: OfferSourceService,
    private readonly pixelService: PixelService,
  ) {}

  @Query(() => OfferConnection, {
    description:
      'Your offers and websites (of one offer source if given), oldest first (orderBy: NEWEST_FIRST to reverse)',
  })
  async offers(
    @Ctx() ctx: SubgraphContext,
    @Args() page: ConnectionArgs,
    @Arg('offerSourceId', () => ID, { nullable: true }) offerSourceId?: string,
  ) {
    return mapPage(await this.offerService.list(ctx.accountId, page, offerSourceId), OfferType.from);
  }

  @Query(() => OfferType, { nullable: true })
  async offer(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext) {
    return OfferType.from(await this.offerService.get(ctx.accountId, id));
  }

  @Mutation(() => OfferType)
  async createOffer(@Arg('input', () => CreateOfferInput) input: CreateOfferInput, @Ctx() ctx: SubgraphContext) {
    const { row, secret } = await this.offerService.create(ctx.accountId, input);
    return OfferType.from(row, secret);
  }

  @Mutation(() => OfferType, {
    description:
      'A new conversion secret for a website, returned once in conversionSecret; the previous one is refused at once',
  })
  async rotateWebsiteSecret(@Arg('offerId', () => ID) offerId: string, @Ctx() ctx: SubgraphContext) {
    const { row, secret } = await this.offerService.rotateWebsiteSecret(ctx.accountId, offerId);
    return OfferType.from(row, secret);
  }

  @Mutation(() => OfferType)
  async updateOffer(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateOfferInput) input: UpdateOfferInput,
    @Ctx() ctx: SubgraphContext,
  ) {
    return OfferType.from(await this.offerService.update(ctx.accountId, id, input));
  }

  @Mutation(() => ID, { description: 'Refused (CONFLICT) while the offer has pixels' })
  deleteOffer(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext): Promise<string> {
    return this.offerService.delete(ctx.accountId, id);
  }

  @FieldResolver(() => OfferSourceType, { nullable: true })
  async offerSource(@Root() offer: OfferType, @Ctx() ctx: SubgraphContext) {
    const s = await this.sources.find(ctx.accountId, offer.offerSourceId);
    return s ? OfferSourceType.from(s) : null;
  }

  @FieldResolver(() => [PixelType], { description: "The offer's pixels (its CAPI tab)" })
  async pixels(@Root() offer: OfferType, @Ctx() ctx: SubgraphContext) {
    return (await this.pixelService.offerPixels(ctx.accountId, offer.id)).map(PixelType.from);
  }
}
