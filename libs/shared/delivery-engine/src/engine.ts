import { chunkBySize, type Sized } from './batching';
import type { CredentialLimits } from './credential-limits';
import type { Destination, EventProblem, SendOutcome } from './destination';

/** One delivery to make: the caller's key (a ledger row id) and the conversion. */
export interface BatchItem<C> {
  key: string;
  conversion: C;
  /** The event id the delivery already has (fixed at its first claim); else the destination derives it. */
  eventId?: string | null;
}

/** What became of one item. `retrying` items carry the network's minimum wait, if it named one. */
export interface ItemOutcome {
  key: string;
  status: 'delivered' | 'failed' | 'retrying';
  eventId: string;
  reasonCode: string | null;
  message: string | null;
  httpStatus: number | null;
  retryAfterMs?: number | null;
  /** Whether a request carrying the event was made (false: refused before sending, or never reached). */
  sent: boolean;
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
  credential?: { key: string; kind: 'auth' | 'rate_limited'; reasonCode: string; message: string } & {
    retryAfterMs?: number | null;
  };
  requests: number;
}

type Prepared<E> = Sized<{ key: string; event: E; eventId: string; index: number }>;

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
  batch: { target: T; credential: K; items: Array<BatchItem<C>> },
  opts: { limits: CredentialLimits; nowMs?: number; hooks?: DeliveryHooks<E> },
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
    const eventId = it.eventId ?? dest.eventId(it.conversion, batch.target);
    let problem: EventProblem | null;
    let event: E | undefined;
    try {
      event = dest.buildEvent(it.conversion, batch.target, eventId, nowMs);
      problem = dest.validate(event, batch.target, nowMs);
    } catch (e) {
      problem = { reasonCode: 'payload_invalid', message: e instanceof Error ? e.message : String(e) };
    }
    if (problem || event === undefined) invalid.push(fail(it.key, eventId, problem!, null, false));
    else ready.push({ item: { key: it.key, event, eventId, index }, json: dest.serialize(event) });
  });
  await record(invalid);

  const l = dest.limits;
  const chunks = chunkBySize(ready, {
    maxEvents: l.maxEventsPerRequest,
    maxBytes: l.maxBytesPerRequest,
    envelopeBytes: l.envelopeBytes,
    separatorBytes: l.separatorBytes,
  });

  /** Sends one chunk holding a slot of the credential; returns its outcomes and, for a refused batch, its halves. */
  const request = async (chunk: Array<Prepared<E>>) => {
    const held = notSendable(chunk, result, opts.limits.pausedFor(credKey));
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
    if (outcome.kind === 'auth') result.credential ??= { key: credKey, kind: 'auth', ...pick(outcome) };
    if (outcome.kind === 'retry' && outcome.credentialWide) {
      const wait = outcome.retryAfterMs ?? null;
      if (wait) opts.limits.pause(credKey, Date.now() + wait);
      result.credential ??= { key: credKey, kind: 'rate_limited', ...pick(outcome), retryAfterMs: wait };
    }
    const out: ItemOutcome[] = [];
    return { out, split: apply(outcome, send, out) };
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

/** Outcomes for a chunk that must not be sent: its credential failed earlier, or is paused after a 429. */
function notSendable<E>(chunk: Array<Prepared<E>>, result: BatchResult, pausedMs: number): ItemOutcome[] | null {
  if (result.credential) return chunk.map((p) => stopped(p, result.credential!));
  if (pausedMs > 0) {
    const reason = { reasonCode: 'rate_limited', message: 'The credential is paused after a 429.' };
    return chunk.map((p) => retrying(p, reason, null, pausedMs, false));
  }
  return null;
}

/** Records the outcome of one request; returns the sub-chunks to send instead when a refused batch is split. */
function apply<E>(o: SendOutcome, chunk: Array<Prepared<E>>, out: ItemOutcome[]): Array<Array<Prepared<E>>> | null {
  switch (o.kind) {
    case 'accepted': {
      const refused = new Map((o.eventErrors ?? []).map((e) => [e.index, e]));
      chunk.forEach((p, i) => {
        const r = refused.get(i);
        out.push(r ? fail(p.item.key, p.item.eventId, r, o.httpStatus, true) : delivered(p, o));
      });
      return null;
    }
    case 'rejected': {
      if (o.splittable && chunk.length > 1) {
        const c = o.culprit;
        if (c !== null && c !== undefined && c >= 0 && c < chunk.length) {
          const rest = chunk.filter((_, i) => i !== c);
          return [[chunk[c]!], rest];
        }
        const mid = Math.ceil(chunk.length / 2);
        return [chunk.slice(0, mid), chunk.slice(mid)];
      }
      out.push(...chunk.map((p) => fail(p.item.key, p.item.eventId, o, o.httpStatus, true)));
      return null;
    }
    case 'retry':
      out.push(...chunk.map((p) => retrying(p, o, o.httpStatus, o.retryAfterMs ?? null, true)));
      return null;
    case 'auth':
      out.push(...chunk.map((p) => fail(p.item.key, p.item.eventId, o, o.httpStatus, true)));
      return null;
  }
}

const pick = (o: { reasonCode: string; message: string }) => ({ reasonCode: o.reasonCode, message: o.message });

function fail(key: string, eventId: string, p: EventProblem, httpStatus: number | null, sent: boolean): ItemOutcome {
  return { key, status: 'failed', eventId, reasonCode: p.reasonCode, message: p.message, httpStatus, sent };
}

function delivered<E>(p: Prepared<E>, o: { httpStatus: number | null; message?: string | null }): ItemOutcome {
  const { key, eventId } = p.item;
  return {
    key,
    status: 'delivered',
    eventId,
    reasonCode: null,
    message: o.message ?? null,
    httpStatus: o.httpStatus,
    sent: true,
  };
}

function retrying<E>(
  p: Prepared<E>,
  r: EventProblem,
  httpStatus: number | null,
  retryAfterMs: number | null,
  sent: boolean,
): ItemOutcome {
  const { key, eventId } = p.item;
  return {
    key,
    status: 'retrying',
    eventId,
    reasonCode: r.reasonCode,
    message: r.message,
    httpStatus,
    retryAfterMs,
    sent,
  };
}

/** An item never sent because its credential failed earlier in the batch. */
function stopped<E>(p: Prepared<E>, c: NonNullable<BatchResult['credential']>): ItemOutcome {
  return c.kind === 'auth'
    ? fail(p.item.key, p.item.eventId, c, null, false)
    : retrying(p, c, null, c.retryAfterMs ?? null, false);
}
