import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * pending: waiting for its click. orphaned: (rows stored before postback secrets only) the wait timed out and no
 * account could be told, so no conversion could be stored; still attributed if its click arrives before the row
 * expires. attributed / unattributed / duplicate / rejected: resolved (conversion_id and reason say how).
 */
export type PendingState = 'pending' | 'orphaned' | 'attributed' | 'unattributed' | 'duplicate' | 'rejected';

/** A postback that arrived before its click. Customer data is stored hashed only. */
@Entity({ name: 'pending_postback' })
export class PendingPostback {
  @PrimaryColumn({ name: 'id', type: 'uuid' }) id: string;
  @Column({ name: 'click_id', type: 'text' }) clickId: string;
  @Column({ name: 'account_id', type: 'text', nullable: true }) accountId: string | null;
  @Column({ name: 'host', type: 'text', nullable: true }) host: string | null;
  @Column({ name: 'state', type: 'text' }) state: PendingState;
  @Column({ name: 'type', type: 'text', nullable: true }) type: string | null;
  @Column({ name: 'payout', type: 'numeric', precision: 20, scale: 8, nullable: true }) payout: string | null;
  @Column({ name: 'currency', type: 'text', nullable: true }) currency: string | null;
  @Column({ name: 'explicit_event_id', type: 'text', nullable: true }) explicitEventId: string | null;
  @Column({ name: 'transaction_id', type: 'text', nullable: true }) transactionId: string | null;
  /** sha256 of the postback secret, checked against the offer source once the click is known. */
  @Column({ name: 'token_sha256', type: 'text', nullable: true }) tokenSha256: string | null;
  /** The offer source the secret belongs to (it decided account_id). */
  @Column({ name: 'offer_source_id', type: 'text', nullable: true }) offerSourceId: string | null;
  /** Idempotency key of the request (see requestKey); an exact replay finds this row. */
  @Column({ name: 'request_key', type: 'text', nullable: true }) requestKey: string | null;
  @Column({ name: 'user_data', type: 'jsonb' }) userData: Record<string, string>;
  @Column({ name: 'prehashed', type: 'text', array: true }) prehashed: string[];
  @Column({ name: 'received_at', type: 'timestamptz' }) receivedAt: Date;
  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true }) resolvedAt: Date | null;
  @Column({ name: 'reason', type: 'text', nullable: true }) reason: string | null;
  @Column({ name: 'conversion_id', type: 'uuid', nullable: true }) conversionId: string | null;
}
