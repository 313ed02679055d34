import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** Ledger states. `sending` is internal (claimed by one instance under a lease) and is published as `pending`. */
export type LedgerStatus = 'pending' | 'sending' | 'delivered' | 'skipped' | 'retrying' | 'failed';

/**
 * The delivery ledger: one row per (conversion, Snap pixel), unique, so a conversion reaches a pixel at most once
 * whatever Kafka redelivers, however often the service restarts and however many instances run.
 */
@Entity({ name: 'delivery' })
@Unique('delivery_conversion_pixel', ['conversionId', 'pixelId'])
@Index('delivery_active', ['accountId', 'pixelId', 'nextAttemptAt'], {
  where: `status IN ('pending','retrying','sending')`,
})
export class DeliveryRow {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Column({ name: 'conversion_id', type: 'uuid' })
  conversionId: string;

  /** Canonical (lower-case) Snap pixel id. */
  @Column({ name: 'pixel_id', type: 'text' })
  pixelId: string;

  @Column({ name: 'account_id', type: 'text' })
  accountId: string;

  @Column({ type: 'text' })
  status: LedgerStatus;

  /** Requests made for this row (claims that reached the send step). */
  @Column({ type: 'int', default: 0 })
  attempts: number;

  /** When the row is due (pending/retrying), or when its lease ends (sending). */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil: Date | null;

  @Column({ name: 'claim_id', type: 'uuid', nullable: true })
  claimId: string | null;

  /**
   * While `sending`: when the row's Snap request, once started, has certainly ended (now + request timeout + margin,
   * set right before it); NULL before the claim sends it. Another instance takes over a row whose claimer's lock is
   * gone only after this (or the lease) has passed.
   */
  @Column({ name: 'request_deadline', type: 'timestamptz', nullable: true })
  requestDeadline: Date | null;

  /** Instance number of the claimer; its advisory lock tells whether it is still alive. */
  @Column({ name: 'claimed_by', type: 'int', nullable: true })
  claimedBy: number | null;

  /**
   * Snap's event_id (docs/snap-capi.md "Event ID and deduplication"): final once `eventIdFixed` (at the first claim),
   * then reused on every attempt.
   */
  @Column({ name: 'event_id', type: 'text' })
  eventId: string;

  /** False until the sender first claims the row and decides the event_id with the pixel's event name. */
  @Column({ name: 'event_id_fixed', type: 'boolean', default: false })
  eventIdFixed: boolean;

  @Column({ name: 'event_name', type: 'text', nullable: true })
  eventName: string | null;

  @Column({ name: 'http_status', type: 'int', nullable: true })
  httpStatus: number | null;

  @Column({ name: 'reason_code', type: 'text', nullable: true })
  reasonCode: string | null;

  @Column({ type: 'text', nullable: true })
  message: string | null;

  @Column({ type: 'text', array: true })
  placements: string[];

  @Column({ name: 'test_mode', type: 'boolean', default: false })
  testMode: boolean;

  /** The delivery.command.v1 that (re)started this row: redeliver or backfill. */
  @Column({ name: 'command_id', type: 'text', nullable: true })
  commandId: string | null;

  /** Incremented with every published outcome; consumers keep the highest. */
  @Column({ type: 'int', default: 0 })
  revision: number;

  /** Start of the current retry cycle (creation or redeliver); RETRY_HORIZON_MS counts from here. */
  @Column({ name: 'cycle_started_at', type: 'timestamptz', default: () => 'now()' })
  cycleStartedAt: Date;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

/** Per access token (keyed by its SHA-256, never the token): Snap answered 429, so nobody sends with it until then. */
@Entity({ name: 'token_pause' })
export class TokenPauseRow {
  @Column({ name: 'token_key', type: 'text', primary: true })
  tokenKey: string;

  @Column({ name: 'paused_until', type: 'timestamptz' })
  pausedUntil: Date;
}
