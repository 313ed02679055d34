import { Semaphore, TokenBucket } from './limits';

describe('Semaphore', () => {
  it('lets at most `size` holders in, first come first served', async () => {
    const s = new Semaphore(2);
    const order: number[] = [];
    await s.acquire();
    await s.acquire();
    const third = s.acquire().then(() => order.push(3));
    const fourth = s.acquire().then(() => order.push(4));
    expect(s.inUse).toBe(2);
    s.release();
    await third;
    s.release();
    await fourth;
    expect(order).toEqual([3, 4]);
  });
});

describe('TokenBucket', () => {
  it('allows a burst of `rate`, then paces to `rate` per second', async () => {
    let t = 0;
    const b = new TokenBucket(5, () => t);
    for (let i = 0; i < 5; i++) await b.take();
    let done = false;
    const sixth = b.take().then(() => (done = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(done).toBe(false);
    t += 200; // one token refilled
    await sixth;
    expect(done).toBe(true);
  });

  it('available() counts the tokens a take would get now, less the takes already queued', async () => {
    let t = 0;
    const b = new TokenBucket(4, () => t);
    expect(b.available()).toBe(4);
    await b.take();
    await b.take();
    expect(b.available()).toBe(2);
    await b.take();
    await b.take();
    expect(b.available()).toBe(0);
    const waiting = b.take();
    t += 250; // one token refilled, and one take is already waiting for it
    expect(b.available()).toBe(0);
    await waiting;
    t += 500;
    expect(b.available()).toBe(2);
    expect(new TokenBucket(0).available()).toBe(Infinity);
  });

  it('rate 0 means no limit', async () => {
    const b = new TokenBucket(0);
    await Promise.all(Array.from({ length: 1000 }, () => b.take()));
  });
});
