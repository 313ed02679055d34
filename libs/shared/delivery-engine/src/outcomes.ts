import type { Sized } from './batching';
import type { EventProblem, IndexedProblem, SendOutcome } from './destination';

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

/** The credential failed as a whole: the caller fails (`auth`) or defers (`rate_limited`) its other work. */
export type CredentialFailure = {
  key: string;
  kind: 'auth' | 'rate_limited';
  reasonCode: string;
  message: string;
  httpStatus?: number | null;
  retryAfterMs?: number | null;
};

export type Prepared<E> = Sized<{ key: string; event: E; eventId: string; index: number }>;

/** Outcomes for a chunk that must not be sent: its credential failed earlier, or is paused after a 429. */
export function notSendable<E>(
  chunk: Array<Prepared<E>>,
  credential: CredentialFailure | undefined,
  pausedMs: number,
): ItemOutcome[] | null {
  if (credential) return chunk.map((p) => stopped(p, credential));
  if (pausedMs > 0) {
    const reason = { reasonCode: 'rate_limited', message: 'The credential is paused after a 429.' };
    return chunk.map((p) => retrying(p, reason, null, pausedMs, false));
  }
  return null;
}

/**
 * Records the outcome of one request; returns the sub-chunks to send instead when a refused batch is split.
 * `retryAfterMs` is the wait the caller settled on for a credential-wide 429 (else the network's own).
 */
export function applyOutcome<E>(
  o: SendOutcome,
  chunk: Array<Prepared<E>>,
  out: ItemOutcome[],
  retryAfterMs: number | null = null,
): Array<Array<Prepared<E>>> | null {
  switch (o.kind) {
    case 'accepted': {
      const refused = new Map<number, IndexedProblem>((o.eventErrors ?? []).map((e) => [e.index, e]));
      chunk.forEach((p, i) => {
        const r = refused.get(i);
        out.push(r ? failed(p, r, r.httpStatus ?? o.httpStatus, true) : delivered(p, o));
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
      out.push(...chunk.map((p) => failed(p, o, o.httpStatus, true)));
      return null;
    }
    case 'retry':
      out.push(...chunk.map((p) => retrying(p, o, o.httpStatus, retryAfterMs ?? o.retryAfterMs ?? null, true)));
      return null;
    case 'auth':
      out.push(...chunk.map((p) => failed(p, o, o.httpStatus, true)));
      return null;
  }
}

export function failed<E>(
  p: Prepared<E> | { item: { key: string; eventId: string } },
  r: EventProblem,
  httpStatus: number | null,
  sent: boolean,
): ItemOutcome {
  const { key, eventId } = p.item;
  return { key, status: 'failed', eventId, reasonCode: r.reasonCode, message: r.message, httpStatus, sent };
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
function stopped<E>(p: Prepared<E>, c: CredentialFailure): ItemOutcome {
  return c.kind === 'auth'
    ? failed(p, c, c.httpStatus ?? null, false)
    : retrying(p, c, null, c.retryAfterMs ?? null, false);
}
