import type { Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { NO_BITMAP_SCAN } from '@snaptrack/util-db';
import type { Logger } from '@snaptrack/util-logger';

export interface OutboxRelayOptions {
  batchSize?: number;
  /** Poll interval when idle; `wake()` publishes sooner. */
  intervalMs?: number;
  /**
   * Sent rows are deleted after this long (default 24 h). 0: a row is deleted in the transaction that published it,
   * instead of being marked sent and deleted later (one write less per message, for a busy outbox nobody reads).
   */
  retentionMs?: number;
  /**
   * Opt-in coalescing of `wake()` for busy writers: a pass starts at most this many ms after a wake (wakes in
   * between share it), and a wake that arrives during a pass starts another pass this long after it ends, so rows
   * committed during a pass never wait for the idle interval; while Kafka is failing, wakes do not cut the back-off
   * short. Unset: every wake starts a pass at once, and a wake during a pass is dropped (the next wake or the idle
   * poll picks the rows up).
   */
  wakeDelayMs?: number;
  /**
   * Longest wait between two tries while Kafka is failing (default 5 s). The back-off doubles from 250 ms up to this,
   * so a broker that comes back is used within this long, not after a long exponential wait.
   */
  maxBackoffMs?: number;
}

/**
 * Claims unsent rows (FOR UPDATE SKIP LOCKED, so several instances can run), produces them with acks=-1 and a
 * `message-id` header, and marks them sent in the same transaction. If Kafka is down the transaction rolls back
 * and the rows wait: delivery is at least once, never lost.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private timerDueAt = 0;
  private wokenDuringPass = false;
  private running = false;
  private stopped = true;
  private current: Promise<void> = Promise.resolve();
  private failures = 0;
  private lastCleanup = 0;
  published = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly producer: Producer,
    private readonly log: Logger,
    private readonly opts: OutboxRelayOptions = {},
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Ask for a publish pass soon (after a commit that wrote outbox rows). */
  wake(): void {
    const delay = this.opts.wakeDelayMs;
    if (delay === undefined) {
      if (!this.stopped && !this.running) this.schedule(0);
      return;
    }
    if (this.stopped) return;
    if (this.running) {
      this.wokenDuringPass = true;
      return;
    }
    // backing off, or due soon enough
    if (this.timer && (this.failures > 0 || this.timerDueAt <= Date.now() + delay)) return;
    this.schedule(delay);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.current.catch(() => undefined);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDueAt = Date.now() + ms;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.current = this.tick();
    }, ms);
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    let next = this.opts.intervalMs ?? 500;
    try {
      const n = await this.publishBatch();
      this.failures = 0;
      if (n === (this.opts.batchSize ?? 500)) next = 0;
      await this.cleanup();
    } catch (e) {
      this.failures++;
      next = Math.min(this.opts.maxBackoffMs ?? 5000, 250 * 2 ** Math.min(this.failures, 7));
      this.log.warn('outbox publish failed; will retry', { err: e, retryInMs: next, failures: this.failures });
    } finally {
      this.running = false;
    }
    if (this.wokenDuringPass) {
      this.wokenDuringPass = false;
      if (this.failures === 0) next = Math.min(next, this.opts.wakeDelayMs ?? 0);
    }
    this.schedule(next);
  }

  /** One pass; returns how many rows were published. Exposed for tests and drain(). */
  async publishBatch(): Promise<number> {
    return this.ds.transaction(async (tx) => {
      // A plain index scan of the unsent rows marks the entries of published ones dead (see NO_BITMAP_SCAN).
      await tx.query(NO_BITMAP_SCAN);
      const rows: Array<{
        id: string;
        topic: string;
        key: string;
        /** The stored JSON as text: published as it is, never parsed and serialised again. */
        payload: string;
        headers: Record<string, string> | null;
      }> = await tx.query(
        `SELECT id, topic, key, payload::text AS payload, headers FROM outbox_message WHERE sent_at IS NULL ` +
          `ORDER BY id LIMIT $1 ` +
          `FOR UPDATE SKIP LOCKED`,
        [this.opts.batchSize ?? 500],
      );
      if (!rows.length) return 0;
      const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
      for (const r of rows) {
        const list = byTopic.get(r.topic) ?? [];
        const headers = { ...r.headers, 'message-id': String(r.id) };
        list.push({ key: r.key, value: r.payload, headers });
        byTopic.set(r.topic, list);
      }
      await this.producer.sendBatch({
        acks: -1,
        timeout: 10000,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      const ids = rows.map((r) => r.id);
      if (this.opts.retentionMs === 0) await tx.query(`DELETE FROM outbox_message WHERE id = ANY($1::bigint[])`, [ids]);
      else await tx.query(`UPDATE outbox_message SET sent_at = now() WHERE id = ANY($1::bigint[])`, [ids]);
      this.published += rows.length;
      return rows.length;
    });
  }

  /** Publishes until nothing is pending (tests, shutdown). */
  async drain(maxPasses = 100): Promise<void> {
    for (let i = 0; i < maxPasses; i++) if ((await this.publishBatch()) === 0) return;
  }

  /**
   * The service's stop: one last publish pass for what the last requests wrote, at most `maxMs` (with Kafka away the
   * stop must not run into the SIGKILL), then `stop()`. Whatever cannot go out now stays for the next start.
   */
  async publishLastAndStop(maxMs = 3000): Promise<void> {
    await Promise.race([this.publishBatch().catch(() => 0), new Promise((r) => setTimeout(r, maxMs).unref())]);
    await this.stop();
  }

  /** Unsent rows and the age of the oldest (metrics: util-observability `observeOutbox`). */
  async stats(): Promise<{ pending: number; oldestAgeSeconds: number }> {
    const [r] = await this.ds.query(
      `SELECT count(*)::int AS n, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS age
         FROM outbox_message WHERE sent_at IS NULL`,
    );
    return { pending: r.n, oldestAgeSeconds: Math.max(0, r.age) };
  }

  async pending(): Promise<number> {
    const [{ n }] = await this.ds.query(`SELECT count(*)::int AS n FROM outbox_message WHERE sent_at IS NULL`);
    return n;
  }

  private async cleanup(): Promise<void> {
    const now = Date.now();
    if (now - this.lastCleanup < 60000) return;
    this.lastCleanup = now;
    const retention = this.opts.retentionMs ?? 24 * 3600 * 1000;
    await this.ds.query(
      `DELETE FROM outbox_message WHERE sent_at IS NOT NULL AND sent_at < now() - ($1::int * interval '1 millisecond')`,
      [retention],
    );
  }
}
