import { chunkBySize, requestSizeWithin } from './batching';
import type { CredentialLimits } from './credential-limits';
import type { Destination, EventProblem, SendOutcome } from './destination';
import {
  applyOutcome,
  failed as failedOutcome,
  notSendable,
  type CredentialFailure,
  type ItemOutcome,
  type Prepared,
} from './outcomes';

export type { CredentialFailure, ItemOutcome } from './outcomes';

/** One delivery to make: the caller's key (a ledger row id) and the conversion. */
export interface BatchItem<C, T = never> {
  key: string;
  conversion: C;
  /** The event id the delivery already has (fixed at its first claim); else the destination derives it. */
  eventId?: string | null;
  /**
   * This item's own target settings when they differ from the batch's (another event name on the same pixel): used
   * to derive, build and validate its event. The request (endpoint, credential) is always the batch's target.
   */
  target?: T;
}

/**
 * Optional hooks for a caller with a ledger: `beforeRequest` (inside the credential's slot, right before a request)
 * returns the keys that may still be sent (the rest are `withdrawn`: no request, no outcome, the caller hands them
 * back); `aroundRequest` wraps each request (spans, metrics) and must call `send` once; `onOutcomes` receives
 * outcomes as soon as they are known (validation failures, then each request's), so they can be recorded durably
 * before the next request.
 */
export interface DeliveryHooks<E> {
  beforeRequest?(keys: string[], events: E[]): Promise<string[]>;
  aroundRequest?(keys: string[], send: () => Promise<SendOutcome>): Promise<SendOutcome>;
  onOutcomes?(outcomes: ItemOutcome[]): Promise<void>;
}

export interface BatchResult {
  outcomes: ItemOutcome[];
  /** Keys `beforeRequest` withheld. */
  withdrawn: string[];
  /** Set when the credential itself failed: the caller fails (`auth`) or defers (`rate_limited`) its other work. */
  credential?: CredentialFailure;
  requests: number;
}

/** Options of one `deliverBatch` call beside the limits. */
export interface DeliverOptions<E> {
  limits: CredentialLimits;
  nowMs?: number;
  hooks?: DeliveryHooks<E>;
  /**
   * Set by a caller that claimed rows from a backlog: `true` when the claim was full (the backlog is larger, so
   * requests are full-sized), `false` to spread a small claim over a few smaller requests (fewer events in flight
   * at any moment), never more than the credential's rate limit lets go now (`requestSizeWithin`). Unset: every
   * request is as large as the destination allows.
   */
  claimFull?: boolean;
  /**
   * The pause after a credential-wide 429, from the network's Retry-After (null when it named none) and the
   * items of the refused request (their keys). Default: the Retry-After itself (no pause when there is none).
   */
  rateLimitWaitMs?: (retryAfterMs: number | null, keys: string[]) => number | null;
}

/**
 * Delivers one claimed batch of one target with one credential: builds and validates every event (a problem fails
 * it without sending), chunks the rest by the destination's limits, sends the chunks concurrently, each holding a
 * slot of the credential, and turns each answer into per-item outcomes. A refused batch of several events is split
 * (the named culprit alone, else halves) until the bad events stand alone; a 401/403/404 (`auth`) or a 429 (`retry`
 * with `credentialWide`) stops further requests with that credential and is reported once in `credential`. Never
 * throws for a network failure: every item gets an outcome (or is `withdrawn` by `beforeRequest`).
 */
