import { Column, PrimaryColumn } from 'typeorm';

/**
 * The columns of one `click.recorded.v1` click, shared by the services that store clicks in their own database
 * (campaign-service's `click`, conversion-service's `click_view`). Abstract and without `@Entity`: each service's
 * entity extends it and names its own table (concrete-table inheritance), and adds its own columns and indexes.
 * Column names, types and nullability are those of the services' migrations; change them only with a migration in
 * every service that extends this class.
 */
export abstract class ClickColumns {
  @PrimaryColumn({ name: 'click_id', type: 'text' }) clickId: string;
  @Column({ name: 'account_id', type: 'text' }) accountId: string;
  @Column({ name: 'campaign_id', type: 'text' }) campaignId: string;
  @Column({ name: 'traffic_channel_id', type: 'text' }) trafficChannelId: string;
  @Column({ name: 'traffic_channel_template', type: 'text' }) trafficChannelTemplate: string;
  @Column({ name: 'offer_id', type: 'text' }) offerId: string;
  @Column({ name: 'offer_source_id', type: 'text', nullable: true }) offerSourceId: string | null;
  @Column({ name: 'tracking_method', type: 'text' }) trackingMethod: string;
  @Column({ name: 'sc_click_id', type: 'text', nullable: true }) scClickId: string | null;
  @Column({ name: 'ip', type: 'text', nullable: true }) ip: string | null;
  @Column({ name: 'user_agent', type: 'text', nullable: true }) userAgent: string | null;
  @Column({ name: 'referrer', type: 'text', nullable: true }) referrer: string | null;
  @Column({ name: 'landing_url', type: 'text', nullable: true }) landingUrl: string | null;
  @Column({ name: 'params', type: 'jsonb' }) params: Record<string, string>;
  @Column({ name: 'clicked_at', type: 'timestamptz' }) clickedAt: Date;
}
