import { ConfigViewCache } from './config-view.cache';

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

describe('ConfigViewCache', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('serves a value for ttlMs, then reads again', async () => {
    const cache = new ConfigViewCache({ ttlMs: 1000, now: clock });
    let reads = 0;
    const load = async () => ({ n: ++reads });
    expect(await cache.get('k', load)).toEqual({ n: 1 });
    now += 999;
    expect(await cache.get('k', load)).toEqual({ n: 1 });
    now += 1;
    expect(await cache.get('k', load)).toEqual({ n: 2 });
  });

  it('caches null answers too, per key', async () => {
    const cache = new ConfigViewCache({ ttlMs: 1000, now: clock });
    const load = jest.fn(async () => null);
    await cache.get('host|a', load);
    await cache.get('host|a', load);
    await cache.get('host|b', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('shares one read between concurrent misses of a key', async () => {
    const cache = new ConfigViewCache({ ttlMs: 1000, now: clock });
    const gate = deferred<string>();
    const load = jest.fn(() => gate.promise);
    const a = cache.get('k', load);
    const b = cache.get('k', load);
    gate.resolve('v');
    expect(await Promise.all([a, b])).toEqual(['v', 'v']);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('does not keep a failed read', async () => {
    const cache = new ConfigViewCache({ ttlMs: 1000, now: clock });
    await expect(cache.get('k', async () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await cache.get('k', async () => 'ok')).toBe('ok');
  });

  it('forgets everything when a write to the view completes', async () => {
    const cache = new ConfigViewCache({ ttlMs: 60_000, now: clock });
    let version = 1;
    const load = async () => version;
    expect(await cache.get('k', load)).toBe(1);
    await cache.around(async () => {
      version = 2;
    });
    expect(await cache.get('k', load)).toBe(2);
  });

  it('reads through while a write is in flight and never stores what it read then', async () => {
    const cache = new ConfigViewCache({ ttlMs: 60_000, now: clock });
    const load = jest.fn(async () => 'x');
    const gate = deferred<void>();
    const write = cache.around(() => gate.promise);
    await cache.get('k', load);
    await cache.get('k', load);
    expect(load).toHaveBeenCalledTimes(2);
    gate.resolve();
    await write;
    await cache.get('k', load);
    await cache.get('k', load);
    expect(load).toHaveBeenCalledTimes(3);
  });

  it('does not store a read that started before a write and finished after it', async () => {
    const cache = new ConfigViewCache({ ttlMs: 60_000, now: clock });
    const slow = deferred<string>();
    const stale = cache.get('k', () => slow.promise); // read of the old state, still in flight
    await cache.around(async () => undefined); // the new state is stored
    slow.resolve('old');
    expect(await stale).toBe('old'); // that caller asked before the write
    expect(await cache.get('k', async () => 'new')).toBe('new');
  });

  it('never caches with ttlMs 0', async () => {
    const cache = new ConfigViewCache({ ttlMs: 0, now: clock });
    const load = jest.fn(async () => 'v');
    await cache.get('k', load);
    await cache.get('k', load);
    expect(load).toHaveBeenCalledTimes(2);
    expect(cache.size).toBe(0);
  });

  it('keeps at most maxEntries keys (request host names are unbounded)', async () => {
    const cache = new ConfigViewCache({ ttlMs: 60_000, maxEntries: 3, now: clock });
    for (const k of ['a', 'b', 'c', 'd']) await cache.get(k, async () => k);
    expect(cache.size).toBe(3);
    const load = jest.fn(async () => 'a2');
    expect(await cache.get('a', load)).toBe('a2'); // the oldest was dropped
    expect(await cache.get('d', async () => 'never')).toBe('d');
  });

  it('hands out frozen values (callers share them)', async () => {
    const cache = new ConfigViewCache({ ttlMs: 60_000, now: clock });
    const v = await cache.get('k', async () => ({ roles: [{ param: 'p', role: 'email' }] }));
    expect(Object.isFrozen(v)).toBe(true);
    expect(Object.isFrozen(v.roles[0])).toBe(true);
  });
});
