import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A click as stored from our own `click.recorded.v1` topic (eventually consistent with the topic; the topic is the
 * source of truth). Written in bulk by ClickStore, read by the API.
 */
@Entity({ name: 'click' })
@Index('click_campaign_time', ['campaignId', 'clickedAt', 'clickId'])
export class Click {
  @PrimaryColumn({ name: 'click_id', type: 'text' }) clickId: string;
  @Column({ name: 'account_id', type: 'text' }) accountId: string;
  @Column({ name: 'campaign_id', type: 'text' }) campaignId: string;
  @Column({ name: 'traffic_channel_id', type: 'text' }) trafficChannelId: string;
  @Column({ name: 'traffic_channel_template', type: 'text' }) trafficChannelTemplate: string;
  @Column({ name: 'offer_id', type: 'text' }) offerId: string;
  @Column({ name: 'offer_source_id', type: 'text', nullable: true }) offerSourceId: string | null;
  @Column({ name: 'tracking_method', type: 'text' }) trackingMethod: 'redirect' | 'direct';
  @Column({ name: 'sc_click_id', type: 'text', nullable: true }) scClickId: string | null;
  @Column({ type: 'text', nullable: true }) ip: string | null;
  @Column({ name: 'user_agent', type: 'text', nullable: true }) userAgent: string | null;
  @Column({ type: 'text', nullable: true }) referrer: string | null;
  @Column({ name: 'landing_url', type: 'text', nullable: true }) landingUrl: string | null;
  @Column({ type: 'jsonb' }) params: Record<string, string>;
  @Column({ name: 'clicked_at', type: 'timestamptz' }) clickedAt: Date;
  @Column({ name: 'stored_at', type: 'timestamptz', default: () => 'now()' }) storedAt: Date;
}

/** Per-campaign click counter, maintained in the same transaction as the bulk insert (only for new rows). */
@Entity({ name: 'campaign_click_count' })
export class CampaignClickCount {
  @PrimaryColumn({ name: 'campaign_id', type: 'text' }) campaignId: string;
  @Column({ type: 'bigint' }) clicks: string;
}
