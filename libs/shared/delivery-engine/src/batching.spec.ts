import { chunkBySize, requestSizeFor, requestSizeWithin, type Sized } from './batching';

// Moved from the dispatcher's sender/batching.spec.ts (same assertions): chunking with a `{"data":[…]}` envelope.
const ENVELOPE = Buffer.byteLength('{"data":[]}');
const chunkForRequests = <T>(items: Array<Sized<T>>, maxEvents: number, maxBytes: number) =>
  chunkBySize(items, { maxEvents, maxBytes, envelopeBytes: ENVELOPE, separatorBytes: 1 });
const requestBody = <T>(items: Array<Sized<T>>) => `{"data":[${items.map((i) => i.json).join(',')}]}`;

const item = (n: number, size = 10) => ({ item: n, json: JSON.stringify({ n, pad: 'x'.repeat(size) }) });

describe('chunkBySize with an envelope', () => {
  it('splits at the event limit, keeping order', () => {
    const items = Array.from({ length: 4500 }, (_, i) => item(i));
    const chunks = chunkForRequests(items, 2000, 10_000_000);
    expect(chunks.map((c) => c.length)).toEqual([2000, 2000, 500]);
    expect(chunks.flat().map((c) => c.item)).toEqual(items.map((i) => i.item));
  });

  it('splits before the body would exceed the byte limit', () => {
    const items = Array.from({ length: 10 }, (_, i) => item(i, 300));
    const maxBytes = 1000;
    const chunks = chunkForRequests(items, 2000, maxBytes);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(Buffer.byteLength(requestBody(c))).toBeLessThanOrEqual(maxBytes);
    expect(chunks.flat()).toHaveLength(10);
  });

  it('gives an oversized event a request of its own', () => {
    const chunks = chunkForRequests([item(1, 10), item(2, 5000), item(3, 10)], 2000, 1000);
    expect(chunks.map((c) => c.map((x) => x.item))).toEqual([[1], [2], [3]]);
  });

  it('builds the {"data":[…]} body from the serialised events', () => {
    const body = requestBody([item(1, 0), item(2, 0)]);
    expect(JSON.parse(body)).toEqual({
      data: [
        { n: 1, pad: '' },
        { n: 2, pad: '' },
      ],
    });
  });
});

describe('requestSizeFor: smaller requests when the backlog is small', () => {
  it('full requests when the claim is full (the backlog is at least that large)', () => {
    expect(requestSizeFor(4000, true, 2000)).toBe(2000);
  });

  it('about a tenth of a smaller claim per request, at least 50, never more than the maximum', () => {
    expect(requestSizeFor(1, false, 2000)).toBe(50);
    expect(requestSizeFor(300, false, 2000)).toBe(50);
    expect(requestSizeFor(1000, false, 2000)).toBe(100);
    expect(requestSizeFor(3999, false, 2000)).toBe(400);
    expect(requestSizeFor(1000, false, 20)).toBe(20);
    expect(requestSizeFor(1000, false, 1)).toBe(1);
  });
});

describe('requestSizeWithin: no more requests than the rate limit lets go now', () => {
  it('keeps the adaptive size while the bucket has room for every request', () => {
    expect(requestSizeWithin(1000, false, 2000, 10)).toBe(100);
    expect(requestSizeWithin(300, false, 2000, 10)).toBe(50);
    expect(requestSizeWithin(4000, true, 2000, 10)).toBe(2000);
    expect(requestSizeWithin(1000, false, 2000, Infinity)).toBe(100);
  });

  it('makes larger requests when only a few can leave now, never above the maximum', () => {
    expect(requestSizeWithin(1000, false, 2000, 2)).toBe(500);
    expect(requestSizeWithin(1000, false, 2000, 1)).toBe(1000);
    expect(requestSizeWithin(1000, false, 2000, 0)).toBe(1000);
    expect(requestSizeWithin(3000, false, 2000, 1)).toBe(2000);
    expect(requestSizeWithin(1000, false, 20, 1)).toBe(20);
    expect(requestSizeWithin(1, false, 2000, 2)).toBe(50);
  });
});
