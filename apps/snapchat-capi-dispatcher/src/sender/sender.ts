import { randomUUID } from 'node:crypto';
import { CredentialLimits, type RetryPolicy } from '@snaptrack/delivery-engine';
import type { ClaimedRow } from '../delivery/delivery.service';
import { SnapchatDestination } from '../snap-capi/destination';
import type { Claim, SendContext, SenderDeps, SenderStats } from './context';
import { deliverGroup } from './deliver-group';
import { markDurably } from './mark';
import { resolveClaim } from './resolve';
import { TokenCache } from './tokens';

export { REQUEST_DEADLINE_MARGIN_MS, type SenderDeps } from './context';
export { leaseDeadline } from './mark';
export { tokenAad } from './tokens';

/**
 * The sender loop: finds pixels with due deliveries, claims their rows (FOR UPDATE SKIP LOCKED, under a lease),
 * resolves each row's pixel settings and token, and hands each (pixel, token, endpoint) group to the delivery engine
 * (`deliverBatch` with the Snapchat destination: validation, chunking, bisection, per-token and global concurrency,
 * per-token rate limit, 401/429 fan-out); deliver-group.ts keeps the ledger in step. One slow or failing pixel never
 * holds up another: each pixel has its own worker, and retries wait in the database (next_attempt_at).
 */
export class Sender {
  private timer: NodeJS.Timeout | null = null;
  private nextAt = Infinity;
  private current: Promise<void> = Promise.resolve();
  private running = false;
  private again = false;
  private stopped = true;
  private stoppedAt = 0;
  private readonly busy = new Set<string>();
  private readonly workers = new Set<Promise<void>>();
  private lastCleanup = 0;
  private waitingForLock = false;
  /** Claims whose transaction failed without a clear answer: handed back (unsent) as soon as the database answers. */
  private readonly abandoned = new Set<string>();
  private readonly ctx: SendContext;
  /** Counters for tests and operators. */
  readonly stats: SenderStats = { requests: 0, eventsSent: 0, delivered: 0, failed: 0, retried: 0 };

  constructor(private readonly deps: SenderDeps) {
    const { config } = deps;
    const policy: RetryPolicy = {
      baseMs: config.retryBaseMs,
      maxDelayMs: config.retryMaxDelayMs,
      horizonMs: config.retryHorizonMs,
    };
    this.ctx = {
      deps,
      dest: new SnapchatDestination(deps.client, {
        integration: config.integrationName,
        maxRequestBytes: config.maxBodyBytes,
        maxEventsPerRequest: config.maxEventsPerRequest,
      }),
      limits: new CredentialLimits({
        concurrencyPerCredential: config.maxConcurrencyPerToken,
        requestsPerSecond: config.rateLimitPerToken,
        maxConcurrency: config.maxConcurrency,
      }),
      policy,
      tokens: new TokenCache(deps.cipher),
      stats: this.stats,
      stoppedAt: () => (this.stopped ? this.stoppedAt : 0),
      schedule: (ms) => this.schedule(ms),
    };
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** New rows were written: look soon, after a short linger so a burst becomes one request. */
  wake(): void {
    if (this.stopped) return;
    this.schedule(this.deps.config.lingerMs);
  }

  /** Stops claiming; waits for in-flight requests to be answered and marked. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stoppedAt = Date.now();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.current.catch(() => undefined);
    await Promise.allSettled([...this.workers]);
  }

  /** Tokens paused after a 429 right now (a count: metrics never name a token). */
  get pausedTokens(): number {
    return this.ctx.limits.pausedCount();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    const at = Date.now() + ms;
    if (this.timer && this.nextAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.nextAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.nextAt = Infinity;
      void this.tick();
    }, ms);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.again = false;
    this.current = this.pass();
    await this.current;
    this.running = false;
    this.schedule(this.again ? 0 : this.deps.config.senderPollMs);
  }

