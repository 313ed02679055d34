import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Latest delivery.result.v1 per (conversion, destination, pixel): the highest revision wins. */
@Entity({ name: 'delivery' })
export class Delivery {
  @PrimaryColumn({ name: 'conversion_id', type: 'text' }) conversionId: string;
  @PrimaryColumn({ name: 'destination', type: 'text' }) destination: string;
  @PrimaryColumn({ name: 'pixel_id', type: 'text' }) pixelId: string;
  @Column({ name: 'account_id', type: 'text' }) accountId: string;
  @Column({ name: 'status', type: 'text' }) status: string;
  @Column({ name: 'reason_code', type: 'text', nullable: true }) reasonCode: string | null;
  @Column({ name: 'message', type: 'text', nullable: true }) message: string | null;
  @Column({ name: 'attempts', type: 'integer' }) attempts: number;
  @Column({ name: 'http_status', type: 'integer', nullable: true }) httpStatus: number | null;
  @Column({ name: 'event_name', type: 'text', nullable: true }) eventName: string | null;
  @Column({ name: 'event_id', type: 'text', nullable: true }) eventId: string | null;
  @Column({ name: 'test_mode', type: 'boolean' }) testMode: boolean;
  @Column({ name: 'placements', type: 'text', array: true }) placements: string[];
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true }) nextAttemptAt: Date | null;
  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true }) deliveredAt: Date | null;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  @Column({ name: 'revision', type: 'bigint' }) revision: string;
  @Column({ name: 'command_id', type: 'text', nullable: true }) commandId: string | null;
}
