import { randomBytes } from 'node:crypto';
import { ConfigEntityV1, ContractViolation } from '@snaptrack/contracts-events';
import { createConsumer } from '@snaptrack/util-kafka';
import type { Logger } from '@snaptrack/util-logger';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { DeadLetters } from '../dead-letter';
import { type ConfigView, dataProblem } from './config-view';

/**
 * Feeds ConfigView from config.entity.v1. Every instance replays the compacted topic from the beginning with a
 * consumer group of its own (`<prefix>campaign-service.config-view.<random>`), so each instance holds the whole
 * view; the group is deleted again on stop.
 */
export class ConfigViewConsumer {
  readonly groupId: string;
  private consumer: Consumer | null = null;
  private caughtUp = false;
  private readonly pending = new Map<number, bigint>(); // partition → offset to reach
  private onCaughtUp: (() => void) | null = null;

  constructor(
    private readonly kafka: Kafka,
    readonly view: ConfigView,
    private readonly topic: string,
    prefix: string,
    private readonly deadLetters: DeadLetters,
    private readonly log: Logger,
  ) {
    this.groupId = `${prefix}campaign-service.config-view.${randomBytes(6).toString('hex')}`;
  }

  get isCaughtUp(): boolean {
    return this.caughtUp;
  }

  /** Subscribes and resolves once the view has replayed what the topic held at start (or after `catchUpMs`). */
  async start(catchUpMs: number): Promise<void> {
    for (const p of await this.endOffsets()) {
      const high = BigInt(p.high);
      if (high > BigInt(p.low)) this.pending.set(p.partition, high - 1n);
    }
    const reached = new Promise<void>((resolve) => {
      this.onCaughtUp = resolve;
    });
    this.checkCaughtUp();

    this.consumer = createConsumer(this.kafka, { groupId: this.groupId, maxWaitTimeInMs: 500 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) await this.handle(batch.partition, m);
        this.progress(batch.partition, BigInt(batch.lastOffset()));
      },
    });

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), catchUpMs);
    });
    const result = await Promise.race([reached, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout')
      this.log.warn('config view not caught up yet; going on with what it has', { entries: this.view.size });
    else this.log.info('config view caught up', { entries: this.view.size });
  }

  /** High/low watermarks per partition. Retried: right after topic creation the leader may not be known yet. */
  private async endOffsets(): Promise<Array<{ partition: number; high: string; low: string }>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          return await admin.fetchTopicOffsets(this.topic);
        } catch (e) {
          if (attempt >= 20 || !(e as { retriable?: boolean }).retriable) throw e;
          await new Promise((r) => setTimeout(r, Math.min(100 * attempt, 1000)));
        }
      }
    } finally {
      await admin.disconnect();
    }
  }

  private async handle(partition: number, m: KafkaMessage): Promise<void> {
    if (m.value === null) {
      if (m.key) this.view.forget(m.key.toString('utf8'));
      return;
    }
    let value: ConfigEntityV1.Value;
    try {
      value = ConfigEntityV1.contract.decode(m.value);
      const problem = dataProblem(value);
      if (problem) throw new ContractViolation('config.entity.v1', [problem]);
    } catch (e) {
      await this.deadLetters.park(
        { topic: this.topic, partition, offset: m.offset, key: m.key, value: m.value },
        (e as Error).message,
      );
      return;
    }
    this.view.apply(value);
  }

  private progress(partition: number, lastOffset: bigint): void {
    const target = this.pending.get(partition);
    if (target !== undefined && lastOffset >= target) {
      this.pending.delete(partition);
      this.checkCaughtUp();
    }
  }

  private checkCaughtUp(): void {
    if (!this.caughtUp && this.pending.size === 0) {
      this.caughtUp = true;
      this.onCaughtUp?.();
    }
  }

  async stop(): Promise<void> {
    if (!this.consumer) return;
    await this.consumer.disconnect();
    this.consumer = null;
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([this.groupId]);
    } catch (e) {
      this.log.debug('could not delete the config view consumer group', { err: e });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
