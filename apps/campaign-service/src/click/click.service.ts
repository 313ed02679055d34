import type { DataSource } from 'typeorm';
import { clampFirst, decodeCursor, encodeCursor } from '@snaptrack/util-federation';
import { CampaignClickCount, Click } from './click.entity';
import type { ClickConnection, ClickType } from './click.type';

/** Read side of clicks (the click table is filled by ClickStore from click.recorded.v1). */
export class ClickService {
  constructor(private readonly ds: DataSource) {}

  async count(campaignId: string): Promise<number> {
    const row = await this.ds.getRepository(CampaignClickCount).findOne({ where: { campaignId } });
    return row ? Number(row.clicks) : 0;
  }

  /** Newest first, keyset-paginated on (clicked_at, click_id). */
  async list(campaignId: string, args: { first?: number | null; after?: string | null }): Promise<ClickConnection> {
    const first = clampFirst(args.first);
    const cursor = decodeCursor(args.after);
    const qb = this.ds
      .getRepository(Click)
      .createQueryBuilder('k')
      .where('k.campaign_id = :campaignId', { campaignId });
    if (cursor) qb.andWhere('(k.clicked_at, k.click_id) < (:ts, :cid)', { ts: cursor.createdAt, cid: cursor.id });
    const [rows, totalCount] = await Promise.all([
      qb
        .orderBy('k.clicked_at', 'DESC')
        .addOrderBy('k.click_id', 'DESC')
        .limit(first + 1)
        .getMany(),
      this.count(campaignId),
    ]);
    const nodes = rows.slice(0, first);
    const last = nodes[nodes.length - 1];
    return {
      nodes: nodes.map(toClickType),
      pageInfo: {
        endCursor: last ? encodeCursor(last.clickedAt, last.clickId) : null,
        hasNextPage: rows.length > first,
      },
      totalCount,
    };
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
