import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ConnectionArgs, type SubgraphContext } from '@snaptrack/util-federation';
import { mapPage } from '../common/pagination';
import { PixelService } from '../pixel/pixel.service';
import { PixelType } from '../pixel/pixel.type';
import { findTemplate } from '../template/template.catalog';
import { TrafficChannelTemplateType } from '../template/template.type';
import { CreateTrafficChannelInput, UpdateTrafficChannelInput } from './traffic-channel.input';
import { TrafficChannelService, integrationStatusOf } from './traffic-channel.service';
import { ChannelIntegrationStatus, TrafficChannelConnection, TrafficChannelType } from './traffic-channel.type';

@Resolver(() => TrafficChannelType)
export class TrafficChannelResolver {
  constructor(
    private readonly channels: TrafficChannelService,
    private readonly pixels: PixelService,
  ) {}

  @Query(() => TrafficChannelConnection, {
    description: 'Your traffic channels, oldest first (orderBy: NEWEST_FIRST to reverse)',
  })
  async trafficChannels(@Ctx() ctx: SubgraphContext, @Args() page: ConnectionArgs) {
    return mapPage(await this.channels.list(ctx.accountId, page), TrafficChannelType.from);
  }

  @Query(() => TrafficChannelType, { nullable: true })
  async trafficChannel(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext) {
    return TrafficChannelType.from(await this.channels.get(ctx.accountId, id));
  }

  @Mutation(() => TrafficChannelType, {
    description: '"New from template": the channel starts with the template\'s click-id parameter and parameters',
  })
  async createTrafficChannelFromTemplate(
    @Arg('input', () => CreateTrafficChannelInput) input: CreateTrafficChannelInput,
    @Ctx() ctx: SubgraphContext,
  ) {
    return TrafficChannelType.from(await this.channels.createFromTemplate(ctx.accountId, input));
  }

  @Mutation(() => TrafficChannelType)
  async updateTrafficChannel(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateTrafficChannelInput) input: UpdateTrafficChannelInput,
    @Ctx() ctx: SubgraphContext,
  ) {
    return TrafficChannelType.from(await this.channels.update(ctx.accountId, id, input));
  }

  @Mutation(() => ID, { description: 'Refused (CONFLICT) while the channel has a pixel' })
  deleteTrafficChannel(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext): Promise<string> {
    return this.channels.delete(ctx.accountId, id);
  }

  @FieldResolver(() => PixelType, {
    nullable: true,
    description: "The channel's default data source (Snapchat pixel), if set",
  })
  async pixel(@Root() channel: TrafficChannelType, @Ctx() ctx: SubgraphContext) {
    const p = await this.pixels.channelPixel(ctx.accountId, channel.id);
    return p ? PixelType.from(p) : null;
  }

  @FieldResolver(() => ChannelIntegrationStatus, {
    description: 'NOT_CONFIGURED until a pixel with an access token is saved, then READY or TEST_MODE',
  })
  async integrationStatus(@Root() channel: TrafficChannelType, @Ctx() ctx: SubgraphContext) {
    const p = await this.pixels.channelPixel(ctx.accountId, channel.id);
    return integrationStatusOf(channel.templateKey, p);
  }

  @FieldResolver(() => TrafficChannelTemplateType, { nullable: true })
  template(@Root() channel: TrafficChannelType) {
    return findTemplate(channel.templateKey) ?? null;
  }
}
