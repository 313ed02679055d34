import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Every conversion consumed from conversion.created.v1, kept so that retries, redeliveries and backfills can rebuild
 * the Snap event without the topic (whose retention is 14 days). Written once (first copy wins; copies are identical).
 */
@Entity({ name: 'conversion' })
export class ConversionRow {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'account_id', type: 'text' })
  accountId: string;

  @Column({ name: 'event_id', type: 'text' })
  eventId: string;

  @Column({ type: 'text' })
  status: string;

  @Column({ name: 'conversion_type_id', type: 'text', nullable: true })
  conversionTypeId: string | null;

  @Column({ name: 'traffic_channel_id', type: 'text', nullable: true })
  trafficChannelId: string | null;

  @Column({ name: 'offer_id', type: 'text', nullable: true })
  offerId: string | null;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  /** The conversion.created.v1 value as consumed (hashed identifiers only; never a token). */
  @Column({ type: 'jsonb' })
  payload: unknown;

  @Column({ name: 'consumed_at', type: 'timestamptz', default: () => 'now()' })
  consumedAt: Date;
}
