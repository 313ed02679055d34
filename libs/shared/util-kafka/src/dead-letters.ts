import { DeadLetterV1, TOPICS, topicName } from '@snaptrack/contracts-events';
import type { Logger } from '@snaptrack/util-logger';
import type { KafkaMessage, Producer } from 'kafkajs';

/** One message a consumer cannot use, with where it came from and why. */
export interface DeadLetter {
  topic: string;
  partition: number;
  message: Pick<KafkaMessage, 'key' | 'value' | 'offset'>;
  reason: string;
}

/** The reason is cut to this many characters. */
export const DEAD_LETTER_REASON_CAP = 2000;
/** The original value travels as text, cut to this many characters. */
export const DEAD_LETTER_VALUE_CAP = 100_000;

/**
 * Parks messages a consumer cannot use on dead-letter.v1 (key: the original key), so the consumer can go on. Every
 * consumer of every service uses this one class; `consumer` names it in each record (e.g. `conversion-service.config`).
 */
export class DeadLetters {
  private readonly topic: string;
  /** Messages parked since start (tests and metrics). */
  count = 0;

  constructor(
    private readonly producer: Producer,
    prefix: string,
    private readonly consumer: string,
    private readonly log: Logger,
  ) {
    this.topic = topicName(prefix, TOPICS.deadLetterV1);
  }

  /** Parks one message; resolves once every in-sync replica has it (before the caller commits its offset). */
  async park(letter: DeadLetter): Promise<void> {
    await this.parkAll([letter]);
  }

  /** Parks several messages in one request (acks from all in-sync replicas). */
  async parkAll(letters: DeadLetter[]): Promise<void> {
    if (!letters.length) return;
    const now = new Date().toISOString();
    const values = letters.map(({ topic, partition, message, reason }) => {
      const value: DeadLetterV1.Value = {
        schema: 'dead-letter.v1',
        consumer: this.consumer,
        source_topic: topic,
        source_partition: partition,
        source_offset: message.offset,
        reason: reason.slice(0, DEAD_LETTER_REASON_CAP),
        original_value: message.value ? message.value.toString('utf8').slice(0, DEAD_LETTER_VALUE_CAP) : null,
        failed_at: now,
      };
      return { key: DeadLetterV1.keyOf(value, message.key), value: DeadLetterV1.contract.encode(value) };
    });
    await this.producer.send({ topic: this.topic, acks: -1, messages: values });
    this.count += letters.length;
    for (const { topic, partition, message, reason } of letters) {
      this.log.warn('message parked on the dead-letter topic', {
        consumer: this.consumer,
        source_topic: topic,
        partition,
        offset: message.offset,
        reason: reason.slice(0, DEAD_LETTER_REASON_CAP),
      });
    }
  }
}