export async function deliverBatch<C, T, E, K, R>(
  dest: Destination<C, T, E, K, R>,
  batch: { target: T; credential: K; items: Array<BatchItem<C, T>> },
  opts: DeliverOptions<E>,
): Promise<BatchResult> {
  const nowMs = opts.nowMs ?? Date.now();
  const hooks = opts.hooks ?? {};
  const credKey = dest.credentialKey(batch.credential, batch.target);
  const result: BatchResult = { outcomes: [], requests: 0, withdrawn: [] };
  const record = async (out: ItemOutcome[]): Promise<void> => {
    if (!out.length) return;
    result.outcomes.push(...out);
    await hooks.onOutcomes?.(out);
  };
  const invalid: ItemOutcome[] = [];
  const ready: Array<Prepared<E>> = [];
  batch.items.forEach((it, index) => {
    const target = it.target ?? batch.target;
    const eventId = it.eventId ?? dest.eventId(it.conversion, target);
    let problem: EventProblem | null;
    let event: E | undefined;
    try {
      event = dest.buildEvent(it.conversion, target, eventId, nowMs);
      problem = dest.validate(event, target, nowMs);
    } catch (e) {
      problem = { reasonCode: 'payload_invalid', message: e instanceof Error ? e.message : String(e) };
    }
    if (problem || event === undefined)
      invalid.push(failedOutcome({ item: { key: it.key, eventId } }, problem!, null, false));
    else ready.push({ item: { key: it.key, event, eventId, index }, json: dest.serialize(event) });
  });
  await record(invalid);

  const l = dest.limits;
  const maxEvents =
    opts.claimFull === undefined
      ? l.maxEventsPerRequest
      : requestSizeWithin(ready.length, opts.claimFull, l.maxEventsPerRequest, opts.limits.available(credKey));
  const chunks = chunkBySize(ready, {
    maxEvents,
    maxBytes: l.maxBytesPerRequest,
    envelopeBytes: l.envelopeBytes,
    separatorBytes: l.separatorBytes,
  });

  /** Sends one chunk holding a slot of the credential; returns its outcomes and, for a refused batch, its halves. */
  const request = async (chunk: Array<Prepared<E>>) => {
    const held = notSendable(chunk, result.credential, opts.limits.pausedFor(credKey));
    if (held) return { out: held, split: null };
    let send = chunk;
    if (hooks.beforeRequest) {
      const allowed = new Set(
        await hooks.beforeRequest(
          chunk.map((p) => p.item.key),
          chunk.map((p) => p.item.event),
        ),
      );
      send = chunk.filter((p) => allowed.has(p.item.key));
      result.withdrawn.push(...chunk.filter((p) => !allowed.has(p.item.key)).map((p) => p.item.key));
    }
    if (!send.length) return { out: [], split: null };
    const events = send.map((p) => p.item.event);
    result.requests++;
    const call = async (): Promise<SendOutcome> => {
      try {
        return dest.classify({ ok: await dest.send(events, batch.credential, batch.target) }, events, batch.target);
      } catch (error) {
        return dest.classify({ error }, events, batch.target);
      }
    };
    const keys = send.map((p) => p.item.key);
    const outcome = hooks.aroundRequest ? await hooks.aroundRequest(keys, call) : await call();
    let wait: number | null = null;
    if (outcome.kind === 'auth') result.credential ??= { key: credKey, kind: 'auth', ...pick(outcome) };
    if (outcome.kind === 'retry' && outcome.credentialWide) {
      const named = outcome.retryAfterMs ?? null;
      wait = opts.rateLimitWaitMs ? opts.rateLimitWaitMs(named, keys) : named;
      if (wait) opts.limits.pause(credKey, Date.now() + wait);
      result.credential ??= { key: credKey, kind: 'rate_limited', ...pick(outcome), retryAfterMs: wait };
    }
    const out: ItemOutcome[] = [];
    return { out, split: applyOutcome(outcome, send, out, wait) };
  };

  // Chunks go out concurrently, within the credential's slots; the halves of a refused chunk one after the other.
  const run = async (chunk: Array<Prepared<E>>): Promise<void> => {
    const { out, split } = await opts.limits.run(credKey, () => request(chunk));
    await record(out);
    if (split) for (const part of split) await run(part);
  };
  // Every chunk settles before this returns, even when a hook throws: no request is left running unawaited.
  const settled = await Promise.allSettled(chunks.map(run));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const order = new Map(batch.items.map((it, i) => [it.key, i]));
  result.outcomes.sort((a, b) => order.get(a.key)! - order.get(b.key)!);
  return result;
}

const pick = (o: { reasonCode: string; message: string; httpStatus: number | null }) => ({
  reasonCode: o.reasonCode,
  message: o.message,
  httpStatus: o.httpStatus,
});
