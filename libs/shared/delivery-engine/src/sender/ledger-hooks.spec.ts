import type { ItemOutcome } from '../outcomes';
import { refreshLeaseBeforeRequest, releaseUnsent } from './ledger-hooks';

const outcome = (key: string, over: Partial<ItemOutcome>): ItemOutcome => ({
  key,
  status: 'delivered',
  eventId: `e-${key}`,
  reasonCode: null,
  message: null,
  httpStatus: 200,
  sent: true,
  ...over,
});

describe('ledger hooks', () => {
  it('refreshes the lease and request deadline, and lets only the rows the claim still owns go', async () => {
    const calls: unknown[][] = [];
    const claim = { id: 'c1', leaseUntil: new Map<string, number>() };
    const ledger = {
      refreshLease: async (...args: [string, string[], number, number]) => {
        calls.push(args);
        return new Set(['1', '3']);
      },
    };
    const before = Date.now();
    const keys = await refreshLeaseBeforeRequest(
      { ledger, claim, lock: { held: true }, leaseMs: 30_000, requestDeadlineMs: 17_000 },
      ['1', '2', '3'],
    );
    expect(keys).toEqual(['1', '3']);
    expect(calls).toEqual([['c1', ['1', '2', '3'], 30_000, 17_000]]);
    expect(claim.leaseUntil.get('1')).toBeGreaterThanOrEqual(before + 30_000);
    expect(claim.leaseUntil.has('2')).toBe(false);
  });

  it("within the claim's fresh window a request goes without a write; after it, the lease is refreshed", async () => {
    const calls: string[][] = [];
    const ledger = { refreshLease: async (_c: string, ids: string[]) => (calls.push(ids), new Set(ids)) };
    const claim = { id: 'c1', leaseUntil: new Map([['1', 1]]), freshUntil: Date.now() + 60_000 };
    const opts = { ledger, claim, lock: { held: true }, leaseMs: 30_000, requestDeadlineMs: 17_000 };
    expect(await refreshLeaseBeforeRequest(opts, ['1', '2'])).toEqual(['1', '2']);
    expect(calls).toEqual([]);
    expect(claim.leaseUntil.get('1')).toBe(1); // the claim's own lease, unchanged
    expect(await refreshLeaseBeforeRequest({ ...opts, lock: { held: false } }, ['1'])).toEqual([]);
    claim.freshUntil = Date.now() - 1;
    expect(await refreshLeaseBeforeRequest(opts, ['1', '2'])).toEqual(['1', '2']);
    expect(calls).toEqual([['1', '2']]);
  });

  it('sends nothing and touches no row without the instance lock', async () => {
    let called = false;
    const ledger = { refreshLease: async () => ((called = true), new Set<string>()) };
    const claim = { id: 'c1', leaseUntil: new Map<string, number>() };
    const keys = await refreshLeaseBeforeRequest(
      { ledger, claim, lock: { held: false }, leaseMs: 1, requestDeadlineMs: 1 },
      ['1'],
    );
    expect(keys).toEqual([]);
    expect(called).toBe(false);
  });

  it('hands back unsent retrying rows until the pause ends; the others remain to be recorded', async () => {
    const released: Array<[string, string[], number]> = [];
    const ledger = { release: async (c: string, ids: string[], until: Date) => void released.push([c, ids, +until]) };
    const out = [
      outcome('1', {}),
      outcome('2', { status: 'retrying', sent: false, retryAfterMs: 5000 }),
      outcome('3', { status: 'retrying', sent: true, retryAfterMs: 5000 }),
      outcome('4', { status: 'retrying', sent: false, retryAfterMs: 5000 }),
    ];
    const rest = await releaseUnsent(ledger, 'c1', out, 1_000);
    expect(released).toEqual([['c1', ['2', '4'], 6_000]]);
    expect(rest.map((o) => o.key)).toEqual(['1', '3']);
  });
});
