import { In, type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';
import type { ConfigEntityV1 } from '@snaptrack/contracts-events';
import type { UnitOfWork } from '../common/transaction';
import { ConversionTypeEntity } from '../conversion-type/conversion-type.entity';
import { OfferSourceEntity } from '../offer-source/offer-source.entity';
import { OfferEntity } from '../offer/offer.entity';
import { PixelEntity, PixelEventMappingEntity } from '../pixel/pixel.entity';
import { TrackingDomainEntity } from '../tracking-domain/tracking-domain.entity';
import { TrafficChannelEntity } from '../traffic-channel/traffic-channel.entity';
import {
  conversionTypeEvent,
  offerEvent,
  offerSourceEvent,
  pixelEvent,
  trackingDomainEvent,
  trafficChannelEvent,
} from './config-entity.mapper';

interface Kind<E extends ObjectLiteral & { id: string }> {
  type: ConfigEntityV1.EntityType;
  entity: EntityTarget<E>;
  events(tx: EntityManager, rows: E[]): Promise<ConfigEntityV1.Value[]>;
}
const kind = <E extends ObjectLiteral & { id: string }>(k: Kind<E>) =>
  k as unknown as Kind<ObjectLiteral & { id: string }>;

/** Referenced entities before the ones that point at them (a consumer may look a reference up as it applies). */
const KINDS = [
  kind<TrackingDomainEntity>({
    type: 'tracking_domain',
    entity: TrackingDomainEntity,
    events: async (_tx, rows) => rows.map(trackingDomainEvent),
  }),
  kind<TrafficChannelEntity>({
    type: 'traffic_channel',
    entity: TrafficChannelEntity,
    events: async (_tx, rows) => rows.map(trafficChannelEvent),
  }),
  kind<ConversionTypeEntity>({
    type: 'conversion_type',
    entity: ConversionTypeEntity,
    events: async (_tx, rows) => rows.map(conversionTypeEvent),
  }),
  kind<OfferSourceEntity>({
    type: 'offer_source',
    entity: OfferSourceEntity,
    events: async (_tx, rows) => rows.map(offerSourceEvent),
  }),
  kind<OfferEntity>({ type: 'offer', entity: OfferEntity, events: async (_tx, rows) => rows.map(offerEvent) }),
  kind<PixelEntity>({
    type: 'pixel',
    entity: PixelEntity,
    events: async (tx, rows) => {
      const mappings = rows.length
        ? await tx.find(PixelEventMappingEntity, { where: { placementId: In(rows.map((r) => r.id)) } })
        : [];
      return rows.map((p) =>
        pixelEvent(
          p,
          mappings.filter((m) => m.placementId === p.id),
        ),
      );
    },
  }),
];

export type RepublishCounts = Record<ConfigEntityV1.EntityType, number>;

/**
 * Writes the current state of every configuration entity to the outbox again, so the relay republishes it on
 * config.entity.v1 with the version it has now: a lost or wiped topic is rebuilt, and a consumer that already holds
 * that version keeps what it has. Rows are read in pages (by id) under a share lock, so a concurrent change of a row
 * commits its own outbox row either before the republished one or after it, never out of order. Deleted entities are
 * gone from the database (hard deletes), so there are no tombstones to republish: on a wiped topic they simply do not
 * reappear.
 */
export async function republishConfig(
  uow: UnitOfWork,
  opts: { batchSize?: number; onProgress?: (type: ConfigEntityV1.EntityType, total: number) => void } = {},
): Promise<RepublishCounts> {
  const batchSize = opts.batchSize ?? 500;
  const counts = {} as RepublishCounts;
  for (const k of KINDS) {
    counts[k.type] = 0;
    let after = '';
    for (;;) {
      const n = await uow.run(async (tx, publish) => {
        const qb = tx.createQueryBuilder(k.entity, 'e').orderBy('e.id', 'ASC').limit(batchSize);
        if (after) qb.where('e.id > :after', { after });
        const rows = await qb.setLock('pessimistic_read').getMany();
        for (const value of await k.events(tx, rows)) await publish(value);
        if (rows.length) after = rows[rows.length - 1].id;
        return rows.length;
      });
      counts[k.type] += n;
      if (n < batchSize) break;
    }
    opts.onProgress?.(k.type, counts[k.type]);
  }
  return counts;
}
