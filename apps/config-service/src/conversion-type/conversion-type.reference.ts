import type { GraphQLResolveInfo } from 'graphql';
import type { SubgraphContext } from '@snaptrack/util-federation';
import { servicesFor } from '../services';
import { ConversionTypeType } from './conversion-type.type';

export const conversionTypeReference = {
  /** Scoped to the caller's account: another account's id resolves to null. */
  async __resolveReference(ref: { id: string }, ctx: SubgraphContext, info: GraphQLResolveInfo) {
    const row = await servicesFor(info).conversionTypes.find(ctx.accountId, ref.id);
    return row ? ConversionTypeType.from(row) : null;
  },
};
