import { chunkBySize, requestSizeFor, type Sized } from '@snaptrack/delivery-engine';

export { MIN_ADAPTIVE_REQUEST_EVENTS, requestSizeFor, type Sized } from '@snaptrack/delivery-engine';

/** Snap's request body around the events: `{"data":[…]}` (docs/snap-capi.md "Request envelope"). */
const ENVELOPE = Buffer.byteLength('{"data":[]}');

/**
 * Pure: splits the events of one (pixel, token, endpoint) group into requests of at most `maxEvents` events and
 * `maxBytes` bytes of `{"data":[…]}` body, keeping order (the engine's chunkBySize with Snap's envelope). An event
 * larger than `maxBytes` on its own still gets a request of its own (Snap answers 413 and it fails alone).
 */
export function chunkForRequests<T>(
  items: Array<Sized<T>>,
  maxEvents: number,
  maxBytes: number,
): Array<Array<Sized<T>>> {
  return chunkBySize(items, { maxEvents, maxBytes, envelopeBytes: ENVELOPE, separatorBytes: 1 });
}

export function requestBody<T>(items: Array<Sized<T>>): string {
  return `{"data":[${items.map((i) => i.json).join(',')}]}`;
}

/**
 * Events per request for `claimed` rows when only `slots` requests can leave now (the token's free rate-limit slots,
 * at least its concurrency): requestSizeFor's size, made larger when it would need more requests than that, since
 * each request beyond them waits 1/rate s for the bucket (a claim in ten requests at 10/s would take a second).
 */
export function requestSizeWithin(claimed: number, claimFull: boolean, maxEvents: number, slots: number): number {
  const wanted = requestSizeFor(claimed, claimFull, maxEvents);
  return Math.max(1, Math.min(maxEvents, Math.max(wanted, Math.ceil(claimed / Math.max(1, slots)))));
}
