import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { traceHeaders } from '@snaptrack/util-observability';

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

  /** Kafka headers to publish with (the writer's W3C `traceparent`); null when there were none. */
  @Column({ type: 'jsonb', nullable: true })
  headers: Record<string, string> | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  /** A row to save; it carries the active trace context (if any) to the Kafka message. */
  static for(topic: string, key: string, payload: unknown): Partial<OutboxMessage> {
    return { topic, key, payload, headers: OutboxMessage.traceHeaders(), sentAt: null };
  }

  /** The active trace context as headers for a row (null without a span), for rows written with SQL. */
  static traceHeaders(): Record<string, string> | null {
    const h = traceHeaders();
    return Object.keys(h).length ? h : null;
  }
}
