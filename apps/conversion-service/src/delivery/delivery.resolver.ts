import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { notFound, type SubgraphContext } from '@snaptrack/util-federation';
import type { DeliveryService } from './delivery.service';
import { DeliveryCommandType, type DeliveryCommandKind, type DeliveryStatus } from './delivery.type';
import { PixelRef } from './pixel-stats';

@Resolver(() => DeliveryCommandType)
export class DeliveryCommandResolver {
  constructor(private readonly deliveries: DeliveryService) {}

  @Mutation(() => ID, {
    description:
      'Deliver the last `days` days (1-37) of conversions to a newly configured pixel; returns the command id',
  })
  backfillPixel(
    @Arg('pixelConfigId', () => ID) pixelConfigId: string,
    @Arg('days', () => Int) days: number,
    @Ctx() ctx: SubgraphContext,
  ): Promise<string> {
    return this.deliveries.backfill(ctx.accountId, pixelConfigId, days);
  }

  @Query(() => DeliveryCommandType, { description: 'A redeliver or backfill command and its progress' })
  async deliveryCommand(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext): Promise<DeliveryCommandType> {
    const p = await this.deliveries.commandProgress(ctx.accountId, id);
    if (!p) throw notFound('Delivery command', id);
    return Object.assign(new DeliveryCommandType(), {
      id: p.command.id,
      kind: p.command.kind as DeliveryCommandKind,
      requestedAt: p.command.requestedAt,
      conversionCount: p.command.conversionCount,
      pixelId: p.command.pixelId,
      pixelConfigId: p.command.pixelConfigId,
      pixel: p.command.pixelConfigId ? Object.assign(new PixelRef(), { id: p.command.pixelConfigId }) : null,
      sinceDays: p.command.sinceDays,
      results: p.results,
      byStatus: Object.entries(p.byStatus).map(([status, count]) => ({ status: status as DeliveryStatus, count })),
    });
  }
}
