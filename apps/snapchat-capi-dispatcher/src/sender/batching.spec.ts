import { chunkForRequests, requestBody } from './batching';

const item = (n: number, size = 10) => ({ item: n, json: JSON.stringify({ n, pad: 'x'.repeat(size) }) });

describe('chunkForRequests', () => {
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
    expect(JSON.parse(body)).toEqual({ data: [{ n: 1, pad: '' }, { n: 2, pad: '' }] });
  });
});
