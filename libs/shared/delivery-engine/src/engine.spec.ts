import { CredentialLimits } from './credential-limits';
import { deliverBatch } from './engine';
import { FakeDestination, type FakeAnswer, type FakeConversion, type FakeEvent } from './testing/fake-destination';

const target = { targetId: 'px-1' };
const items = (n: number, value: (i: number) => number | null = (i) => i + 1) =>
  Array.from({ length: n }, (_, i) => ({ key: `row-${i}`, conversion: { id: `c${i}`, value: value(i) } }));
const limits = () => new CredentialLimits({ concurrencyPerCredential: 2 });

describe('deliverBatch with a fake destination', () => {
  it('delivers in requests of at most maxEventsPerRequest, outcomes in input order', async () => {
    const dest = new FakeDestination();
    const r = await deliverBatch(dest, { target, credential: 'tok', items: items(9) }, { limits: limits() });
    expect(dest.requests.map((q) => q.eventIds.length)).toEqual([4, 4, 1]);
    expect(r.requests).toBe(3);
    expect(r.outcomes.map((o) => [o.key, o.status])).toEqual(items(9).map((it) => [it.key, 'delivered']));
    expect(r.credential).toBeUndefined();
  });

  it('an event that fails validation is never sent; the others are', async () => {
    const dest = new FakeDestination();
    const r = await deliverBatch(
      dest,
      { target, credential: 'tok', items: items(3, (i) => (i === 1 ? null : i)) },
      { limits: limits() },
    );
    expect(r.outcomes[1]).toMatchObject({ status: 'failed', reasonCode: 'missing_value', sent: false });
    expect(dest.requests.flatMap((q) => q.eventIds)).toEqual([r.outcomes[0]!.eventId, r.outcomes[2]!.eventId]);
  });

  it('keeps an event id the delivery already has, and derives a stable one otherwise', async () => {
    const dest = new FakeDestination();
    const batch = [
      { key: 'a', conversion: { id: 'c1', value: 1 }, eventId: 'fixed-id' },
      { key: 'b', conversion: { id: 'c2', value: 2 } },
    ];
    const r = await deliverBatch(dest, { target, credential: 'tok', items: batch }, { limits: limits() });
    expect(r.outcomes.map((o) => o.eventId)).toEqual(['fixed-id', dest.eventId(batch[1]!.conversion, target)]);
  });

  it('splits a refused batch in halves until the bad event stands alone', async () => {
    const bad = (events: FakeEvent[]): FakeAnswer =>
      events.some((e) => e.value === 3) ? { status: 400 } : { status: 200 };
    const dest = new FakeDestination(bad);
    const r = await deliverBatch(dest, { target, credential: 'tok', items: items(4) }, { limits: limits() });
    expect(dest.requests.map((q) => q.eventIds.length)).toEqual([4, 2, 2, 1, 1]);
    expect(r.outcomes.map((o) => o.status)).toEqual(['delivered', 'delivered', 'failed', 'delivered']);
    expect(r.outcomes[2]).toMatchObject({ reasonCode: 'rejected', httpStatus: 400, sent: true });
  });

  it('sends the event the network named alone, and the rest together', async () => {
    const dest = new FakeDestination((events) =>
      events.length > 1 && events.some((e) => e.value === 2) ? { status: 400, culprit: 1 } : { status: 200 },
    );
    const r = await deliverBatch(dest, { target, credential: 'tok', items: items(4) }, { limits: limits() });
    expect(dest.requests.map((q) => q.eventIds.length)).toEqual([4, 1, 3]);
    expect(r.outcomes.every((o) => o.status === 'delivered')).toBe(true);
  });

  it('per-event refusals in an accepted answer fail only those events', async () => {
    const dest = new FakeDestination(() => ({ status: 200, refused: [0, 2] }));
    const r = await deliverBatch(dest, { target, credential: 'tok', items: items(3) }, { limits: limits() });
    expect(r.outcomes.map((o) => o.status)).toEqual(['failed', 'delivered', 'failed']);
    expect(dest.requests).toHaveLength(1);
  });

  it('401: the batch fails, nothing more is sent with the credential, and the failure is reported once', async () => {
    const dest = new FakeDestination(() => ({ status: 401 }));
    // One slot: the chunks queue behind the first request (with more slots, requests already started still go).
    const one = new CredentialLimits({ concurrencyPerCredential: 1 });
    const r = await deliverBatch(dest, { target, credential: 'revoked', items: items(9) }, { limits: one });
    expect(dest.requests).toHaveLength(1);
    expect(r.outcomes.map((o) => [o.status, o.reasonCode, o.sent])).toEqual([
      ...Array.from({ length: 4 }, () => ['failed', 'invalid_authentication', true]),
      ...Array.from({ length: 5 }, () => ['failed', 'invalid_authentication', false]),
    ]);
    expect(r.credential).toMatchObject({ kind: 'auth', reasonCode: 'invalid_authentication' });
  });

  it('429: retrying with the wait; the credential stays paused for the next batch, another one is not', async () => {
    let answer: FakeAnswer = { status: 429, retryAfterMs: 60_000 };
    const dest = new FakeDestination(() => answer);
    const shared = new CredentialLimits({ concurrencyPerCredential: 1 });
    const r = await deliverBatch(dest, { target, credential: 'tok', items: items(6) }, { limits: shared });
    expect(r.outcomes.map((o) => [o.status, o.retryAfterMs])).toEqual(
      Array.from({ length: 6 }, () => ['retrying', 60_000]),
    );
    expect(r.credential).toMatchObject({ kind: 'rate_limited', retryAfterMs: 60_000 });
    expect(dest.requests).toHaveLength(1);

    answer = { status: 200 };
    const again = await deliverBatch(dest, { target, credential: 'tok', items: items(2) }, { limits: shared });
    expect(again.outcomes.map((o) => [o.status, o.sent])).toEqual([
      ['retrying', false],
      ['retrying', false],
    ]);
    expect(again.outcomes[0]!.retryAfterMs).toBeGreaterThan(59_000);
    const other = await deliverBatch(dest, { target, credential: 'other', items: items(2) }, { limits: shared });
    expect(other.outcomes.map((o) => o.status)).toEqual(['delivered', 'delivered']);
  });

  it('a 5xx or a thrown send is retryable and does not stop the credential', async () => {
    let n = 0;
    const dest = new FakeDestination(() => {
      n++;
      if (n === 1) return { status: 503 };
      throw new Error('socket hang up');
    });
    const r = await deliverBatch(dest, { target, credential: 'tok', items: items(5) }, { limits: limits() });
    expect(r.outcomes.map((o) => o.reasonCode)).toEqual([
      'upstream_unavailable',
      'upstream_unavailable',
      'upstream_unavailable',
      'upstream_unavailable',
      'network',
    ]);
    expect(r.credential).toBeUndefined();
  });

  it('sends the chunks of a batch concurrently, within the credential slots', async () => {
    const dest = new FakeDestination(undefined, 20);
    const r = await deliverBatch(
      dest,
      { target, credential: 'tok', items: items(12) },
      { limits: new CredentialLimits({ concurrencyPerCredential: 3 }) },
    );
    expect(dest.requests).toHaveLength(3);
    expect(dest.maxInFlight).toBe(3);
    expect(r.outcomes.every((o) => o.status === 'delivered')).toBe(true);
  });

  it('hooks: beforeRequest withholds keys, aroundRequest wraps each request, onOutcomes sees each step', async () => {
    const dest = new FakeDestination();
    const steps: string[][] = [];
    const wrapped: string[][] = [];
    const r = await deliverBatch(
      dest,
      { target, credential: 'tok', items: items(6, (i) => (i === 0 ? null : i)) },
      {
        limits: new CredentialLimits({ concurrencyPerCredential: 1 }),
        hooks: {
          beforeRequest: async (keys) => keys.filter((k) => k !== 'row-2'),
          aroundRequest: async (keys, send) => {
            wrapped.push(keys);
            return send();
          },
          onOutcomes: async (out) => {
            steps.push(out.map((o) => `${o.key}:${o.status}`));
          },
        },
      },
    );
    expect(r.withdrawn).toEqual(['row-2']);
    expect(wrapped).toEqual([['row-1', 'row-3', 'row-4'], ['row-5']]);
    expect(steps).toEqual([
      ['row-0:failed'],
      ['row-1:delivered', 'row-3:delivered', 'row-4:delivered'],
      ['row-5:delivered'],
    ]);
    expect(r.outcomes.map((o) => o.key)).toEqual(['row-0', 'row-1', 'row-3', 'row-4', 'row-5']);
  });

  it('a throwing onOutcomes fails the call only after every chunk has settled', async () => {
    const dest = new FakeDestination(undefined, 10);
    let calls = 0;
    const run = deliverBatch(
      dest,
      { target, credential: 'tok', items: items(12) },
      {
        limits: new CredentialLimits({ concurrencyPerCredential: 3 }),
        hooks: {
          onOutcomes: async () => {
            calls++;
            if (calls === 1) throw new Error('database down');
          },
        },
      },
    );
    await expect(run).rejects.toThrow('database down');
    expect(dest.inFlight).toBe(0);
    expect(calls).toBe(3);
  });

  it('holds at most concurrencyPerCredential requests per credential; other credentials run alongside', async () => {
    const dest = new FakeDestination(undefined, 20);
    const shared = new CredentialLimits({ concurrencyPerCredential: 1 });
    const run = (credential: string, id: string) =>
      deliverBatch(
        dest,
        { target, credential, items: [{ key: id, conversion: { id, value: 1 } as FakeConversion }] },
        { limits: shared },
      );
    await Promise.all([run('tok', 'a'), run('tok', 'b'), run('tok', 'c')]);
    expect(dest.maxInFlight).toBe(1);
    dest.maxInFlight = 0;
    await Promise.all([run('tok', 'd'), run('other', 'e')]);
    expect(dest.maxInFlight).toBe(2);
  });
});
