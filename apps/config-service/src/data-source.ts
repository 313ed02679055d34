import 'reflect-metadata';
import { createDataSource } from '@snaptrack/util-db';
import { OutboxMessage } from '@snaptrack/data-access-outbox';
import { ConversionTypeEntity } from './conversion-type/conversion-type.entity';
import { OfferSourceEntity } from './offer-source/offer-source.entity';
import { OfferEntity } from './offer/offer.entity';
import { PixelEntity, PixelEventMappingEntity } from './pixel/pixel.entity';
import { TrackingDomainEntity } from './tracking-domain/tracking-domain.entity';
import { TrafficChannelEntity } from './traffic-channel/traffic-channel.entity';
import { migrations } from './migrations';

export const entities = [
  OutboxMessage,
  TrafficChannelEntity,
  ConversionTypeEntity,
  PixelEntity,
  PixelEventMappingEntity,
  OfferSourceEntity,
  OfferEntity,
  TrackingDomainEntity,
];

export function createConfigDataSource(url: string) {
  return createDataSource({ url, entities, migrations, applicationName: 'config-service' });
}
