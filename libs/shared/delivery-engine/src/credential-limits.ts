import { Semaphore, TokenBucket } from './limits';

/**
 * Per-credential concurrency and rate limits, shared by every target that uses one credential (a network limits
 * its tokens, not our pixels). Keys are `Destination.credentialKey` values: digests, never the credential.
 */
export class CredentialLimits {
  private readonly byKey = new Map<string, { sem: Semaphore; bucket: TokenBucket | null; pausedUntil: number }>();

  constructor(
    private readonly opts: { concurrencyPerCredential: number; requestsPerSecond?: number | null },
    private readonly now: () => number = Date.now,
  ) {}

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

  /** Runs `fn` holding one of the credential's request slots (and a rate-limit token). */
  async run<R>(key: string, fn: () => Promise<R>): Promise<R> {
    const s = this.slot(key);
    await s.sem.acquire();
    try {
      if (s.bucket) await s.bucket.take();
      return await fn();
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
}
