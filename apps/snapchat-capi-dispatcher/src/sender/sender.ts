import { CredentialLimits, DeliveryScheduler, type RetryPolicy } from '@snaptrack/delivery-engine';
import type { ClaimedRow } from '../delivery/delivery.service';
import { SnapchatDestination } from '../snap-capi/destination';
import {
  FRESH_CLAIM_MS,
  requestDeadlineMs,
  type Claim,
  type SendContext,
  type SenderDeps,
  type SenderStats,
} from './context';
import { deliverGroup } from './deliver-group';
import { markDurably } from './mark';
import { resolveClaim } from './resolve';
import { TokenCache } from './tokens';

export { REQUEST_DEADLINE_MARGIN_MS, type SenderDeps } from './context';
export { leaseDeadline } from './mark';
export { tokenAad } from './tokens';

/**
 * The dispatcher's sender: the engine's DeliveryScheduler (due pixels, one worker per pixel, claims under a lease)
 * delivers each claim here: every row is resolved against the current configuration (pixel settings, token), and
 * each (pixel, token, endpoint) group goes to the engine's `deliverBatch` with the Snapchat destination
 * (deliver-group.ts keeps the ledger in step). One slow or failing pixel never holds up another, and retries wait in
 * the database (next_attempt_at).
 */
export class Sender {
  private readonly ctx: SendContext;
  private readonly scheduler: DeliveryScheduler<ClaimedRow>;
  /** Counters for tests and operators. */
  readonly stats: SenderStats = { requests: 0, eventsSent: 0, delivered: 0, failed: 0, retried: 0 };

  constructor(private readonly deps: SenderDeps) {
    const { config, service, lock, log } = deps;
    const policy: RetryPolicy = {
      baseMs: config.retryBaseMs,
      maxDelayMs: config.retryMaxDelayMs,
      horizonMs: config.retryHorizonMs,
    };
    const limits = new CredentialLimits({
      concurrencyPerCredential: config.maxConcurrencyPerToken,
      requestsPerSecond: config.rateLimitPerToken,
      maxConcurrency: config.maxConcurrency,
    });
    // Calls go through `service` as it is at call time (a test may wrap one of its methods).
    this.scheduler = new DeliveryScheduler<ClaimedRow>({
      ledger: {
        dueTargets: async () => (await service.duePixels()).map((p) => ({ scope: p.account_id, target: p.pixel_id })),
        claim: (...args) => service.claim(...args),
        release: (...args) => service.release(...args),
        releaseClaim: (claimId) => service.releaseClaim(claimId),
        activePauses: () => service.activePauses(),
        cleanupPauses: () => service.cleanupPauses(),
      },
      limits,
      lock,
      log,
      maxWorkers: config.maxConcurrency * 2,
      // A full claim is one full request; while it is sent the pixel's next claim is taken (two in flight, as many
      // rows held as the former single claim of two requests, so a backlog's drain does not hold more memory).
      claimLimit: config.maxEventsPerRequest,
      fullClaimRows: config.maxEventsPerRequest,
      claimsInFlight: Math.max(1, config.maxConcurrencyPerToken),
      leaseMs: config.sendLeaseMs,
      // A claim is one request, usually sent at once: the claim sets its request_deadline (no refresh write).
      freshClaim: { windowMs: FRESH_CLAIM_MS, requestDeadlineMs: requestDeadlineMs(config) },
      pollMs: config.senderPollMs,
      lingerMs: config.lingerMs,
      deliver: (claim, t) => this.deliver(claim, t.scope, t.target),
    });
    this.ctx = {
      deps,
      dest: new SnapchatDestination(deps.client, {
        integration: config.integrationName,
        maxRequestBytes: config.maxBodyBytes,
        maxEventsPerRequest: config.maxEventsPerRequest,
      }),
      limits,
      policy,
      tokens: new TokenCache(deps.cipher),
      stats: this.stats,
      stoppedAt: () => this.scheduler.stoppedAt(),
      schedule: (ms) => this.scheduler.schedule(ms),
    };
  }

  start(): void {
    this.scheduler.start();
  }

  /** New rows were written: look soon, after a short linger so a burst becomes one request. */
  wake(): void {
    this.scheduler.wake();
  }

  /** Stops claiming; waits for in-flight requests to be answered and marked. */
  stop(): Promise<void> {
    return this.scheduler.stop();
  }

  /** Tokens paused after a 429 right now (a count: metrics never name a token). */
  get pausedTokens(): number {
    return this.ctx.limits.pausedCount();
  }

  private async deliver(claim: Claim, accountId: string, pixelId: string): Promise<void> {
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
