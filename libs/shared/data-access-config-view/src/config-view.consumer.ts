import { ConfigEntityV1, ContractViolation } from '@snaptrack/contracts-events';
import { createConsumer, type DeadLetter, type DeadLetters } from '@snaptrack/util-kafka';
import type { Logger } from '@snaptrack/util-logger';
import type { Consumer, ConsumerConfig, Kafka } from 'kafkajs';
import { applyRecords } from './apply';
import type { ConfigChange, ConfigRecord, ConfigViewStore } from './config-view.types';

export interface ConfigViewConsumerOptions {
  kafka: Kafka;
  /** The (prefixed) config.entity.v1 topic. */
  topic: string;
  /**
   * The consumer group. A durable store keeps one group per service (its committed offsets resume the replay); an
   * in-memory store gives each instance a group of its own and sets `deleteGroupOnStop`.
   */
  groupId: string;
  store: ConfigViewStore;
  deadLetters: DeadLetters;
  log: Logger;
  /** Entity types this view keeps (default: all); other records are skipped, never stored. */
  keep?: ReadonlySet<ConfigEntityV1.EntityType>;
  /** Checks beyond the contract (the data shapes a service relies on): a reason parks the message as a dead letter. */
  check?(value: ConfigEntityV1.Value): string | null;
  /**
   * Runs after each batch's changes are stored and before its offsets are committed (it is run again if the batch is
   * redelivered, with the changes the store still accepts): app reactions such as re-targeting or cache invalidation.
   */
  onApplied?(changes: ConfigChange[]): Promise<void> | void;
  /** Runs around each batch's store write (e.g. a cache that must be bypassed while a write is in flight). */
  around?<T>(write: () => Promise<T>): Promise<T>;
  deleteGroupOnStop?: boolean;
  /** Group timing and fetch wait (default: maxWaitTimeInMs 500, the rest util-kafka's defaults). */
  consumerConfig?: Pick<ConsumerConfig, 'sessionTimeout' | 'heartbeatInterval' | 'maxWaitTimeInMs'>;
  /** Partitions handled at the same time (default 1). */
  partitionsConsumedConcurrently?: number;
  /** A batch is applied in chunks of this many records, each followed by a heartbeat (default 500). */
  chunkSize?: number;
}

/**
 * Feeds a config view from config.entity.v1, like a Kafka Streams KTable: replays from the beginning (a new group
 * starts at the earliest offset), applies each batch with {@link applyRecords}, parks undecodable or invalid records
 * on dead-letter.v1, and commits a batch's offsets only after it is stored. It is ready once it has consumed up to the
 * end offsets the topic had at start (partitions the group had already committed that far count as done).
 */
export class ConfigViewConsumer {
  private consumer: Consumer | null = null;
  private ready = false;
  private readonly pending = new Map<number, bigint>(); // partition → last offset to reach
  private readonly waiters: Array<() => void> = [];
  /** Records stored (changes accepted) and records parked since start. */
  applied = 0;
  deadLettered = 0;

  constructor(private readonly opts: ConfigViewConsumerOptions) {}

  get groupId(): string {
    return this.opts.groupId;
  }

  /** True once the view has caught up with the end offsets read at start. */
  get isReady(): boolean {
    return this.ready;
  }

  /** Partitions not yet consumed up to their end offset at start. */
  get behind(): number {
    return this.pending.size;
  }

