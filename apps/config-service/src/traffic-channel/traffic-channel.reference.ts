import type { GraphQLResolveInfo } from 'graphql';
import type { SubgraphContext } from '@snaptrack/util-federation';
import { servicesFor } from '../services';
import { TrafficChannelType } from './traffic-channel.type';

export const trafficChannelReference = {
  async __resolveReference(ref: { id: string }, ctx: SubgraphContext, info: GraphQLResolveInfo) {
    const row = await servicesFor(info).channels.find(ctx.accountId, ref.id);
    return row ? TrafficChannelType.from(row) : null;
  },
};
