import type { GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import type { ConversionTypeService } from './conversion-type/conversion-type.service';
import type { OfferSourceService } from './offer-source/offer-source.service';
import type { OfferService } from './offer/offer.service';
import type { PixelService } from './pixel/pixel.service';
import type { TrackingDomainService } from './tracking-domain/tracking-domain.service';
import type { TrafficChannelService } from './traffic-channel/traffic-channel.service';

export interface ConfigServices {
  channels: TrafficChannelService;
  conversionTypes: ConversionTypeService;
  pixels: PixelService;
  offerSources: OfferSourceService;
  offers: OfferService;
  trackingDomains: TrackingDomainService;
}

/**
 * Federation reference resolvers are plain functions outside type-graphql's container; they find the services of
 * the server that built the executing schema here (no module-level singleton, so two servers in one process work).
 */
const bySchema = new WeakMap<GraphQLSchema, ConfigServices>();

export function bindServices(schema: GraphQLSchema, services: ConfigServices): void {
  bySchema.set(schema, services);
}

export function servicesFor(info: GraphQLResolveInfo): ConfigServices {
  const s = bySchema.get(info.schema);
  if (!s) throw new Error('config-service: no services bound to this schema');
  return s;
}
