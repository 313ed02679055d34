import { TokenBuckets } from './rate-limit';

describe('TokenBuckets', () => {
  const clock = () => {
    let t = 1_000_000;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  it('allows the burst, then asks to wait until one token has refilled', () => {
    const c = clock();
    const b = new TokenBuckets({ ratePerSecond: 2, burst: 3, now: c.now });
    expect([b.tryTake('k'), b.tryTake('k'), b.tryTake('k')]).toEqual([0, 0, 0]);
    expect(b.tryTake('k')).toBe(1); // 0.5 s to the next token, rounded up to whole seconds
    expect(b.tryTake('other')).toBe(0);
    c.advance(500);
    expect(b.tryTake('k')).toBe(0);
    expect(b.tryTake('k')).toBe(1);
  });

  it('rounds Retry-After up for slow rates (per-minute buckets)', () => {
    const c = clock();
    const b = new TokenBuckets({ ratePerSecond: 3 / 60, burst: 3, now: c.now });
    for (let i = 0; i < 3; i++) b.take('ip');
    expect(b.wait('ip')).toBe(20);
    c.advance(19_500);
    expect(b.wait('ip')).toBe(1);
    c.advance(500);
    expect(b.wait('ip')).toBe(0);
  });

  it('is disabled by a zero rate', () => {
    const b = new TokenBuckets({ ratePerSecond: 0, burst: 3 });
    for (let i = 0; i < 10; i++) expect(b.tryTake('k')).toBe(0);
    expect(b.size).toBe(0);
  });

  it('sweeps buckets that have refilled and bounds the number of buckets', () => {
    const c = clock();
    const b = new TokenBuckets({ ratePerSecond: 1, burst: 2, maxBuckets: 3, sweepEveryMs: 1000, now: c.now });
    for (const id of ['a', 'b', 'c', 'd']) b.take(id);
    expect(b.size).toBe(3); // 'a', least recently used, was dropped
    expect(b.wait('a')).toBe(0);
    c.advance(5000); // all full again
    b.take('e');
    expect(b.size).toBe(1);
  });

  it('keeps a bucket that is still in debt through a sweep', () => {
    const c = clock();
    const b = new TokenBuckets({ ratePerSecond: 0.1, burst: 1, sweepEveryMs: 1000, now: c.now });
    b.take('slow');
    c.advance(2000);
    b.take('other');
    expect(b.wait('slow')).toBe(8);
  });
});
