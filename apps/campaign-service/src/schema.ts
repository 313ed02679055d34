import type { NonEmptyArray } from 'type-graphql';
import { CampaignResolver } from './campaign/campaign.resolver';

/**
 * Resolver classes of this subgraph; printing the SDL needs nothing else (no I/O). Reference resolvers
 * (`__resolveReference` for Campaign and Click) need services and are added in server.ts.
 */

export const resolvers: NonEmptyArray<Function> = [CampaignResolver];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const referenceResolvers: Record<string, Record<string, any>> = {};
