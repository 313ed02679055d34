import { CredentialLimits } from './credential-limits';
import { deliverBatch } from './engine';
import { FakeDestination, type FakeAnswer } from './testing/fake-destination';

const target = { targetId: 'px-1' };
const items = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ key: `row-${i}`, conversion: { id: `c${i}`, value: i + 1 } }));

describe('deliverBatch options a ledger-backed sender needs', () => {
  it('maxConcurrency caps requests in flight over every credential', async () => {
    const dest = new FakeDestination(undefined, 20);
    const limits = new CredentialLimits({ concurrencyPerCredential: 3, maxConcurrency: 2 });
    await Promise.all(
      ['a', 'b'].map((credential) => deliverBatch(dest, { target, credential, items: items(12) }, { limits })),
    );
    expect(dest.requests).toHaveLength(6);
    expect(dest.maxInFlight).toBe(2);
  });

  it("an item's own target builds its event; the request goes to the batch's target", async () => {
    const dest = new FakeDestination();
    const r = await deliverBatch(
      dest,
      {
        target,
        credential: 'tok',
        items: [
          { key: 'a', conversion: { id: 'c1', value: 1 } },
          { key: 'b', conversion: { id: 'c2', value: 2 }, target: { targetId: 'px-other' } },
        ],
      },
      { limits: new CredentialLimits({ concurrencyPerCredential: 1 }) },
    );
    expect(r.outcomes.map((o) => o.eventId)).toEqual([
      dest.eventId({ id: 'c1', value: 1 }, target),
      dest.eventId({ id: 'c2', value: 2 }, { targetId: 'px-other' }),
    ]);
    expect(dest.requests).toHaveLength(1);
  });

  it('rateLimitWaitMs decides the pause after a 429 that named no wait', async () => {
    const dest = new FakeDestination((): FakeAnswer => ({ status: 429 }));
    const limits = new CredentialLimits({ concurrencyPerCredential: 1 });
    const seen: Array<[number | null, string[]]> = [];
    const r = await deliverBatch(
      dest,
      { target, credential: 'tok', items: items(6) },
      {
        limits,
        rateLimitWaitMs: (named, keys) => {
          seen.push([named, keys]);
          return 30_000;
        },
      },
    );
    expect(seen).toEqual([[null, ['row-0', 'row-1', 'row-2', 'row-3']]]);
    expect(r.outcomes.map((o) => [o.status, o.sent, o.retryAfterMs])).toEqual([
      ...Array.from({ length: 4 }, () => ['retrying', true, 30_000]),
      ...Array.from({ length: 2 }, () => ['retrying', false, 30_000]),
    ]);
    expect(r.credential).toMatchObject({ kind: 'rate_limited', retryAfterMs: 30_000, httpStatus: 429 });
    expect(limits.pausedFor(dest.credentialKey('tok'))).toBeGreaterThan(29_000);
    expect(limits.pausedCount()).toBe(1);
  });
});
