import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A redeliver or backfill command this service wrote to delivery.command.v1 (through the outbox). */
@Entity({ name: 'delivery_command' })
export class DeliveryCommandRecord {
  @PrimaryColumn({ name: 'id', type: 'uuid' }) id: string;
  @Column({ name: 'account_id', type: 'text' }) accountId: string;
  @Column({ name: 'kind', type: 'text' }) kind: 'redeliver' | 'backfill';
  @Column({ name: 'conversion_count', type: 'integer', nullable: true }) conversionCount: number | null;
  @Column({ name: 'pixel_id', type: 'text', nullable: true }) pixelId: string | null;
  @Column({ name: 'pixel_config_id', type: 'text', nullable: true }) pixelConfigId: string | null;
  @Column({ name: 'since_days', type: 'integer', nullable: true }) sinceDays: number | null;
  @Column({ name: 'requested_at', type: 'timestamptz' }) requestedAt: Date;
}

/** Latest status per (command, conversion, destination, pixel) among delivery results that carried a command_id. */
@Entity({ name: 'delivery_command_result' })
export class DeliveryCommandResult {
  @PrimaryColumn({ name: 'command_id', type: 'text' }) commandId: string;
  @PrimaryColumn({ name: 'conversion_id', type: 'text' }) conversionId: string;
  @PrimaryColumn({ name: 'destination', type: 'text' }) destination: string;
  @PrimaryColumn({ name: 'pixel_id', type: 'text' }) pixelId: string;
  @Column({ name: 'status', type: 'text' }) status: string;
  @Column({ name: 'revision', type: 'bigint' }) revision: string;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
