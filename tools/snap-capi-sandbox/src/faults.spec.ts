import { FaultQueue, parseFaultSpec } from './faults';

const A = '5bf81ee1-15b1-4dc1-b636-d7dae49b950e';
const B = '0c6a9a3e-8f0e-4d6b-9a57-4a1f2c3d4e5f';

describe('parseFaultSpec', () => {
  it.each([
    [{ status: 500 }],
    [{ status: 429, retry_after_s: 30, count: 3, pixel_id: A }],
    [{ drop_connection: true, after_processing: true }],
    [{ delay_ms: 2000 }],
    [{ status: 200, body: { status: 'INVALID', reason: 'x' }, endpoint: 'any' }],
    [{ status: 200, raw_body: 'OK' }],
    [{ status: 429, headers: { 'Retry-After': 'Wed, 21 Oct 2026 07:28:00 GMT' } }],
  ])('accepts %j', (spec) => {
    expect(parseFaultSpec(spec)).toEqual({ ok: true, spec });
  });

  it.each<[unknown, RegExp]>([
    [null, /JSON object/],
    [{}, /needs status, drop_connection or delay_ms/],
    [{ status: 700 }, /status must be/],
    [{ status: 101 }, /status must be/],
    [{ status: 500, drop_connection: true }, /either status or drop_connection/],
    [{ status: 500, count: 0 }, /count must be/],
    [{ status: 500, pixel_id: 'px' }, /pixel_id must be a UUID/],
    [{ status: 500, endpoint: 'logs' }, /endpoint must be/],
    [{ retry_after_s: 5, delay_ms: 1 }, /retry_after_s is only used together with status/],
    [{ delay_ms: 10, after_processing: true }, /after_processing needs/],
    [{ status: 500, colour: 'red' }, /unknown fault field "colour"/],
    [{ delay_ms: 10, raw_body: 'x' }, /raw_body is only used together with status/],
    [{ status: 200, raw_body: 'x', body: {} }, /either body or raw_body/],
    [{ status: 302, headers: { location: 'http://a\r\nx: y' } }, /headers must be/],
    [{ status: 302, headers: ['location'] }, /headers must be/],
    [{ refuse_event_ids: 'ev-1' }, /refuse_event_ids must be a non-empty array/],
    [{ refuse_event_ids: ['ev-1'], status: 200 }, /use it without status/],
  ])('rejects %j', (spec, message) => {
    const result = parseFaultSpec(spec);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join('; ')).toMatch(message);
  });
});

describe('FaultQueue', () => {
  it('answers the next N matching requests in FIFO order, then stops', () => {
    const queue = new FaultQueue();
    queue.add({ status: 500, count: 2 });
    queue.add({ status: 503 });
    expect([1, 2, 3, 4].map(() => queue.take(A, 'send')?.status)).toEqual([500, 500, 503, undefined]);
  });

  it('matches by pixel (case-insensitively) and by endpoint; send is the default endpoint', () => {
    const queue = new FaultQueue();
    queue.add({ status: 500, pixel_id: B.toUpperCase() });
    queue.add({ status: 429, endpoint: 'validate' });
    expect(queue.take(A, 'send')).toBeUndefined();
    expect(queue.take(A, 'validate')?.status).toBe(429);
    expect(queue.take(B, 'send')?.status).toBe(500);
    expect(queue.list()).toEqual([]);
  });

  it('an "any" rule also matches logs and stats', () => {
    const queue = new FaultQueue();
    queue.add({ status: 503, endpoint: 'any', count: 2 });
    expect(queue.take(A, 'logs')?.status).toBe(503);
    expect(queue.take(A, 'stats')?.status).toBe(503);
  });

  it('add() throws on an invalid spec; clear() empties the queue', () => {
    const queue = new FaultQueue();
    expect(() => queue.add({})).toThrow(/invalid fault/);
    queue.add({ status: 500, count: 5 });
    expect(queue.clear()).toBe(1);
    expect(queue.take(A, 'send')).toBeUndefined();
  });
});
