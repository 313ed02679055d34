import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { SNAP_EVENT_NAMES } from '@snaptrack/contracts-events';
import { ConnectionArgs, type SubgraphContext } from '@snaptrack/util-federation';
import { mapPage } from '../common/pagination';
import { ConversionTypeService } from '../conversion-type/conversion-type.service';
import { ConversionTypeType } from '../conversion-type/conversion-type.type';
import { OfferService } from '../offer/offer.service';
import { OfferType } from '../offer/offer.type';
import { TrafficChannelService } from '../traffic-channel/traffic-channel.service';
import { TrafficChannelType } from '../traffic-channel/traffic-channel.type';
import { PixelService } from './pixel.service';
import { PixelEventMappingInput, PixelInput, UpdatePixelInput } from './pixel.input';
import { PixelConnection, PixelEventMappingType, PixelType, TokenRotationResult } from './pixel.type';

@Resolver(() => PixelType)
export class PixelResolver {
  constructor(
    private readonly pixelsService: PixelService,
    private readonly channels: TrafficChannelService,
    private readonly offers: OfferService,
  ) {}

  @Query(() => [String], { description: 'Snapchat event names a conversion type can map to (spelled exactly)' })
  snapEventNames(): string[] {
    return [...SNAP_EVENT_NAMES];
  }

  @Query(() => PixelConnection, {
    description:
      'Every pixel placement of the account (channel and offer level), oldest first (orderBy: NEWEST_FIRST to reverse)',
  })
  async pixels(@Ctx() ctx: SubgraphContext, @Args() page: ConnectionArgs) {
    return mapPage(await this.pixelsService.list(ctx.accountId, page), PixelType.from);
  }

  @Query(() => PixelType, { nullable: true })
  async pixel(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext) {
    return PixelType.from(await this.pixelsService.get(ctx.accountId, id));
  }

  @Mutation(() => PixelType, {
    description:
      "Sets the traffic channel's default data source (at most one per channel: an existing one is " +
      'updated). Omitted optional fields keep their value. Refused with DUPLICATE_PIXEL when the pixel ' +
      'is already on an offer.',
  })
  async setChannelPixel(
    @Arg('channelId', () => ID) channelId: string,
    @Arg('input', () => PixelInput) input: PixelInput,
    @Ctx() ctx: SubgraphContext,
  ) {
    return PixelType.from(await this.pixelsService.setChannelPixel(ctx.accountId, channelId, input));
  }

  @Mutation(() => PixelType, {
    description:
      'Adds a pixel to an offer. Refused with DUPLICATE_PIXEL when it is already on this offer or on a ' +
      'traffic channel.',
  })
  async addOfferPixel(
    @Arg('offerId', () => ID) offerId: string,
    @Arg('input', () => PixelInput) input: PixelInput,
    @Ctx() ctx: SubgraphContext,
  ) {
    return PixelType.from(await this.pixelsService.addOfferPixel(ctx.accountId, offerId, input));
  }

  @Mutation(() => PixelType)
  async updatePixel(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdatePixelInput) input: UpdatePixelInput,
    @Ctx() ctx: SubgraphContext,
  ) {
    return PixelType.from(await this.pixelsService.update(ctx.accountId, id, input));
  }

  @Mutation(() => PixelType, {
    description: "Replaces the pixel's event mapping (conversion type → Snapchat event name)",
  })
  async setPixelEventMapping(
    @Arg('id', () => ID) id: string,
    @Arg('mapping', () => [PixelEventMappingInput]) mapping: PixelEventMappingInput[],
    @Ctx() ctx: SubgraphContext,
  ) {
    return PixelType.from(await this.pixelsService.setEventMapping(ctx.accountId, id, mapping));
  }

  @Mutation(() => ID)
  removePixel(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext): Promise<string> {
    return this.pixelsService.remove(ctx.accountId, id);
  }

  @Mutation(() => TokenRotationResult, {
    description:
      "Re-encrypts this account's pixel tokens that are not under the active key (config-service also " +
      'does this for every account at start-up)',
  })
  rotateTokenEncryption(@Ctx() ctx: SubgraphContext): Promise<TokenRotationResult> {
    return this.pixelsService.rotateTokens(ctx.accountId);
  }

  @FieldResolver(() => [PixelEventMappingType])
  async eventMapping(@Root() pixel: PixelType, @Ctx() ctx: SubgraphContext) {
    return (await this.pixelsService.mapping(ctx.accountId, pixel.id)).map(PixelEventMappingType.from);
  }

  @FieldResolver(() => TrafficChannelType, { nullable: true })
  async trafficChannel(@Root() pixel: PixelType, @Ctx() ctx: SubgraphContext) {
    if (!pixel.trafficChannelId) return null;
    const c = await this.channels.find(ctx.accountId, pixel.trafficChannelId);
    return c ? TrafficChannelType.from(c) : null;
  }

  @FieldResolver(() => OfferType, { nullable: true })
  async offer(@Root() pixel: PixelType, @Ctx() ctx: SubgraphContext) {
    if (!pixel.offerId) return null;
    const o = await this.offers.find(ctx.accountId, pixel.offerId);
    return o ? OfferType.from(o) : null;
  }
}

@Resolver(() => PixelEventMappingType)
export class PixelEventMappingResolver {
  constructor(private readonly types: ConversionTypeService) {}

  @FieldResolver(() => ConversionTypeType, { nullable: true })
  async conversionType(@Root() m: PixelEventMappingType, @Ctx() ctx: SubgraphContext) {
    const t = await this.types.find(ctx.accountId, m.conversionTypeId);
    return t ? ConversionTypeType.from(t) : null;
  }
}
