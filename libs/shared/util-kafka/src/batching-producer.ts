import type { Message, Producer } from 'kafkajs';

interface Pending {
  topic: string;
  message: Message;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * kafkajs has no producer-side linger: this collects concurrent sends for `lingerMs` (or until `maxBatch`)
 * and ships them in one sendBatch with acks=-1. Each caller's promise resolves only once the broker has
 * acknowledged its message, so a caller can answer its client knowing the record is durable.
 */
export class BatchingProducer {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight = new Set<Promise<void>>();

  constructor(
    private readonly producer: Producer,
    private readonly opts: { lingerMs?: number; maxBatch?: number; timeoutMs?: number } = {},
  ) {}

  send(topic: string, message: Message): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ topic, message, resolve, reject });
      if (this.queue.length >= (this.opts.maxBatch ?? 500)) this.flush();
      else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.opts.lingerMs ?? 2);
    });
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.queue;
    this.queue = [];
    if (!batch.length) return;
    const byTopic = new Map<string, Message[]>();
    for (const p of batch) {
      const list = byTopic.get(p.topic) ?? [];
      list.push(p.message);
      byTopic.set(p.topic, list);
    }
    const work = this.producer
      .sendBatch({
        acks: -1,
        timeout: this.opts.timeoutMs ?? 10000,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      })
      .then(
        () => batch.forEach((p) => p.resolve()),
        (e) => batch.forEach((p) => p.reject(e)),
      );
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** Sends whatever is queued and waits for every in-flight batch. */
  async drain(): Promise<void> {
    this.flush();
    await Promise.allSettled([...this.inFlight]);
  }
}
