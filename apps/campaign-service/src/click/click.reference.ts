import type { SubgraphContext } from '@snaptrack/util-federation';
import type { ClickService } from './click.service';

/** `_entities` for Click (by click id), scoped to the caller's account. */
export function clickReference(clicks: ClickService) {
  return {
    Click: {
      __resolveReference: (ref: { id: string }, ctx: SubgraphContext) => clicks.findForReference(ctx.accountId, ref.id),
    },
  };
}
