import type { Consumer, Kafka } from 'kafkajs';
import type { Contract } from '@snaptrack/contracts-events';
import { type DeadLetter, type DeadLetters, createConsumer } from '@snaptrack/util-kafka';
import type { Logger } from '@snaptrack/util-logger';
import { SpanKind, contextFromHeaders, spanContextOf, withSpan, type Span } from '@snaptrack/util-observability';

export interface Decoded<T> {
  key: string | null;
  value: T;
  partition: number;
  offset: string;
}

export interface ViewConsumerOptions<T> {
  name: string;
  kafka: Kafka;
  groupId: string;
  topic: string;
  contract: Contract<T>;
  deadLetters: DeadLetters;
  log: Logger;
  /**
   * Applies the valid messages of one batch, idempotently (the batch is redelivered if this throws and after a
   * crash before the commit). The offsets are committed only after it returns.
   */
  apply(items: Decoded<T>[]): Promise<void>;
}

/**
 * One consumer group on one topic (clicks, delivery results; the config view has its own consumer in
 * @snaptrack/data-access-config-view), eachBatch: decode + validate every message, dead-letter the bad ones, apply the
 * good ones in one go, then commit. Starts from the earliest offset when the group is new (views are rebuilt by
 * replay).
 */
export class ViewConsumer<T> {
  private consumer: Consumer | null = null;
  /** Messages applied since start (tests and metrics). */
  applied = 0;
  deadLettered = 0;

  constructor(private readonly opts: ViewConsumerOptions<T>) {}

  async start(): Promise<void> {
    const { opts } = this;
    const consumer = createConsumer(opts.kafka, { groupId: opts.groupId }, opts.log);
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: opts.topic, fromBeginning: true });
    await consumer.run({
      autoCommitThreshold: 1,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
        if (!isRunning() || isStale() || !batch.messages.length) return;
        const good: Decoded<T>[] = [];
        const bad: DeadLetter[] = [];
        for (const message of batch.messages) {
          const key = message.key ? message.key.toString('utf8') : null;
          try {
            good.push({
              key,
              value: opts.contract.decode(message.value),
              partition: batch.partition,
              offset: message.offset,
            });
          } catch (e) {
            bad.push({ topic: batch.topic, partition: batch.partition, message, reason: (e as Error).message });
          }
        }
        if (bad.length) {
          opts.log.warn('dead-lettering undecodable messages', {
            consumer: opts.name,
            topic: batch.topic,
            partition: batch.partition,
            count: bad.length,
            offsets: bad.map((b) => b.message.offset),
          });
          await opts.deadLetters.parkAll(bad);
          this.deadLettered += bad.length;
        }
        if (good.length) {
          // One CONSUMER span per batch: a child of the first traced message, linked to every traced one.
          const traced = batch.messages.filter((m) => m.headers?.traceparent);
          const links = traced.map((m) => spanContextOf(m.headers)).filter((l) => l !== undefined);
          await withSpan(
            'conversion-service',
            `${opts.name} apply`,
            {
              kind: SpanKind.CONSUMER,
              parent: contextFromHeaders(traced[0]?.headers),
              links,
              attributes: { 'messaging.destination.name': batch.topic, 'messaging.batch.message_count': good.length },
            },
            (_span: Span) => opts.apply(good),
          );
        }
        this.applied += good.length;
        resolveOffset(batch.messages[batch.messages.length - 1].offset);
        await commitOffsetsIfNecessary();
        await heartbeat();
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer
      ?.disconnect()
      .catch((e) => this.opts.log.warn('consumer disconnect failed', { consumer: this.opts.name, err: e }));
    this.consumer = null;
  }
}
