export interface TokenBucketOptions {
  /** Tokens added per second; 0 disables the limiter (every request passes). */
  ratePerSecond: number;
  /** Bucket size: how many requests may come at once after a quiet period. */
  burst: number;
  /** Upper bound on tracked buckets; past it, the least recently used bucket is dropped. */
  maxBuckets?: number;
  /** How often (ms) idle buckets are swept; an idle bucket is one that has refilled completely. */
  sweepEveryMs?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * In-memory token buckets keyed by a string (API key id, account id, client IP). Memory is bounded: a bucket that
 * has refilled completely is the same as no bucket and is swept; past `maxBuckets`, the least recently used bucket
 * is dropped (which forgets that caller's debt — a memory bound, not a security boundary).
 * Per process: N gateway instances allow N times the configured rate.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly maxBuckets: number;
  private readonly sweepEveryMs: number;
  private lastSweep: number;

  constructor(private readonly opts: TokenBucketOptions) {
    this.now = opts.now ?? Date.now;
    this.maxBuckets = opts.maxBuckets ?? 50_000;
    this.sweepEveryMs = opts.sweepEveryMs ?? 30_000;
    this.lastSweep = this.now();
  }

  get enabled(): boolean {
    return this.opts.ratePerSecond > 0 && this.opts.burst > 0;
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Whole seconds until one token is available (0 = a request may pass now). Does not consume. */
  wait(id: string): number {
    if (!this.enabled) return 0;
    const b = this.buckets.get(id);
    if (!b) return 0;
    const tokens = this.refilled(b, this.now());
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / this.opts.ratePerSecond));
  }

  /** Consumes one token (the bucket may go empty, never negative). */
  take(id: string): void {
    if (!this.enabled) return;
    const now = this.now();
    this.maybeSweep(now);
    const b = this.buckets.get(id);
    const tokens = b ? this.refilled(b, now) : this.opts.burst;
    if (b) this.buckets.delete(id); // re-insert: Map order is least recently used first
    this.buckets.set(id, { tokens: Math.max(0, tokens - 1), at: now });
    while (this.buckets.size > this.maxBuckets) {
      const oldest = this.buckets.keys().next().value as string;
      this.buckets.delete(oldest);
    }
  }

  /** Consumes one token if there is one and returns 0; otherwise returns the seconds to wait. */
  tryTake(id: string): number {
    const wait = this.wait(id);
    if (wait === 0) this.take(id);
    return wait;
  }

  private refilled(b: Bucket, now: number): number {
    return Math.min(this.opts.burst, b.tokens + (Math.max(0, now - b.at) / 1000) * this.opts.ratePerSecond);
  }

  private maybeSweep(now: number): void {
    if (now - this.lastSweep < this.sweepEveryMs) return;
    this.lastSweep = now;
    for (const [id, b] of this.buckets) {
      if (this.refilled(b, now) >= this.opts.burst) this.buckets.delete(id);
    }
  }
}
