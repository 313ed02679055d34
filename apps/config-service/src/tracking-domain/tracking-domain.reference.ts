import type { GraphQLResolveInfo } from 'graphql';
import type { SubgraphContext } from '@snaptrack/util-federation';
import { servicesFor } from '../services';
import { TrackingDomainType } from './tracking-domain.type';

export const trackingDomainReference = {
  async __resolveReference(ref: { id: string }, ctx: SubgraphContext, info: GraphQLResolveInfo) {
    const row = await servicesFor(info).trackingDomains.find(ctx.accountId, ref.id);
    return row ? TrackingDomainType.from(row) : null;
  },
};
