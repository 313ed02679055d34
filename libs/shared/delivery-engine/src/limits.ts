/** Small concurrency primitives for the sender (no I/O). */

/** Counting semaphore, FIFO. */
export class Semaphore {
  private waiting: Array<() => void> = [];
  private used = 0;

  constructor(private readonly size: number) {}

  async acquire(): Promise<void> {
    if (this.used < this.size) {
      this.used++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.used = Math.max(0, this.used - 1);
  }

  get inUse(): number {
    return this.used;
  }
}

/**
 * Token bucket: `ratePerSecond` requests per second with bursts up to the same number. `take()` resolves when the
 * caller may send. A rate of 0 means no limit.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = ratePerSecond;
    this.last = now();
  }

  take(): Promise<void> {
    if (this.ratePerSecond <= 0) return Promise.resolve();
    this.queued++;
    const turn = this.queue.then(() => this.wait()).finally(() => this.queued--);
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /**
   * How many `take()`s would be granted right now without waiting (whole tokens, less the takes already queued);
   * Infinity without a limit. Lets a caller make fewer, larger requests instead of queueing many behind the bucket.
   */
  available(): number {
    if (this.ratePerSecond <= 0) return Infinity;
    const refilled = Math.min(this.ratePerSecond, this.tokens + ((this.now() - this.last) / 1000) * this.ratePerSecond);
    return Math.max(0, Math.floor(refilled) - this.queued);
  }

  private async wait(): Promise<void> {
    for (;;) {
      const t = this.now();
      this.tokens = Math.min(this.ratePerSecond, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
      this.last = t;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      const ms = Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
      await new Promise((r) => setTimeout(r, ms));
    }
  }
}
