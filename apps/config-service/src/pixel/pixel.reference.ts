import type { GraphQLResolveInfo } from 'graphql';
import type { SubgraphContext } from '@snaptrack/util-federation';
import { servicesFor } from '../services';
import { PixelType } from './pixel.type';

export const pixelReference = {
  async __resolveReference(ref: { id: string }, ctx: SubgraphContext, info: GraphQLResolveInfo) {
    const row = await servicesFor(info).pixels.find(ctx.accountId, ref.id);
    return row ? PixelType.from(row) : null;
  },
};
