import { ClickColumns } from '@snaptrack/data-access-clicks';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A click as stored from our own `click.recorded.v1` topic (eventually consistent with the topic; the topic is the
 * source of truth). Written in bulk by ClickStore, read by the API.
 */
@Entity({ name: 'click' })
@Index('click_campaign_time', ['campaignId', 'clickedAt', 'clickId'])
export class Click extends ClickColumns {
  /** Narrows the shared column's type: campaign-service writes only these two values. */
  declare trackingMethod: 'redirect' | 'direct';
  @Column({ name: 'stored_at', type: 'timestamptz', default: () => 'now()' }) storedAt: Date;
}

/** Per-campaign click counter, maintained in the same transaction as the bulk insert (only for new rows). */
@Entity({ name: 'campaign_click_count' })
export class CampaignClickCount {
  @PrimaryColumn({ name: 'campaign_id', type: 'text' }) campaignId: string;
  @Column({ type: 'bigint' }) clicks: string;
}
