import { createHash, randomUUID } from 'node:crypto';
import { ConfigEntityV1 } from '@snaptrack/contracts-events';
import { type AppError, InvalidAuthenticationError, RateLimitedError, toAppError } from '@snaptrack/util-errors';
import type { TokenCipher } from '@snaptrack/util-crypto';
import type { Logger } from '@snaptrack/util-logger';
import {
  SpanKind,
  contextFromHeaders,
  spanContextOf,
  withSpan,
  type ServiceMetrics,
} from '@snaptrack/util-observability';
import type { ConfigViewService, OfferInfo } from '../config-view/config-view.service';
import type { DispatcherConfig } from '../config';
import { conversionRef, type ClaimedRow, type DeliveryService, type Outcome } from '../delivery/delivery.service';
import { PayloadTooLargeError, SnapRejectedError, type SnapCapiClient, type SnapEventLog } from '../snap-capi/client';
import { toSnapEvent, type SnapEvent } from '../snap-capi/mapping';
import { SnapEventInvalid, assertValidPixelId, assertValidSnapEvent } from '../snap-capi/validate';
import { placementNote, targetsFor, type PixelPlacement, type PlacementKind } from '../targets';
import { SNAP_MAX_EVENT_AGE_SECONDS } from '../snap-capi/versioning-info';
import {
  TEST_MODE_NOTE,
  authFailureMessage,
  conversionMissingMessage,
  horizonMessage,
  joinNotes,
  missingTokenMessage,
  notMappedMessage,
  pixelRemovedMessage,
  tokenUnreadableMessage,
  tooOldMessage,
} from '../snap-capi/messages';
import { chunkForRequests, requestBody, requestSizeWithin, type Sized } from './batching';
import { Semaphore, TokenBucket, backoffDelay, planRetry, type RetryPolicy } from '@snaptrack/delivery-engine';

/**
 * The sender loop: finds pixels with due deliveries, claims their rows (FOR UPDATE SKIP LOCKED, under a lease), builds
 * and checks each Snap event, groups them by (pixel, token, endpoint), sends batches of ≤ 2000 events / 1 MB with
 * bounded concurrency (global and per token) and a per-token rate limit, and marks every outcome. One slow or failing
 * pixel never holds up another: each pixel has its own worker, and retries wait in the database (next_attempt_at).
 */

export interface SenderDeps {
  service: DeliveryService;
  configView: ConfigViewService;
  client: SnapCapiClient;
  cipher: TokenCipher;
  log: Logger;
  config: DispatcherConfig;
  /** This instance's advisory lock (delivery/instance-lock.ts): claims carry its number, and only while it is held. */
  lock: { readonly instanceNo: number; readonly held: boolean };
  /** Deliveries by status and reason, Snapchat request durations and batch sizes (util-observability). */
  metrics?: Pick<ServiceMetrics, 'delivery' | 'snapRequest'>;
}

/** One claim being worked on: its rows, and which of them may have reached Snapchat. */
interface Claim {
  id: string;
  rows: ClaimedRow[];
  /** The claim took as many rows as it could: the backlog is larger, so requests are full-sized. */
  full: boolean;
  /** Rows that were part of a request (they may have landed, so they are never handed back unsent). */
  sent: Set<string>;
  /**
   * When each row's lease ends (epoch ms on this clock, a lower bound: taken before the statement that set
   * `lease_until`): after it, another instance may claim the row and send it again.
   */
  leaseUntil: Map<string, number>;
}

interface Item {
  row: ClaimedRow;
  event: SnapEvent;
  placements: PlacementKind[];
  testMode: boolean;
  note: string | null;
}

interface Group {
  accountId: string;
  /** Canonical pixel id (ledger key). */
  pixelId: string;
  /** Pixel id as configured (URL path). */
  urlPixelId: string;
  token: string;
  tokenKey: string;
  validateOnly: boolean;
  items: Array<Sized<Item>>;
}

