import type { GraphQLResolveInfo } from 'graphql';
import type { SubgraphContext } from '@snaptrack/util-federation';
import { servicesFor } from '../services';
import { OfferType } from './offer.type';

export const offerReference = {
  async __resolveReference(ref: { id: string }, ctx: SubgraphContext, info: GraphQLResolveInfo) {
    const row = await servicesFor(info).offers.find(ctx.accountId, ref.id);
    return row ? OfferType.from(row) : null;
  },
};
