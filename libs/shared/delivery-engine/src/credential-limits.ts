import { Semaphore, TokenBucket } from './limits';

export interface CredentialLimitOptions {
  /** Requests in flight per credential. */
  concurrencyPerCredential: number;
  /** Requests per second per credential (0 or null: no limit). */
  requestsPerSecond?: number | null;
  /**
   * Requests in flight over every credential (a process-wide cap), or null for none. Taken after the credential's
   * slot and before its rate-limit token, so it is held only by a request about to go: a caller that refreshes a
   * lease (and sets a request deadline) inside `run` never waits for this slot after doing so.
   */
  maxConcurrency?: number | null;
}

/**
 * Per-credential concurrency and rate limits, shared by every target that uses one credential (a network limits
 * its tokens, not our pixels), plus an optional global cap. Keys are `Destination.credentialKey` values: digests,
 * never the credential.
 */
export class CredentialLimits {
  private readonly byKey = new Map<string, { sem: Semaphore; bucket: TokenBucket | null; pausedUntil: number }>();
  private readonly global: Semaphore | null;

  constructor(
    private readonly opts: CredentialLimitOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.global = opts.maxConcurrency && opts.maxConcurrency > 0 ? new Semaphore(opts.maxConcurrency) : null;
  }

  private slot(key: string) {
    let s = this.byKey.get(key);
    if (!s) {
      const rate = this.opts.requestsPerSecond ?? null;
      s = {
        sem: new Semaphore(Math.max(1, this.opts.concurrencyPerCredential)),
        bucket: rate && rate > 0 ? new TokenBucket(rate) : null,
        pausedUntil: 0,
      };
      this.byKey.set(key, s);
    }
    return s;
  }

  /**
   * Runs `fn` holding one of the credential's request slots, a global slot, and a rate-limit token (no token is
   * spent while the credential is paused: nothing will be sent then).
   */
  async run<R>(key: string, fn: () => Promise<R>): Promise<R> {
    const s = this.slot(key);
    await s.sem.acquire();
    try {
      await this.global?.acquire();
      try {
        if (s.bucket && this.pausedFor(key) === 0) await s.bucket.take();
        return await fn();
      } finally {
        this.global?.release();
      }
    } finally {
      s.sem.release();
    }
  }

  /** After a 429: nothing is sent with this credential before `untilMs`. */
  pause(key: string, untilMs: number): void {
    const s = this.slot(key);
    s.pausedUntil = Math.max(s.pausedUntil, untilMs);
  }

  /** Milliseconds the credential is still paused (0 when it is not). */
  pausedFor(key: string): number {
    return Math.max(0, (this.byKey.get(key)?.pausedUntil ?? 0) - this.now());
  }

  /** How many credentials are paused right now (a count: metrics never name a credential). */
  pausedCount(): number {
    const t = this.now();
    let n = 0;
    for (const s of this.byKey.values()) if (s.pausedUntil > t) n++;
    return n;
  }

  /** Requests the credential's rate limit lets go right now without waiting (Infinity without a limit). */
  available(key: string): number {
    return this.slot(key).bucket?.available() ?? Infinity;
  }
}