  private async pass(): Promise<void> {
    const { service, lock, log, config } = this.deps;
    try {
      // Claims made without the instance lock would look abandoned to every other instance (and be sent by them).
      if (!lock.held) {
        if (!this.waitingForLock)
          log.warn('sender paused: the instance lock is not held (database connection lost); waiting for it');
        this.waitingForLock = true;
        return;
      }
      this.waitingForLock = false;
      for (const claimId of [...this.abandoned]) {
        await service.releaseClaim(claimId);
        this.abandoned.delete(claimId);
      }
      // 429 pauses other instances recorded: this instance's engine honours them too.
      for (const [key, until] of await service.activePauses()) this.ctx.limits.pause(key, until);
      if (Date.now() - this.lastCleanup > 60_000) {
        this.lastCleanup = Date.now();
        await service.cleanupPauses();
      }
      const due = await service.duePixels();
      for (const p of due) {
        if (this.stopped || this.workers.size >= config.maxConcurrency * 2) break;
        const key = `${p.account_id}|${p.pixel_id}`;
        if (this.busy.has(key)) continue;
        this.busy.add(key);
        const w: Promise<void> = this.runPixel(p.account_id, p.pixel_id).finally(() => {
          this.busy.delete(key);
          this.workers.delete(w);
          this.wake();
        });
        this.workers.add(w);
      }
    } catch (e) {
      log.warn('sender pass failed; will retry', { err: e });
    }
  }

  /**
   * A few claims, then the worker ends and the next pass picks pixels again by how long their work has waited, so a
   * pixel with a constant stream never keeps a worker slot from the others.
   */
  private async runPixel(accountId: string, pixelId: string): Promise<void> {
    const { service, config, lock, log } = this.deps;
    const limit = config.maxEventsPerRequest * config.maxConcurrencyPerToken;
    for (let round = 0; round < 3 && !this.stopped && lock.held; round++) {
      const claimId = randomUUID();
      const claimedAt = Date.now();
      let rows: ClaimedRow[];
      try {
        ({ rows } = await service.claim(accountId, pixelId, limit, lock.instanceNo, config.sendLeaseMs, claimId));
      } catch (e) {
        // The claim may have committed without us hearing it: its rows were not sent, so hand them back at once
        // (or as soon as the database answers) instead of letting them wait for their lease.
        log.warn('claim failed; handing its rows back', { err: e, account_id: accountId, pixel_id: pixelId });
        await service.releaseClaim(claimId).catch(() => this.abandoned.add(claimId));
        return;
      }
      if (!rows.length) return;
      const claim: Claim = {
        id: claimId,
        rows,
        full: rows.length >= limit,
        sent: new Set(),
        leaseUntil: new Map(rows.map((r) => [String(r.id), claimedAt + config.sendLeaseMs])),
      };
      try {
        await this.process(claim, accountId, pixelId);
      } catch (e) {
        // Rows that never were part of a request go back now; the others (their answer is unknown or could not be
        // recorded) stay `sending` until their lease ends, then are sent again with the same event_id.
        log.error('sender worker failed', { err: e, account_id: accountId, pixel_id: pixelId });
        const unsent = rows.filter((r) => !claim.sent.has(String(r.id))).map((r) => r.id);
        await service.release(claimId, unsent, new Date()).catch(() => undefined);
        return;
      }
    }
  }

  private async process(claim: Claim, accountId: string, pixelId: string): Promise<void> {
    const { configView } = this.deps;
    const offerIds = claim.rows.flatMap((r) =>
      r.conversion?.attribution?.offer_id ? [r.conversion.attribution.offer_id] : [],
    );
    const { immediate, groups } = resolveClaim(claim.rows, {
      accountId,
      pixelId,
      pixels: await configView.pixelsFor([accountId]),
      offers: await configView.offers([...new Set(offerIds)]),
      tokens: this.ctx.tokens,
      credentialKey: (token) => this.ctx.dest.credentialKey(token),
    });
    if (immediate.length) {
      this.stats.failed += immediate.filter((o) => o.status === 'failed').length;
      await markDurably(this.ctx, claim, immediate);
    }
    // Every request is answered and marked before this returns, even when one of them fails.
    const results = await Promise.allSettled(groups.map((g) => deliverGroup(this.ctx, claim, g)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
