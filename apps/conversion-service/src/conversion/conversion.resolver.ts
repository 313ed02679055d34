import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import {
  ConnectionArgs,
  mapConnection,
  notFound,
  type ConnectionPage,
  type SubgraphContext,
} from '@snaptrack/util-federation';
import type { DeliveryService } from '../delivery/delivery.service';
import { DeliveryType, type DeliveryStatus } from '../delivery/delivery.type';
import type { Delivery } from '../delivery/delivery.entity';
import type { ConversionService } from './conversion.service';
import { ConversionConnection, ConversionType } from './conversion.type';
import { ConversionFilterInput } from './conversion.input';

export function toDeliveryType(d: Delivery): DeliveryType {
  return Object.assign(new DeliveryType(), {
    destination: d.destination,
    pixelId: d.pixelId,
    status: d.status as DeliveryStatus,
    reasonCode: d.reasonCode,
    message: d.message,
    attempts: d.attempts,
    httpStatus: d.httpStatus,
    eventName: d.eventName,
    testMode: d.testMode,
    placements: d.placements,
    nextAttemptAt: d.nextAttemptAt,
    deliveredAt: d.deliveredAt,
    updatedAt: d.updatedAt,
  });
}

/** Loads the deliveries of every conversion resolved in one request with one query. */
class DeliveriesLoader {
  private queue = new Map<string, Array<(v: Delivery[]) => void>>();
  private failures = new Map<string, Array<(e: unknown) => void>>();
  private scheduled = false;
  constructor(private readonly deliveries: DeliveryService) {}

  load(conversionId: string): Promise<Delivery[]> {
    return new Promise((resolve, reject) => {
      this.queue.set(conversionId, [...(this.queue.get(conversionId) ?? []), resolve]);
      this.failures.set(conversionId, [...(this.failures.get(conversionId) ?? []), reject]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const queue = this.queue;
    const failures = this.failures;
    this.queue = new Map();
    this.failures = new Map();
    this.scheduled = false;
    try {
      const byId = await this.deliveries.forConversions([...queue.keys()]);
      for (const [id, resolvers] of queue) for (const r of resolvers) r(byId.get(id) ?? []);
    } catch (e) {
      for (const rejecters of failures.values()) for (const r of rejecters) r(e);
    }
  }
}

const loaders = new WeakMap<object, DeliveriesLoader>();

@Resolver(() => ConversionType)
export class ConversionResolver {
  constructor(
    private readonly conversionService: ConversionService,
    private readonly deliveryService: DeliveryService,
  ) {}

  @Query(() => ConversionConnection, {
    description: "The caller's conversions, newest first by receivedAt (orderBy: OLDEST_FIRST to reverse)",
  })
  async conversions(
    @Ctx() ctx: SubgraphContext,
    @Args() page: ConnectionArgs,
    @Arg('filter', () => ConversionFilterInput, { nullable: true }) filter?: ConversionFilterInput | null,
  ): Promise<ConnectionPage<ConversionType>> {
    return mapConnection(await this.conversionService.list(ctx.accountId, filter ?? {}, page), ConversionType.from);
  }

  @Query(() => ConversionType)
  async conversion(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext): Promise<ConversionType> {
    const c = await this.conversionService.byId(ctx.accountId, id);
    if (!c) throw notFound('Conversion', id);
    return ConversionType.from(c);
  }

  @FieldResolver(() => [DeliveryType], { description: 'One entry per destination pixel, as the dispatchers reported' })
  async deliveries(@Root() conversion: ConversionType, @Ctx() ctx: SubgraphContext): Promise<DeliveryType[]> {
    let loader = loaders.get(ctx);
    if (!loader) loaders.set(ctx, (loader = new DeliveriesLoader(this.deliveryService)));
    return (await loader.load(conversion.id)).map(toDeliveryType);
  }

  @Mutation(() => ID, {
    description: 'Resend the failed deliveries of these conversions (optionally to one pixel); returns the command id',
  })
  redeliverConversions(
    @Arg('conversionIds', () => [ID]) conversionIds: string[],
    @Arg('pixelId', () => String, { nullable: true }) pixelId: string | null | undefined,
    @Ctx() ctx: SubgraphContext,
  ): Promise<string> {
    return this.deliveryService.redeliver(ctx.accountId, conversionIds, pixelId);
  }
}
