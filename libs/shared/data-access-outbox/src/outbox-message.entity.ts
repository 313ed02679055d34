import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A message to publish, written in the same transaction as the state change it announces. */
@Entity({ name: 'outbox_message' })
export class OutboxMessage {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Column({ type: 'text' })
  topic: string;

  @Column({ type: 'text' })
  key: string;

  @Column({ type: 'jsonb' })
  payload: unknown;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  static for(topic: string, key: string, payload: unknown): Partial<OutboxMessage> {
    return { topic, key, payload, sentAt: null };
  }
}
