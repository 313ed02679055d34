import type { SubgraphContext } from '@snaptrack/util-federation';
import type { ConversionService } from './conversion.service';
import { ConversionType } from './conversion.type';

/** __resolveReference for Conversion: scoped to the caller's account (another account's id resolves to null). */
export function conversionReference(conversions: ConversionService) {
  return {
    Conversion: {
      __resolveReference: async (ref: { id: string }, ctx: SubgraphContext): Promise<ConversionType | null> => {
        const c = await conversions.byId(ctx.accountId, ref.id);
        return c ? ConversionType.from(c) : null;
      },
    },
  };
}
