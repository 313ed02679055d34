import type { DataSource } from 'typeorm';
import { ListOrder, paginateKeyset, type PageArgs } from '@snaptrack/util-federation';
import { CampaignClickCount, Click } from './click.entity';
import type { ClickConnection, ClickType } from './click.type';

/** Read side of clicks (the click table is filled by ClickStore from click.recorded.v1). */
export class ClickService {
  constructor(private readonly ds: DataSource) {}

  async count(campaignId: string): Promise<number> {
    const row = await this.ds.getRepository(CampaignClickCount).findOne({ where: { campaignId } });
    return row ? Number(row.clicks) : 0;
  }

  /** Newest first by default, keyset-paginated on (clicked_at, click_id); totalCount from the click counter. */
  async list(campaignId: string, args: PageArgs): Promise<ClickConnection> {
    const qb = this.ds
      .getRepository(Click)
      .createQueryBuilder('k')
      .where('k.campaign_id = :campaignId', { campaignId });
    const page = await paginateKeyset(qb, args, {
      time: 'k.clicked_at',
      id: 'k.click_id',
      key: (k) => [k.clickedAt, k.clickId],
      defaultOrder: ListOrder.NEWEST_FIRST,
      count: () => this.count(campaignId),
    });
    return { nodes: page.nodes.map(toClickType), pageInfo: page.pageInfo, totalCount: await page.totalCount };
  }

  async findForReference(accountId: string, clickId: string): Promise<ClickType | null> {
    const row = await this.ds.getRepository(Click).findOne({ where: { clickId, accountId } });
    return row ? toClickType(row) : null;
  }
}

export function toClickType(c: Click): ClickType {
  return {
    id: c.clickId,
    campaignId: c.campaignId,
    trafficChannel: { id: c.trafficChannelId },
    offer: { id: c.offerId },
    trackingMethod: c.trackingMethod,
    scClickId: c.scClickId,
    ip: c.ip,
    userAgent: c.userAgent,
    referrer: c.referrer,
    landingUrl: c.landingUrl,
    params: Object.entries(c.params ?? {}).map(([name, value]) => ({ name, value })),
    clickedAt: c.clickedAt,
  };
}
