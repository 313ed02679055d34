import type { GraphQLResolveInfo } from 'graphql';
import type { SubgraphContext } from '@snaptrack/util-federation';
import { servicesFor } from '../services';
import { OfferSourceType } from './offer-source.type';

export const offerSourceReference = {
  async __resolveReference(ref: { id: string }, ctx: SubgraphContext, info: GraphQLResolveInfo) {
    const row = await servicesFor(info).offerSources.find(ctx.accountId, ref.id);
    return row ? OfferSourceType.from(row) : null;
  },
};
