/**
 * Pure: splits the serialised events of one (target, credential, endpoint) group into requests of at most
 * `maxEvents` events and `maxBytes` bytes of body, keeping order. `envelopeBytes` is the size of the body around the
 * events (for Snap `{"data":[]}`), `separatorBytes` what goes between two events (a comma). An event larger than
 * `maxBytes` on its own still gets a request of its own (the destination refuses it and it fails alone).
 */
export interface Sized<T> {
  item: T;
  json: string;
}

export interface ChunkLimits {
  maxEvents: number;
  maxBytes: number;
  envelopeBytes: number;
  separatorBytes?: number;
}

export function chunkBySize<T>(items: Array<Sized<T>>, limits: ChunkLimits): Array<Array<Sized<T>>> {
  const sep = limits.separatorBytes ?? 1;
  const out: Array<Array<Sized<T>>> = [];
  let current: Array<Sized<T>> = [];
  let bytes = limits.envelopeBytes;
  for (const it of items) {
    const size = Buffer.byteLength(it.json) + (current.length ? sep : 0);
    if (current.length && (current.length >= limits.maxEvents || bytes + size > limits.maxBytes)) {
      out.push(current);
      current = [];
      bytes = limits.envelopeBytes;
    }
    bytes += Buffer.byteLength(it.json) + (current.length ? sep : 0);
    current.push(it);
  }
  if (current.length) out.push(current);
  return out;
}

/** Below this many events a request is never split further for the sake of a small backlog. */
export const MIN_ADAPTIVE_REQUEST_EVENTS = 50;

/**
 * Events per request for `claimed` rows of one target. When the claim is full (the backlog is at least as large),
 * throughput matters: full requests of `maxEvents`. Otherwise about a tenth of the rows per request (at least
 * MIN_ADAPTIVE_REQUEST_EVENTS): the same events still leave at once, a handful of requests apart, but fewer of them are
 * in flight at any moment, so a crash leaves fewer events whose answer is unknown (they are resent with the same
 * event_id after the restart). Never more than `maxEvents`.
 */
export function requestSizeFor(claimed: number, claimFull: boolean, maxEvents: number): number {
  if (claimFull) return maxEvents;
  return Math.max(1, Math.min(maxEvents, Math.max(MIN_ADAPTIVE_REQUEST_EVENTS, Math.ceil(claimed / 10))));
}

/**
 * Events per request for `claimed` rows when only `slots` requests can leave now (the credential's free rate-limit
 * slots): requestSizeFor's size, made larger when it would need more requests than that, since each request beyond
 * them waits 1/rate s for the bucket (a claim in ten requests at 10/s would take a second).
 */
export function requestSizeWithin(claimed: number, claimFull: boolean, maxEvents: number, slots: number): number {
  const wanted = requestSizeFor(claimed, claimFull, maxEvents);
  return Math.max(1, Math.min(maxEvents, Math.max(wanted, Math.ceil(claimed / Math.max(1, slots)))));
}
