import { DeadLetterV1, TOPICS, topicName } from '@snaptrack/contracts-events';
import type { Logger } from '@snaptrack/util-logger';
import type { Producer } from 'kafkajs';

/** Parks messages a consumer cannot use on dead-letter.v1 (with the reason), so the consumer can go on. */
export class DeadLetters {
  private readonly topic: string;
  constructor(
    private readonly producer: Producer,
    prefix: string,
    private readonly consumer: string,
    private readonly log: Logger,
  ) {
    this.topic = topicName(prefix, TOPICS.deadLetterV1);
  }

  async park(
    source: { topic: string; partition: number; offset: string; key: Buffer | null; value: Buffer | null },
    reason: string,
  ): Promise<void> {
    const value: DeadLetterV1.Value = {
      schema: 'dead-letter.v1',
      consumer: this.consumer,
      source_topic: source.topic,
      source_partition: source.partition,
      source_offset: source.offset,
      reason: reason.slice(0, 2000),
      original_value: source.value ? source.value.toString('utf8') : null,
      failed_at: new Date().toISOString(),
    };
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: [{ key: source.key, value: DeadLetterV1.contract.encode(value) }],
    });
    this.log.warn('message parked on the dead-letter topic', {
      sourceTopic: source.topic,
      partition: source.partition,
      offset: source.offset,
      reason: value.reason,
    });
  }
}
