import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { ConversionCreatedV1 } from '@snaptrack/contracts-events';

export type ConversionStatusValue = ConversionCreatedV1.ConversionStatus;
export type DuplicatePolicy = 'create' | 'ignore_same_click' | 'ignore_same_event_id';

/** A recorded conversion. Written once, with its conversion.created.v1 outbox row, in one transaction. */
@Entity({ name: 'conversion' })
export class Conversion {
  @PrimaryColumn({ name: 'id', type: 'uuid' }) id: string;
  @Column({ name: 'account_id', type: 'text' }) accountId: string;
  @Column({ name: 'event_id', type: 'text' }) eventId: string;
  @Column({ name: 'status', type: 'text' }) status: ConversionStatusValue;
  @Column({ name: 'conversion_type_id', type: 'text', nullable: true }) conversionTypeId: string | null;
  @Column({ name: 'type', type: 'text' }) type: string;
  @Column({ name: 'duplicate_policy', type: 'text' }) duplicatePolicy: DuplicatePolicy;
  /** Unique per account when set: `<type id>|click:<click id>` or `<type id>|event:<event/transaction id>`. */
  @Column({ name: 'dedup_key', type: 'text', nullable: true }) dedupKey: string | null;
  /** numeric(20,8) travels as a string through pg. */
  @Column({ name: 'payout', type: 'numeric', precision: 20, scale: 8, nullable: true }) payout: string | null;
  @Column({ name: 'currency', type: 'text', nullable: true }) currency: string | null;
  @Column({ name: 'transaction_id', type: 'text', nullable: true }) transactionId: string | null;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt: Date;
  @Column({ name: 'received_at', type: 'timestamptz' }) receivedAt: Date;
  /** The click id the postback named (kept even when no click was found). */
  @Column({ name: 'click_id', type: 'text', nullable: true }) clickId: string | null;
  @Column({ name: 'clicked_at', type: 'timestamptz', nullable: true }) clickedAt: Date | null;
  @Column({ name: 'campaign_id', type: 'text', nullable: true }) campaignId: string | null;
  @Column({ name: 'traffic_channel_id', type: 'text', nullable: true }) trafficChannelId: string | null;
  @Column({ name: 'traffic_channel_template', type: 'text', nullable: true }) trafficChannelTemplate: string | null;
  @Column({ name: 'offer_id', type: 'text', nullable: true }) offerId: string | null;
  @Column({ name: 'offer_source_id', type: 'text', nullable: true }) offerSourceId: string | null;
  /** Snap user_data key → lowercase hex SHA-256. Never raw values. */
  @Column({ name: 'user_data', type: 'jsonb' }) userData: Record<string, string>;
  /** Roles whose value arrived already hashed. */
  @Column({ name: 'prehashed', type: 'text', array: true }) prehashed: string[];
  @Column({ name: 'pending_id', type: 'uuid', nullable: true }) pendingId: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
