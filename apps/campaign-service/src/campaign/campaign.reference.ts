import type { SubgraphContext } from '@snaptrack/util-federation';
import type { CampaignService } from './campaign.service';

/** `_entities` for Campaign: the caller's own campaign, else null (another account's id resolves to nothing). */
export function campaignReference(campaigns: CampaignService) {
  return {
    Campaign: {
      __resolveReference: (ref: { id: string }, ctx: SubgraphContext) =>
        campaigns.findForReference(ctx.accountId, ref.id),
    },
  };
}
