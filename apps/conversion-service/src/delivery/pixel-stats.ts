import { Arg, Ctx, Directive, Field, Float, FieldResolver, ID, Int, ObjectType, Resolver, Root } from 'type-graphql';
import type { DataSource } from 'typeorm';
import type { SubgraphContext } from '@snaptrack/util-federation';

/** How far back `deliveryStats` looks without `since`. */
export const DELIVERY_STATS_DEFAULT_HOURS = 24;

/**
 * Pixel is config-service's entity (the placement id is its key); this subgraph adds `deliveryStats` from the
 * delivery view it keeps (`delivery.result.v1`). The gateway fetches the field here with the pixel's id.
 */
@Directive('@key(fields: "id")')
@ObjectType('Pixel')
export class PixelRef {
  @Field(() => ID) id: string;
}

@ObjectType('PixelDeliveryError', { description: 'The most recent delivery of the pixel that failed or is retrying' })
export class PixelDeliveryError {
  @Field(() => Date, { description: 'When the dispatcher reported it' }) at: Date;
  @Field(() => ID) conversionId: string;
  @Field(() => String, { nullable: true }) reasonCode: string | null;
  @Field(() => String, { nullable: true }) message: string | null;
  @Field(() => Int, { nullable: true }) httpStatus: number | null;
}

@ObjectType('PixelDeliveryStats', {
  description:
    'Deliveries to the Snap pixel of this placement, of the conversions received since `since`, by their latest ' +
    'status (the same entries `Conversion.deliveries` shows). Placements that name the same Snap pixel id share them',
})
export class PixelDeliveryStats {
  @Field(() => Date) since: Date;
  @Field(() => Int) delivered: number;
  @Field(() => Int) failed: number;
  @Field(() => Int) skipped: number;
  @Field(() => Int) retrying: number;
  @Field(() => Int, { description: 'Queued, not yet attempted' }) pending: number;
  @Field(() => PixelDeliveryError, { nullable: true }) lastError: PixelDeliveryError | null;
  @Field(() => Float, {
    nullable: true,
    description: 'Median milliseconds from the postback (conversion received) to Snapchat accepting it; delivered only',
  })
  acceptedP50Ms: number | null;
  @Field(() => Float, { nullable: true, description: '95th percentile of the same' }) acceptedP95Ms: number | null;
}

interface StatsRow {
  delivered: number;
  failed: number;
  skipped: number;
  retrying: number;
  pending: number;
  accepted_ms: number[] | null;
}

/** Reads the stats from `delivery` (latest revision per conversion and pixel) joined to the conversion. */
export class PixelStatsService {
  constructor(private readonly ds: DataSource) {}

  /** The Snap pixel id of the caller's pixel placement (config view), or null (unknown, deleted, another account). */
  async snapPixelId(accountId: string, pixelConfigId: string): Promise<string | null> {
    const rows: Array<{ pixel_id: string | null }> = await this.ds.query(
      `SELECT data->>'pixel_id' AS pixel_id FROM config_entity
       WHERE key = $1 AND account_id = $2 AND NOT deleted AND data IS NOT NULL`,
      [`pixel:${pixelConfigId}`, accountId],
    );
    return rows[0]?.pixel_id ?? null;
  }

  async stats(accountId: string, snapPixelId: string, since: Date): Promise<PixelDeliveryStats> {
    // delivery.conversion_id is text; only ids of this service's conversions (uuids) can join.
    const scoped = `FROM delivery d JOIN conversion c
        ON c.id = CASE WHEN d.conversion_id ~ '^[0-9a-fA-F-]{36}$' THEN d.conversion_id::uuid END
      WHERE d.account_id = $1 AND d.pixel_id = $2 AND c.account_id = $1 AND c.received_at >= $3`;
    const countsQuery: Promise<StatsRow[]> = this.ds.query(
      `SELECT count(*) FILTER (WHERE d.status = 'delivered')::int AS delivered,
         count(*) FILTER (WHERE d.status = 'failed')::int AS failed,
         count(*) FILTER (WHERE d.status = 'skipped')::int AS skipped,
         count(*) FILTER (WHERE d.status = 'retrying')::int AS retrying,
         count(*) FILTER (WHERE d.status = 'pending')::int AS pending,
         percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (
           ORDER BY extract(epoch FROM d.delivered_at - c.received_at) * 1000)
           FILTER (WHERE d.status = 'delivered' AND d.delivered_at IS NOT NULL) AS accepted_ms
       ${scoped}`,
      [accountId, snapPixelId, since],
    );
    const errorQuery: Promise<PixelDeliveryError[]> = this.ds.query(
      `SELECT d.updated_at AS at, d.conversion_id AS "conversionId", d.reason_code AS "reasonCode", d.message,
         d.http_status AS "httpStatus"
       ${scoped} AND d.status IN ('failed', 'retrying')
       ORDER BY d.updated_at DESC, d.conversion_id DESC LIMIT 1`,
      [accountId, snapPixelId, since],
    );
    const [[counts], errors] = await Promise.all([countsQuery, errorQuery]);
    const ms = counts.accepted_ms;
    return Object.assign(new PixelDeliveryStats(), {
      since,
      delivered: counts.delivered,
      failed: counts.failed,
      skipped: counts.skipped,
      retrying: counts.retrying,
      pending: counts.pending,
      lastError: errors[0] ? Object.assign(new PixelDeliveryError(), errors[0]) : null,
      acceptedP50Ms: ms?.[0] ?? null,
      acceptedP95Ms: ms?.[1] ?? null,
    });
  }
}

@Resolver(() => PixelRef)
export class PixelStatsResolver {
  constructor(private readonly service: PixelStatsService) {}

  @FieldResolver(() => PixelDeliveryStats, {
    nullable: true,
    description:
      'Delivery health of this pixel: counts by status, the last error, time from postback to Snapchat accepting. ' +
      `Conversions received since \`since\` (default: the last ${DELIVERY_STATS_DEFAULT_HOURS} hours); null for a ` +
      'pixel this service does not know (yet) for the caller',
  })
  async deliveryStats(
    @Root() pixel: PixelRef,
    @Ctx() ctx: SubgraphContext,
    @Arg('since', () => Date, { nullable: true }) since?: Date | null,
  ): Promise<PixelDeliveryStats | null> {
    const snapPixelId = await this.service.snapPixelId(ctx.accountId, pixel.id);
    if (!snapPixelId) return null;
    const from = since ?? new Date(Date.now() - DELIVERY_STATS_DEFAULT_HOURS * 3600_000);
    return this.service.stats(ctx.accountId, snapPixelId, from);
  }
}

/** __resolveReference for Pixel: only the key is needed here (deliveryStats scopes by the caller's account). */
export const pixelReference = {
  Pixel: { __resolveReference: (ref: { id: string }): PixelRef => Object.assign(new PixelRef(), { id: ref.id }) },
};
