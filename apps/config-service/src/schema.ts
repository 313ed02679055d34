import type { NonEmptyArray } from 'type-graphql';
import { ConversionTypeResolver } from './conversion-type/conversion-type.resolver';
import { conversionTypeReference } from './conversion-type/conversion-type.reference';
import { OfferSourceResolver } from './offer-source/offer-source.resolver';
import { offerSourceReference } from './offer-source/offer-source.reference';
import { OfferResolver } from './offer/offer.resolver';
import { offerReference } from './offer/offer.reference';
import { PixelEventMappingResolver, PixelResolver } from './pixel/pixel.resolver';
import { pixelReference } from './pixel/pixel.reference';
import { TemplateResolver } from './template/template.resolver';
import { TrackingDomainResolver } from './tracking-domain/tracking-domain.resolver';
import { trackingDomainReference } from './tracking-domain/tracking-domain.reference';
import { TrafficChannelResolver } from './traffic-channel/traffic-channel.resolver';
import { trafficChannelReference } from './traffic-channel/traffic-channel.reference';

/** Resolver classes of this subgraph; printing the SDL needs nothing else (no I/O). */

export const resolvers: NonEmptyArray<Function> = [
  TemplateResolver,
  TrafficChannelResolver,
  ConversionTypeResolver,
  PixelResolver,
  PixelEventMappingResolver,
  OfferSourceResolver,
  OfferResolver,
  TrackingDomainResolver,
];

/**
 * Federation `__resolveReference` per entity, each scoped to the caller's account (another account's id → null).
 * They reach the services through the executing schema (see services.ts), so importing this module does no I/O.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const referenceResolvers: Record<string, Record<string, any>> = {
  TrafficChannel: trafficChannelReference,
  ConversionType: conversionTypeReference,
  Pixel: pixelReference,
  OfferSource: offerSourceReference,
  Offer: offerReference,
  TrackingDomain: trackingDomainReference,
};