/** The AAD config-service binds a pixel's encrypted token to: the pixel entity (placement) id. */
export function tokenAad(placement: Pick<PixelPlacement, 'configId'>): string {
  return ConfigEntityV1.pixelTokenAad({ id: placement.configId });
}

/** A key for per-token state that is not the token (rate limits, 429 pauses). */
export function tokenKeyOf(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Added to SNAP_REQUEST_TIMEOUT_MS for a row's `request_deadline`: the request is aborted at its timeout, and this
 * covers the event loop and the round trip of the statement that set the deadline.
 */
export const REQUEST_DEADLINE_MARGIN_MS = 2000;

export class Sender {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<void> = Promise.resolve();
  private running = false;
  private again = false;
  private stopped = true;
  private readonly busy = new Set<string>();
  private readonly workers = new Set<Promise<void>>();
  private readonly global: Semaphore;
  private readonly perToken = new Map<string, Semaphore>();
  private readonly buckets = new Map<string, TokenBucket>();
  private pauses = new Map<string, number>();
  private readonly tokens = new Map<string, string>();
  private readonly policy: RetryPolicy;
  private lastCleanup = 0;
  private stoppedAt = 0;
  private waitingForLock = false;
  /** Claims whose transaction failed without a clear answer: handed back (unsent) as soon as the database answers. */
  private readonly abandoned = new Set<string>();
  /** Counters for tests and operators. */
  readonly stats = { requests: 0, eventsSent: 0, delivered: 0, failed: 0, retried: 0 };

  constructor(private readonly deps: SenderDeps) {
    this.global = new Semaphore(deps.config.maxConcurrency);
    this.policy = {
      baseMs: deps.config.retryBaseMs,
      maxDelayMs: deps.config.retryMaxDelayMs,
      horizonMs: deps.config.retryHorizonMs,
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

  private nextAt = Infinity;

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
    try {
      // Claims made without the instance lock would look abandoned to every other instance (and be sent by them).
      if (!this.deps.lock.held) {
        if (!this.waitingForLock)
          this.deps.log.warn('sender paused: the instance lock is not held (database connection lost); waiting for it');
        this.waitingForLock = true;
        return;
      }
      this.waitingForLock = false;
      for (const claimId of [...this.abandoned]) {
        await this.deps.service.releaseClaim(claimId);
        this.abandoned.delete(claimId);
      }
      this.pauses = new Map(
        [...(await this.deps.service.activePauses())].map(([k, v]) => [k, Math.max(v, this.pauses.get(k) ?? 0)]),
      );
      if (Date.now() - this.lastCleanup > 60_000) {
        this.lastCleanup = Date.now();
        await this.deps.service.cleanupPauses();
      }
      const due = await this.deps.service.duePixels();
      for (const p of due) {
        if (this.stopped || this.workers.size >= this.deps.config.maxConcurrency * 2) break;
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
      this.deps.log.warn('sender pass failed; will retry', { err: e });
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

  private decrypt(p: PixelPlacement): string {
    const cacheKey = `${p.configId}|${p.token!.key_id}|${p.token!.ciphertext}`;
    let plain = this.tokens.get(cacheKey);
    if (plain === undefined) {
      plain = this.deps.cipher.decrypt(p.token!, tokenAad(p));
      if (this.tokens.size > 10_000) this.tokens.clear();
      this.tokens.set(cacheKey, plain);
    }
    return plain;
  }

  private async process(claim: Claim, accountId: string, pixelId: string): Promise<void> {
    const { configView, config } = this.deps;
    const rows = claim.rows;
    const now = Date.now();
    const pixels = await configView.pixelsFor([accountId]);
    const offers: Map<string, OfferInfo> = await configView.offers([
      ...new Set(rows.flatMap((r) => (r.conversion?.attribution?.offer_id ? [r.conversion.attribution.offer_id] : []))),
    ]);
    const immediate: Outcome[] = [];
    const groups = new Map<string, Group>();

    for (const row of rows) {
      const conv = row.conversion;
      if (!conv) {
        immediate.push({
          id: row.id,
          status: 'failed',
          reasonCode: 'conversion_missing',
          message: conversionMissingMessage(),
        });
        continue;
      }
      const target = targetsFor(conversionRef(conv), pixels).find((t) => t.pixelId === row.pixel_id);
      if (!target) {
        immediate.push({
          id: row.id,
          status: 'skipped',
          reasonCode: 'pixel_removed',
          message: pixelRemovedMessage(row.pixel_id),
        });
        continue;
      }
      const eventName = row.event_name ?? target.eventName;
      if (!eventName) {
        immediate.push({
          id: row.id,
          status: 'skipped',
          reasonCode: 'no_mapping',
          message: notMappedMessage(conv.type, row.pixel_id),
        });
        continue;
      }
      const p = target.primary;
      try {
        assertValidPixelId(p.pixelId.trim());
      } catch (e) {
        const err = toAppError(e);
        immediate.push({
          id: row.id,
          status: 'failed',
          reasonCode: err.code,
          message: `Pixel ${row.pixel_id}: ${err.message}`,
          placements: target.placements,
        });
        continue;
      }
      if (!p.token) {
        immediate.push({
          id: row.id,
          status: 'failed',
          reasonCode: 'missing_token',
          message: missingTokenMessage(row.pixel_id),
          placements: target.placements,
        });
        continue;
      }
      let token: string;
      try {
        token = this.decrypt(p);
      } catch {
        immediate.push({
          id: row.id,
          status: 'failed',
          reasonCode: 'token_unreadable',
          message: tokenUnreadableMessage(row.pixel_id),
          placements: target.placements,
        });
        continue;
      }
      const offer = conv.attribution ? offers.get(conv.attribution.offer_id) : undefined;
      const event = toSnapEvent(
        conv,
        { eventName, limitedDataUse: p.limitedDataUse },
        {
          eventId: row.event_id,
          integration: config.integrationName,
          fallbackUrl: offer?.url ?? null,
          defaultCurrency: offer?.defaultCurrency ?? null,
        },
      );
      try {
        assertValidSnapEvent(event, now);
      } catch (e) {
        const err = toAppError(e);
        immediate.push({
          id: row.id,
          status: 'failed',
          reasonCode: e instanceof SnapEventInvalid ? e.reasonCode : err.code,
          message: err.message,
          placements: target.placements,
          testMode: p.testMode,
        });
        continue;
      }
      const tokenKey = tokenKeyOf(token);
      const key = `${tokenKey}|${p.testMode ? 'validate' : 'events'}|${p.pixelId.trim()}`;
      let g = groups.get(key);
      if (!g) {
        g = { accountId, pixelId, urlPixelId: p.pixelId.trim(), token, tokenKey, validateOnly: p.testMode, items: [] };
        groups.set(key, g);
      }
      g.items.push({
        item: { row, event, placements: target.placements, testMode: p.testMode, note: placementNote(target) },
        json: JSON.stringify(event),
      });
    }

    if (immediate.length) {
      this.stats.failed += immediate.filter((o) => o.status === 'failed').length;
      await this.markDurably(claim, immediate);
    }
    // Every request is answered and marked before this returns, even when one of them fails.
    const results = await Promise.allSettled([...groups.values()].map((g) => this.sendGroup(claim, g)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * Records outcomes, retrying while the database is unreachable: a request that Snapchat answered must not be sent
   * again only because the answer could not be written at once. Gives up when the rows' lease (`lease_until`, set at
   * the claim and extended right before the request) ends, since another instance may then take the rows over, or
   * shortly after stop().
   */
  private async markDurably(claim: Claim, outcomes: Outcome[]): Promise<void> {
    const deadline = leaseDeadline(claim, outcomes);
    let wait = 100;
    for (;;) {
      try {
        await this.deps.service.mark(claim.id, outcomes);
        for (const o of outcomes) this.deps.metrics?.delivery(o.status, o.reasonCode);
        return;
      } catch (e) {
        const late = Date.now() + wait > deadline || (this.stopped && Date.now() - this.stoppedAt > 10_000);
        if (late) {
          this.deps.log.error(
            "could not record Snapchat's answer; the rows will be claimed again when their lease ends",
            { err: e, claim_id: claim.id, rows: outcomes.length },
          );
          throw e;
        }
        this.deps.log.warn("recording Snapchat's answer failed; retrying", {
          err: e,
          claim_id: claim.id,
          rows: outcomes.length,
          retry_in_ms: wait,
        });
        await new Promise((r) => setTimeout(r, wait));
        wait = Math.min(wait * 2, 2000);
      }
    }
  }

  /**
   * Ids of the pixel's waiting rows that would be sent with this group's credential (pixel + token): their
   * conversion's target for the pixel resolves, with the current configuration, to a placement holding the same token.
   */
  private async waitingForCredential(g: Group): Promise<string[]> {
    const pixels = await this.deps.configView.pixelsFor([g.accountId]);
    const ids: string[] = [];
    for (let after = '0'; ;) {
      const page = await this.deps.service.waitingRows(g.accountId, g.pixelId, after, 1000);
      if (!page.length) break;
      after = page[page.length - 1]!.id;
      for (const r of page) {
        if (!r.conversion) continue;
        const primary = targetsFor(conversionRef(r.conversion), pixels).find((t) => t.pixelId === g.pixelId)?.primary;
        if (!primary?.token) continue;
        try {
          if (tokenKeyOf(this.decrypt(primary)) === g.tokenKey) ids.push(r.id);
        } catch {
          // An unreadable token is not this credential.
        }
      }
    }
    return ids;
  }

  /** Tokens paused after a 429 right now (a count: metrics never name a token). */
  get pausedTokens(): number {
    const now = Date.now();
    let n = 0;
    for (const until of this.pauses.values()) if (until > now) n++;
    return n;
  }

  private pausedUntil(tokenKey: string): number | null {
    const until = this.pauses.get(tokenKey);
    return until !== undefined && until > Date.now() ? until : null;
  }

  private async sendGroup(claim: Claim, g: Group): Promise<void> {
    const paused = this.pausedUntil(g.tokenKey);
    if (paused !== null) {
      await this.deps.service.release(
        claim.id,
        g.items.map((i) => i.item.row.id),
        new Date(paused),
      );
      return;
    }
    // Full-sized requests only when the backlog needs them; otherwise fewer events per request, so fewer are in
    // flight at any moment (and sent again after a crash), but never more requests than the token's rate limit lets
    // go now: under a steady stream the bucket is empty, and each further request would wait 1/rate s for it.
    const slots = this.bucketFor(g.tokenKey).available();
    const size = requestSizeWithin(g.items.length, claim.full, this.deps.config.maxEventsPerRequest, slots);
    const chunks = chunkForRequests(g.items, size, this.deps.config.maxBodyBytes);
    const results = await Promise.allSettled(chunks.map((c) => this.sendChunk(claim, g, c)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private semaphoreFor(tokenKey: string): Semaphore {
    let s = this.perToken.get(tokenKey);
    if (!s) {
      s = new Semaphore(this.deps.config.maxConcurrencyPerToken);
      this.perToken.set(tokenKey, s);
    }
    return s;
  }

  private bucketFor(tokenKey: string): TokenBucket {
    let b = this.buckets.get(tokenKey);
    if (!b) {
      b = new TokenBucket(this.deps.config.rateLimitPerToken);
      this.buckets.set(tokenKey, b);
    }
    return b;
  }

  /** One request; on a payload rejection of several events, splits and sends the parts (bisect). */
  private async sendChunk(claim: Claim, g: Group, chunk: Array<Sized<Item>>): Promise<void> {
    const claimId = claim.id;
    const { service, client, config } = this.deps;
    const tokenSlots = this.semaphoreFor(g.tokenKey);
    let items = chunk;
    let error: unknown = null;
    let sent = false;
    let refused: SnapEventLog[] = [];
    let httpStatus = 200;
    await tokenSlots.acquire();
    await this.global.acquire();
    try {
      const paused = this.pausedUntil(g.tokenKey);
      if (paused !== null) {
        await service.release(
          claimId,
          items.map((i) => i.item.row.id),
          new Date(paused),
        );
        return;
      }
      await this.bucketFor(g.tokenKey).take();
      // Only rows this claim still owns may be sent (a lease that ran out may have been taken over).
      // Without the instance lock, rows not yet sent may be taken over by another instance at any moment: hand them
      // back rather than start a request (requests already running go on, and are waited for by the others).
      if (!this.deps.lock.held) {
        await service.release(
          claimId,
          items.map((i) => i.item.row.id),
          new Date(),
        );
        return;
      }
      const refreshedAt = Date.now();
      const owned = await service.refreshLease(
        claimId,
        items.map((i) => i.item.row.id),
        config.sendLeaseMs,
        config.requestTimeoutMs + REQUEST_DEADLINE_MARGIN_MS,
      );
      for (const id of owned) claim.leaseUntil.set(id, refreshedAt + config.sendLeaseMs);
      items = items.filter((i) => owned.has(String(i.item.row.id)));
      // Waiting for a slot or a 429 pause may have taken an event past Snap's age limit: it fails, unsent.
      const nowS = Date.now() / 1000;
      const expired = items.filter((i) => nowS - i.item.event.event_time > SNAP_MAX_EVENT_AGE_SECONDS);
      if (expired.length) {
        items = items.filter((i) => !expired.includes(i));
        this.stats.failed += expired.length;
        await this.markDurably(
          claim,
          expired.map(({ item }) => tooOldOutcome(item, null)),
        );
      }
      if (!items.length) return;
      for (const i of items) claim.sent.add(String(i.item.row.id));
      this.stats.requests++;
      this.stats.eventsSent += items.length;
      // The request span continues the first traced conversion's trace and links every traced one.
      const traced = items.map((i) => i.item.row.traceParent).filter((t): t is string => !!t);
      const started = process.hrtime.bigint();
      await withSpan(
        'snapchat-capi-dispatcher',
        'snap capi send',
        {
          kind: SpanKind.CLIENT,
          parent: contextFromHeaders(traced.length ? { traceparent: traced[0] } : undefined),
          links: traced.map((t) => spanContextOf({ traceparent: t })).filter((l) => l !== undefined),
          attributes: { 'snap.events': items.length, 'snap.validate_only': g.validateOnly },
        },
        async (span) => {
          try {
            const answer = await client.send({
              pixelId: g.urlPixelId,
              accessToken: g.token,
              validateOnly: g.validateOnly,
              events: items.map((i) => i.item.event),
              body: requestBody(items),
            });
            refused = answer.eventErrors;
            httpStatus = answer.httpStatus;
            sent = true;
          } catch (e) {
            error = e;
          }
          const status = sent ? httpStatus : (toAppError(error).httpStatus ?? 'network');
          span.setAttribute('http.response.status_code', String(status));
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          this.deps.metrics?.snapRequest(status, seconds, items.length);
        },
      );
    } finally {
      this.global.release();
      tokenSlots.release();
    }

    if (sent) {
      // A 2xx may refuse some events of the request (per-event verdicts): those failed, every other one landed.
      const refusedAt = new Map(refused.map((r) => [r.event, r]));
      const outcomes: Outcome[] = items.map(({ item }, i) => {
        const r = refusedAt.get(i);
        if (r) {
          return {
            id: item.row.id,
            status: 'failed',
            httpStatus,
            reasonCode: 'snap_rejected',
            message: r.message ?? `Snapchat refused this event (status ${r.status}).`,
            placements: item.placements,
            testMode: item.testMode,
          };
        }
        return {
          id: item.row.id,
          status: 'delivered',
          httpStatus,
          message: joinNotes(item.note, item.testMode ? TEST_MODE_NOTE : null),
          placements: item.placements,
          testMode: item.testMode,
        };
      });
      const failedNow = outcomes.filter((o) => o.status === 'failed').length;
      this.stats.delivered += items.length - failedNow;
      this.stats.failed += failedNow;
      await this.markDurably(claim, outcomes);
      return;
    }
    await this.handleFailure(claim, g, items, toAppError(error));
  }

  private async handleFailure(claim: Claim, g: Group, items: Array<Sized<Item>>, e: AppError): Promise<void> {
    const { service, log } = this.deps;
    const now = new Date();

    if (e instanceof RateLimitedError) {
      const maxAttempts = Math.max(...items.map((i) => i.item.row.attempts));
      const wait = e.retryAfterMs >= 0 ? Math.max(e.retryAfterMs, 1000) : backoffDelay(maxAttempts, this.policy);
      const until = new Date(now.getTime() + wait);
      this.pauses.set(g.tokenKey, Math.max(until.getTime(), this.pauses.get(g.tokenKey) ?? 0));
      log.warn('snap rate limit: pausing this token', { pixel_id: g.pixelId, wait_ms: wait });
      // The answer first (it is what must not be lost), then the pause for other instances and waiting rows.
      await this.retryLater(claim, items, e, now, wait);
      await service.pauseToken(g.tokenKey, until);
      // Only the rows that would use this token wait: the same pixel on another placement may have another token.
      await service.deferWaiting(g.accountId, g.pixelId, await this.waitingForCredential(g), until);
      return;
    }

    if (e instanceof InvalidAuthenticationError) {
      const { reasonCode, message } = authFailureMessage(g.pixelId, e);
      const outcome = { httpStatus: e.httpStatus ?? null, reasonCode, message };
      this.stats.failed += items.length;
      await this.markDurably(
        claim,
        items.map(({ item }) => ({
          id: item.row.id,
          status: 'failed',
          ...outcome,
          placements: item.placements,
          testMode: item.testMode,
        })),
      );
      // The credential is (pixel, token): the same pixel on another placement with another token is not affected.
      const more = await service.failWaiting(g.accountId, g.pixelId, await this.waitingForCredential(g), outcome);
      this.deps.metrics?.delivery('failed', reasonCode, more);
      log.warn("snap refused the pixel's credential; its waiting deliveries with the same token are failed", {
        pixel_id: g.pixelId,
        http_status: e.httpStatus,
        reason_code: reasonCode,
        also_failed: more,
      });
      return;
    }

    if (e instanceof PayloadTooLargeError || e instanceof SnapRejectedError) {
      if (e instanceof SnapRejectedError && g.validateOnly && e.eventLogs && e.eventLogs.length === items.length) {
        // /events/validate judged every event: no split needed, and nothing was recorded anyway.
        const verdicts = new Map(e.eventLogs.map((l) => [l.event, l]));
        const outcomes: Outcome[] = items.map(({ item }, i) => {
          const v = verdicts.get(i);
          return v && v.status === 'VALID'
            ? {
                id: item.row.id,
                status: 'delivered',
                httpStatus: 200,
                message: joinNotes(item.note, TEST_MODE_NOTE),
                placements: item.placements,
                testMode: true,
              }
            : {
                id: item.row.id,
                status: 'failed',
                httpStatus: e.httpStatus ?? 400,
                reasonCode: 'snap_rejected',
                message: v?.message ?? e.message,
                placements: item.placements,
                testMode: true,
              };
        });
        await this.markDurably(claim, outcomes);
        return;
      }
      if (items.length === 1 || (e instanceof SnapRejectedError && !e.splittable)) {
        this.stats.failed += items.length;
        await this.markDurably(
          claim,
          items.map(({ item }) => ({
            id: item.row.id,
            status: 'failed',
            httpStatus: e.httpStatus ?? 400,
            reasonCode: e instanceof PayloadTooLargeError ? 'payload_too_large' : 'snap_rejected',
            message: e.message,
            placements: item.placements,
            testMode: item.testMode,
          })),
        );
        return;
      }
      // Snap rejects the whole batch for one bad event: isolate the bad events, deliver the rest.
      const idx = e instanceof SnapRejectedError ? e.eventIndex : null;
      if (idx !== null && idx >= 0 && idx < items.length) {
        await this.sendChunk(claim, g, [items[idx]!]);
        await this.sendChunk(
          claim,
          g,
          items.filter((_, i) => i !== idx),
        );
      } else {
        const half = Math.ceil(items.length / 2);
        await this.sendChunk(claim, g, items.slice(0, half));
        await this.sendChunk(claim, g, items.slice(half));
      }
      return;
    }

    // Retryable: 408, 423, 5xx, 3xx, network errors, timeouts, or anything unexpected.
    await this.retryLater(claim, items, e, now, 0);
  }

  /**
   * Schedules the next attempt (same row, same event_id and event_time), within the retry horizon and before Snap's
   * age limit; when neither leaves room, the delivery fails (`too_old` when the age limit is what ran out).
   */
  private async retryLater(
    claim: Claim,
    items: Array<Sized<Item>>,
    e: AppError,
    now: Date,
    minDelayMs: number,
  ): Promise<void> {
    const outcomes: Outcome[] = items.map(({ item }) => {
      const plan = planRetry(
        {
          attempts: item.row.attempts,
          cycleStartedAt: new Date(item.row.cycle_started_at),
          now,
          minDelayMs,
          expiresAt: new Date((item.event.event_time + SNAP_MAX_EVENT_AGE_SECONDS) * 1000),
        },
        this.policy,
      );
      const reasonCode = e.code === 'unknown' ? 'upstream_unavailable' : e.code;
      if ('giveUp' in plan) {
        this.stats.failed++;
        if (plan.giveUp === 'too_old') return tooOldOutcome(item, e);
        return {
          id: item.row.id,
          status: 'failed',
          httpStatus: e.httpStatus ?? null,
          reasonCode,
          message: horizonMessage(this.policy.horizonMs, item.row.attempts, e.message),
          placements: item.placements,
          testMode: item.testMode,
        };
      }
      this.stats.retried++;
      return {
        id: item.row.id,
        status: 'retrying',
        httpStatus: e.httpStatus ?? null,
        reasonCode,
        message: e.message,
        nextAttemptAt: plan.retryAt,
        placements: item.placements,
        testMode: item.testMode,
      };
    });
    await this.markDurably(claim, outcomes);
    const soonest = Math.min(...outcomes.map((o) => (o.nextAttemptAt ? o.nextAttemptAt.getTime() : Infinity)));
    if (Number.isFinite(soonest)) this.schedule(Math.max(0, soonest - Date.now()));
  }
}

/** The earliest lease end among these rows (a row without a known lease counts as ended). */
export function leaseDeadline(claim: Pick<Claim, 'leaseUntil'>, outcomes: Array<Pick<Outcome, 'id'>>): number {
  return Math.min(...outcomes.map((o) => claim.leaseUntil.get(String(o.id)) ?? 0));
}

/** The event is (or would be by its next attempt) older than Snap accepts: failed `too_old`, never sent again. */
function tooOldOutcome(item: Item, last: AppError | null): Outcome {
  return {
    id: item.row.id,
    status: 'failed',
    httpStatus: last?.httpStatus ?? null,
    reasonCode: 'too_old',
    message: tooOldMessage(item.row.attempts, last?.message ?? null),
    placements: item.placements,
    testMode: item.testMode,
  };
}
