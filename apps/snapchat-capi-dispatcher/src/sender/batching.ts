/**
 * Pure: splits the events of one (pixel, token, endpoint) group into requests of at most `maxEvents` events and
 * `maxBytes` bytes of `{"data":[…]}` body, keeping order. An event larger than `maxBytes` on its own still gets a
 * request of its own (Snap answers 413 and it fails alone).
 */
export interface Sized<T> {
  item: T;
  json: string;
}

const ENVELOPE = Buffer.byteLength('{"data":[]}');

export function chunkForRequests<T>(
  items: Array<Sized<T>>,
  maxEvents: number,
  maxBytes: number,
): Array<Array<Sized<T>>> {
  const out: Array<Array<Sized<T>>> = [];
  let current: Array<Sized<T>> = [];
  let bytes = ENVELOPE;
  for (const it of items) {
    const size = Buffer.byteLength(it.json) + (current.length ? 1 : 0);
    if (current.length && (current.length >= maxEvents || bytes + size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = ENVELOPE;
    }
    bytes += Buffer.byteLength(it.json) + (current.length ? 1 : 0);
    current.push(it);
  }
  if (current.length) out.push(current);
  return out;
}

export function requestBody<T>(items: Array<Sized<T>>): string {
  return `{"data":[${items.map((i) => i.json).join(',')}]}`;
}

/** Below this many events a request is never split further for the sake of a small backlog. */
export const MIN_ADAPTIVE_REQUEST_EVENTS = 50;

/**
 * Events per request for `claimed` rows of one pixel. When the claim is full (the backlog is at least as large),
 * throughput matters: full requests of `maxEvents`. Otherwise about a tenth of the rows per request (at least
 * MIN_ADAPTIVE_REQUEST_EVENTS): the same events still leave at once, a handful of requests apart, but fewer of them are
 * in flight at any moment, so a crash leaves fewer events whose answer is unknown (they are resent with the same
 * event_id after the restart). Never more than `maxEvents`.
 */
export function requestSizeFor(claimed: number, claimFull: boolean, maxEvents: number): number {
  if (claimFull) return maxEvents;
  return Math.max(1, Math.min(maxEvents, Math.max(MIN_ADAPTIVE_REQUEST_EVENTS, Math.ceil(claimed / 10))));
}
