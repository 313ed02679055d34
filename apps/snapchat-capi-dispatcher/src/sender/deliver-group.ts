import {
  backoffDelay,
  deliverBatch,
  refreshLeaseBeforeRequest,
  releaseUnsent,
  type ItemOutcome,
  type SendOutcome,
} from '@snaptrack/delivery-engine';
import { SpanKind, contextFromHeaders, spanContextOf, withSpan } from '@snaptrack/util-observability';
import type { Outcome } from '../delivery/delivery.service';
import type { SnapEvent } from '../snap-capi/mapping';
import { SNAP_MAX_EVENT_AGE_SECONDS } from '../snap-capi/versioning-info';
import { requestDeadlineMs, type Claim, type SendContext } from './context';
import { followUpCredential } from './credential';
import { toLedgerOutcome, tooOldOutcome } from './ledger-outcome';
import { markDurably } from './mark';
import type { Group, RowItem } from './resolve';

/**
 * Delivers one group of a claim through the engine with the Snapchat destination, and keeps the ledger in step:
 * right before each request (holding the token's slot and a global one) the rows' lease is refreshed and their
 * `request_deadline` set, and only the rows this claim still owns go; each request's outcomes are recorded before
 * the next one; rows that never went (paused token, lock lost) are handed back unsent; a refused or rate-limited
 * credential is followed up on the pixel's waiting rows.
 */
export async function deliverGroup(ctx: SendContext, claim: Claim, g: Group): Promise<void> {
  const { service } = ctx.deps;
  const byKey = new Map(g.items.map((i) => [String(i.row.id), i]));
  const eventTimes = new Map<string, number>();
  const result = await deliverBatch(
    ctx.dest,
    {
      target: g.target,
      credential: g.token,
      items: g.items.map((i) => ({
        key: String(i.row.id),
        conversion: i.row.conversion,
        eventId: i.row.event_id,
        target: i.target,
      })),
    },
    {
      limits: ctx.limits,
      claimFull: claim.full,
      // Snap's Retry-After (at least 1 s), else the backoff of the most-tried row.
      rateLimitWaitMs: (named, keys) =>
        named !== null
          ? Math.max(named, 1000)
          : backoffDelay(Math.max(...keys.map((k) => byKey.get(k)!.row.attempts)), ctx.policy),
      hooks: {
        beforeRequest: (keys, events) => beforeRequest(ctx, claim, keys, events, byKey, eventTimes),
        aroundRequest: (keys, send) =>
          traced(
            ctx,
            g,
            keys.map((k) => byKey.get(k)!),
            send,
          ),
        onOutcomes: (out) => record(ctx, claim, out, byKey, eventTimes),
      },
    },
  );
  // Rows withheld before a request (the lock was lost, or the lease taken over) go back unsent, due now.
  if (result.withdrawn.length) await service.release(claim.id, result.withdrawn, new Date());
  if (result.credential) await followUpCredential(ctx, g, result.credential);
}

async function beforeRequest(
  ctx: SendContext,
  claim: Claim,
  keys: string[],
  events: SnapEvent[],
  byKey: Map<string, RowItem>,
  eventTimes: Map<string, number>,
): Promise<string[]> {
  const { service, config, lock } = ctx.deps;
  const owned = await refreshLeaseBeforeRequest(
    {
      ledger: service,
      claim,
      lock,
      leaseMs: config.sendLeaseMs,
      requestDeadlineMs: requestDeadlineMs(config),
    },
    keys,
  );
  const ownedSet = new Set(owned);
  // Waiting for a slot or a 429 pause may have taken an event past Snap's age limit: it fails, unsent.
  const nowS = Date.now() / 1000;
  const allowed: string[] = [];
  const expired: Outcome[] = [];
  keys.forEach((k, i) => {
    if (!ownedSet.has(k)) return;
    const time = events[i]!.event_time;
    if (nowS - time > SNAP_MAX_EVENT_AGE_SECONDS) expired.push(tooOldOutcome(byKey.get(k)!, null));
    else {
      allowed.push(k);
      eventTimes.set(k, time);
    }
  });
  if (expired.length) {
    ctx.stats.failed += expired.length;
    await markDurably(ctx, claim, expired);
  }
  for (const k of allowed) claim.sent.add(k);
  if (allowed.length) {
    ctx.stats.requests++;
    ctx.stats.eventsSent += allowed.length;
  }
  return allowed;
}

/** The request span continues the first traced conversion's trace and links every traced one; metrics per request. */
function traced(ctx: SendContext, g: Group, items: RowItem[], send: () => Promise<SendOutcome>): Promise<SendOutcome> {
  const parents = items.map((i) => i.row.traceParent).filter((t): t is string => !!t);
  const started = process.hrtime.bigint();
  return withSpan(
    'snapchat-capi-dispatcher',
    'snap capi send',
    {
      kind: SpanKind.CLIENT,
      parent: contextFromHeaders(parents.length ? { traceparent: parents[0] } : undefined),
      links: parents.map((t) => spanContextOf({ traceparent: t })).filter((l) => l !== undefined),
      attributes: { 'snap.events': items.length, 'snap.validate_only': g.target.testMode },
    },
    async (span) => {
      const outcome = await send();
      const status = outcome.httpStatus ?? 'network';
      span.setAttribute('http.response.status_code', String(status));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      ctx.deps.metrics?.snapRequest(status, seconds, items.length);
      return outcome;
    },
  );
}

/** Records one step's outcomes: unsent retrying rows (paused token) go back; every other outcome is marked. */
async function record(
  ctx: SendContext,
  claim: Claim,
  out: ItemOutcome[],
  byKey: Map<string, RowItem>,
  eventTimes: Map<string, number>,
): Promise<void> {
  const now = new Date();
  const toRecord = await releaseUnsent(ctx.deps.service, claim.id, out, now.getTime());
  const outcomes = toRecord.map((o) =>
    toLedgerOutcome(byKey.get(o.key)!, o, {
      policy: ctx.policy,
      now,
      eventTime: eventTimes.get(o.key) ?? null,
      stats: ctx.stats,
    }),
  );
  await markDurably(ctx, claim, outcomes);
  const soonest = Math.min(...outcomes.map((o) => (o.nextAttemptAt ? o.nextAttemptAt.getTime() : Infinity)));
  if (Number.isFinite(soonest)) ctx.schedule(Math.max(0, soonest - Date.now()));
}
