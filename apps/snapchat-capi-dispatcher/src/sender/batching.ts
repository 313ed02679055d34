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

export function chunkForRequests<T>(items: Array<Sized<T>>, maxEvents: number, maxBytes: number): Array<Array<Sized<T>>> {
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
