import type { Message, Producer } from 'kafkajs';

interface Pending {
  topic: string;
  message: Message;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export interface BatchingProducerOptions {
  /** How long an idle producer waits for more sends before shipping the first one (ms). Default 2. */
  lingerMs?: number;
  /** Most records in one sendBatch. Default 500. */
  maxBatch?: number;
  /** The broker-side timeout of each sendBatch (ms). Default 10 000. */
  timeoutMs?: number;
  /**
   * Most sendBatch requests in flight at once. While that many are in flight, new sends wait and go out together as
   * soon as one is acknowledged, so under load batches grow instead of requests multiplying (kafkajs and the broker pay
   * mostly per request: encoding a 3-record request costs the client about as much as a 12-record one). Default 1.
   */
  maxInFlight?: number;
}

/**
 * kafkajs has no producer-side linger: this collects concurrent sends for `lingerMs` (or until `maxBatch`)
 * and ships them in one sendBatch with acks=-1, with at most `maxInFlight` batches outstanding. Each caller's promise
 * resolves only once the broker has acknowledged its message, so a caller can answer its client knowing the record is
 * durable.
 */
export class BatchingProducer {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight = new Set<Promise<void>>();
  private readonly lingerMs: number;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly producer: Producer,
    private readonly opts: BatchingProducerOptions = {},
  ) {
    this.lingerMs = opts.lingerMs ?? 2;
    this.maxBatch = Math.max(1, opts.maxBatch ?? 500);
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 1);
  }

  send(topic: string, message: Message): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ topic, message, resolve, reject });
      if (this.inFlight.size >= this.maxInFlight) return; // shipped when an in-flight batch completes
      if (this.queue.length >= this.maxBatch) this.flush();
      else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.lingerMs);
    });
  }

  /** Ships queued records, `maxBatch` at a time, while fewer than `maxInFlight` batches are outstanding. */
  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.queue.length && this.inFlight.size < this.maxInFlight) this.ship(this.queue.splice(0, this.maxBatch));
  }

  private ship(batch: Pending[]): void {
    const byTopic = new Map<string, Message[]>();
    for (const p of batch) {
      const list = byTopic.get(p.topic);
      if (list) list.push(p.message);
      else byTopic.set(p.topic, [p.message]);
    }
    const work = this.producer
      .sendBatch({
        acks: -1,
        timeout: this.opts.timeoutMs ?? 10000,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      })
      .then(
        () => {
          for (const p of batch) p.resolve();
        },
        (e) => {
          for (const p of batch) p.reject(e);
        },
      );
    this.inFlight.add(work);
    void work.finally(() => {
      this.inFlight.delete(work);
      // What queued up meanwhile goes out at once: it has already waited at least as long as a linger.
      if (this.queue.length) this.flush();
    });
  }

  /** Sends whatever is queued and waits until every batch is acknowledged (or failed). */
  async drain(): Promise<void> {
    this.flush();
    while (this.inFlight.size || this.queue.length) {
      await Promise.allSettled([...this.inFlight]);
      this.flush();
    }
  }
}
