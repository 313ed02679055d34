import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One click as campaign-service recorded it (view of click.recorded.v1). Written only by the click consumer. */
@Entity({ name: 'click_view' })
export class ClickView {
  @PrimaryColumn({ name: 'click_id', type: 'text' }) clickId: string;
  @Column({ name: 'account_id', type: 'text' }) accountId: string;
  @Column({ name: 'campaign_id', type: 'text' }) campaignId: string;
  @Column({ name: 'traffic_channel_id', type: 'text' }) trafficChannelId: string;
  @Column({ name: 'traffic_channel_template', type: 'text' }) trafficChannelTemplate: string;
  @Column({ name: 'offer_id', type: 'text' }) offerId: string;
  @Column({ name: 'offer_source_id', type: 'text', nullable: true }) offerSourceId: string | null;
  @Column({ name: 'tracking_method', type: 'text' }) trackingMethod: string;
  @Column({ name: 'sc_click_id', type: 'text', nullable: true }) scClickId: string | null;
  /** Snapchat's `_scid` cookie recorded with the click (direct clicks through /track.js), sent raw as sc_cookie1. */
  @Column({ name: 'sc_cookie1', type: 'text', nullable: true }) scCookie1?: string | null;
  @Column({ name: 'ip', type: 'text', nullable: true }) ip: string | null;
  @Column({ name: 'user_agent', type: 'text', nullable: true }) userAgent: string | null;
  @Column({ name: 'referrer', type: 'text', nullable: true }) referrer: string | null;
  @Column({ name: 'landing_url', type: 'text', nullable: true }) landingUrl: string | null;
  @Column({ name: 'params', type: 'jsonb' }) params: Record<string, string>;
  @Column({ name: 'clicked_at', type: 'timestamptz' }) clickedAt: Date;
  @Column({ name: 'recorded_at', type: 'timestamptz' }) recordedAt: Date;
}
