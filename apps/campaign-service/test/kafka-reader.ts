import { randomBytes } from 'node:crypto';
import { createConsumer, createKafka } from '@snaptrack/util-kafka';
import { createLogger } from '@snaptrack/util-logger';
import { KAFKA_BROKERS, waitFor } from '@snaptrack/util-testing';
import type { Consumer } from 'kafkajs';

export interface ReadMessage {
  key: string | null;
  value: string | null;
  partition: number;
  offset: string;
  headers: Record<string, string>;
}

/** Reads a topic from the beginning with a group of its own, collecting every message (test helper). */
export class TopicReader {
  readonly messages: ReadMessage[] = [];
  private readonly consumer: Consumer;
  private joined = false;

  constructor(private readonly topic: string) {
    this.consumer = createConsumer(
      createKafka({
        brokers: KAFKA_BROKERS,
        clientId: 'campaign-service-test-reader',
        logger: createLogger('test', 'error'),
      }),
      {
        groupId: `test-reader.${randomBytes(6).toString('hex')}`,
        maxWaitTimeInMs: 500,
      },
    );
  }

  async start(): Promise<void> {
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.joined = true;
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message, partition }) => {
        this.messages.push({
          key: message.key?.toString('utf8') ?? null,
          value: message.value?.toString('utf8') ?? null,
          partition,
          offset: message.offset,
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        });
      },
    });
    await waitFor(() => this.joined, { what: `reader joined ${this.topic}` });
  }

  /** Messages whose JSON value satisfies `pred`, once there are at least `n`. */
  async waitForJson<T = Record<string, unknown>>(
    n: number,
    pred: (v: T) => boolean = () => true,
    timeoutMs = 15000,
  ): Promise<T[]> {
    return waitFor(
      () => {
        const found = this.json<T>().filter(pred);
        return found.length >= n ? found : null;
      },
      { timeoutMs, what: `${n} message(s) on ${this.topic}` },
    );
  }

  json<T = Record<string, unknown>>(): T[] {
    return this.messages.filter((m) => m.value !== null).map((m) => JSON.parse(m.value as string) as T);
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}
