import type { NonEmptyArray } from 'type-graphql';
import { ConversionResolver } from './conversion/conversion.resolver';
import { DeliveryCommandResolver } from './delivery/delivery.resolver';
import { PixelStatsResolver } from './delivery/pixel-stats';
import { ReportResolver } from './report/report.resolver';

/** Resolver classes of this subgraph; printing the SDL needs nothing else (no I/O). */
export const resolvers: NonEmptyArray<Function> = [
  ConversionResolver,
  DeliveryCommandResolver,
  ReportResolver,
  PixelStatsResolver,
];
/** Reference resolvers need the services; server.ts builds them with `conversionReference(service)`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const referenceResolvers: Record<string, Record<string, any>> = {};
