import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type TrackingMethodValue = 'REDIRECT' | 'DIRECT';
export type CampaignStatusValue = 'ACTIVE' | 'PAUSED';

export interface CampaignOfferRow {
  offer_id: string;
  weight: number;
}

/** One tracking campaign. Soft-deleted rows keep their key reserved and answer 404 on the tracking host. */
@Entity({ name: 'campaign' })
@Index('campaign_account_created', ['accountId', 'createdAt', 'id'])
@Index('campaign_updated', ['updatedAt'])
export class Campaign {
  @PrimaryColumn({ type: 'uuid' }) id: string;
  @Column({ name: 'account_id', type: 'text' }) accountId: string;
  /** Public, unguessable short key used in tracking links (`/<key>`, `cmpid=<key>`). */
  @Index('campaign_key_unique', { unique: true })
  @Column({ type: 'text' })
  key: string;
  @Column({ type: 'text' }) name: string;
  @Column({ name: 'traffic_channel_id', type: 'text' }) trafficChannelId: string;
  @Column({ type: 'jsonb' }) offers: CampaignOfferRow[];
  @Column({ name: 'tracking_domain', type: 'text', nullable: true }) trackingDomain: string | null;
  @Column({ name: 'tracking_method', type: 'text' }) trackingMethod: TrackingMethodValue;
  @Column({ name: 'landing_page_url', type: 'text', nullable: true }) landingPageUrl: string | null;
  @Column({ name: 'fallback_url', type: 'text', nullable: true }) fallbackUrl: string | null;
  @Column({ type: 'text' }) status: CampaignStatusValue;
  @Column({ type: 'int' }) version: number;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true }) deletedAt: Date | null;
}
