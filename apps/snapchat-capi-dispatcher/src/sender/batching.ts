import { chunkBySize, type Sized } from '@snaptrack/delivery-engine';

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
