import type { Producer, ProducerBatch, RecordMetadata } from 'kafkajs';

/**
 * The outbox relay's producer. It connects on first use instead of at boot, so the service starts and keeps
 * accepting postbacks while Kafka is unreachable; a failed connect or send just fails the relay pass (the relay
 * rolls back and retries with its own backoff).
 */
export class LazyProducer {
  private connected = false;
  private connecting: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly producer: Producer) {
    producer.on(producer.events.DISCONNECT, () => {
      this.connected = false;
    });
  }

  private async ensureConnected(): Promise<void> {
    if (this.closed) throw new Error('producer closed');
    if (this.connected) return;
    this.connecting ??= this.producer.connect().then(
      () => {
        this.connected = true;
        this.connecting = null;
      },
      (e) => {
        this.connecting = null;
        throw e;
      },
    );
    await this.connecting;
  }

  async sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    await this.ensureConnected();
    return this.producer.sendBatch(batch);
  }

  /** What OutboxRelay needs of a kafkajs Producer (it only calls sendBatch). */
  asProducer(): Producer {
    return this as unknown as Producer;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connecting?.catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
  }
}