  /**
   * Reads the end offsets, subscribes and starts consuming; resolves once the consumer has joined its group and runs
   * (see {@link whenReady} for the catch-up). With `waitForJoin: false` it resolves once subscribed (joining can take
   * up to a session timeout after a crash); {@link running} then says when the consumer runs.
   */
  async start(opts: { waitForJoin?: boolean } = {}): Promise<void> {
    await this.readTargets();
    this.checkReady();
    const consumer = createConsumer(
      this.opts.kafka,
      {
        maxWaitTimeInMs: 500,
        ...this.opts.consumerConfig,
        groupId: this.opts.groupId,
      },
      this.opts.log,
    );
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.opts.topic, fromBeginning: true });
    this.running = this.run(consumer);
    if (opts.waitForJoin === false)
      this.running.catch((e) => this.opts.log.error('config view consumer failed', { err: e }));
    else await this.running;
  }

  /** Resolves once the consumer has joined its group and runs (after {@link start}). */
  running: Promise<void> = Promise.resolve();

  private run(consumer: Consumer): Promise<void> {
    const chunkSize = this.opts.chunkSize ?? 500;
    return consumer.run({
      autoCommitThreshold: 1,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently ?? 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
        for (let i = 0; i < batch.messages.length; i += chunkSize) {
          if (!isRunning() || isStale()) return;
          const chunk = batch.messages.slice(i, i + chunkSize);
          await this.handle(batch.topic, batch.partition, chunk);
          resolveOffset(chunk[chunk.length - 1].offset);
          await commitOffsetsIfNecessary();
          await heartbeat();
        }
        this.progress(batch.partition, BigInt(batch.lastOffset()));
      },
    });
  }

  /** Resolves true once ready, or false after `timeoutMs` (the view then serves what it has). */
  async whenReady(timeoutMs: number): Promise<boolean> {
    if (this.ready) return true;
    let timer: NodeJS.Timeout | undefined;
    const reached = new Promise<boolean>((resolve) => this.waiters.push(() => resolve(true)));
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([reached, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async handle(
    topic: string,
    partition: number,
    messages: Array<{ key: Buffer | null; value: Buffer | null; offset: string }>,
  ): Promise<void> {
    const { opts } = this;
    const records: ConfigRecord[] = [];
    const bad: DeadLetter[] = [];
    for (const message of messages) {
      const key = message.key ? message.key.toString('utf8') : null;
      if (message.value === null) {
        if (key) records.push({ key, value: null, partition, offset: message.offset });
        else bad.push({ topic, partition, message, reason: 'tombstone without a key' });
        continue;
      }
      try {
        const value = ConfigEntityV1.contract.decode(message.value);
        if (opts.keep && !opts.keep.has(value.entity_type)) continue;
        const problem = opts.check?.(value) ?? null;
        if (problem) throw new ContractViolation('config.entity.v1', [problem]);
        records.push({ key: ConfigEntityV1.keyOf(value), value, partition, offset: message.offset });
      } catch (e) {
        bad.push({ topic, partition, message, reason: (e as Error).message });
      }
    }
    if (bad.length) {
      await opts.deadLetters.parkAll(bad);
      this.deadLettered += bad.length;
    }
    if (opts.keep) {
      // Tombstones of kept types only (the key names the type).
      for (let i = records.length - 1; i >= 0; i--) {
        const r = records[i];
        if (r.value === null && !opts.keep.has(r.key.split(':')[0] as ConfigEntityV1.EntityType)) records.splice(i, 1);
      }
    }
    const write = () => applyRecords(opts.store, records);
    const changes = opts.around ? await opts.around(write) : await write();
    this.applied += changes.length;
    if (changes.length && opts.onApplied) await opts.onApplied(changes);
  }

  /** End offsets at start, less what the group has already committed. Retried: a new topic may have no leader yet. */
  private async readTargets(): Promise<void> {
    const admin = this.opts.kafka.admin();
    await admin.connect();
    try {
      const ends = await retried(() => admin.fetchTopicOffsets(this.opts.topic));
      const committed = await retried(() =>
        admin.fetchOffsets({ groupId: this.opts.groupId, topics: [this.opts.topic] }),
      );
      const done = new Map<number, bigint>();
      for (const t of committed) {
        for (const p of t.partitions) if (BigInt(p.offset) >= 0n) done.set(p.partition, BigInt(p.offset));
      }
      for (const p of ends) {
        const high = BigInt(p.high);
        if (high <= BigInt(p.low)) continue;
        if ((done.get(p.partition) ?? -1n) >= high) continue;
        this.pending.set(p.partition, high - 1n);
      }
    } finally {
      await admin.disconnect();
    }
  }

  private progress(partition: number, lastOffset: bigint): void {
    const target = this.pending.get(partition);
    if (target !== undefined && lastOffset >= target) {
      this.pending.delete(partition);
      this.checkReady();
    }
  }

  private checkReady(): void {
    if (this.ready || this.pending.size) return;
    this.ready = true;
    for (const w of this.waiters.splice(0)) w();
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = null;
    if (!consumer) return;
    await consumer.disconnect().catch((e) => this.opts.log.warn('config view consumer disconnect failed', { err: e }));
    if (!this.opts.deleteGroupOnStop) return;
    const admin = this.opts.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([this.opts.groupId]);
    } catch (e) {
      this.opts.log.debug('could not delete the config view consumer group', { err: e });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

async function retried<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= 20 || !(e as { retriable?: boolean }).retriable) throw e;
      await new Promise((r) => setTimeout(r, Math.min(100 * attempt, 1000)));
    }
  }
}
