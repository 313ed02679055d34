import { Batcher } from './batcher';

/** A promise the test resolves or rejects. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
const turn = () => new Promise<void>((r) => setImmediate(r));

describe('Batcher', () => {
  it('sends the items of one event-loop turn in one call and answers each with its own result', async () => {
    const calls: number[][] = [];
    const b = new Batcher<number, string>(async (items) => {
      calls.push(items);
      return items.map((i) => `r${i}`);
    });
    const answers = await Promise.all([1, 2, 3].map((i) => b.submit(i)));
    expect(answers).toEqual(['r1', 'r2', 'r3']);
    expect(calls).toEqual([[1, 2, 3]]);
    expect(b.calls).toBe(1);
  });

  it('queues items while maxConcurrent calls are in flight and sends them together when one returns', async () => {
    const gates: Array<ReturnType<typeof deferred<void>>> = [];
    const calls: number[][] = [];
    const b = new Batcher<number, number>(
      async (items) => {
        calls.push(items);
        const gate = deferred<void>();
        gates.push(gate);
        await gate.promise;
        return items;
      },
      { maxConcurrent: 1 },
    );
    const first = b.submit(1);
    await turn();
    expect(calls).toEqual([[1]]);
    const later = [b.submit(2), b.submit(3)];
    await turn();
    const fourth = b.submit(4);
    await turn();
    expect(calls).toHaveLength(1); // still waiting for the first call
    gates[0].resolve();
    await first;
    await turn();
    expect(calls).toEqual([[1], [2, 3, 4]]);
    gates[1].resolve();
    expect(await Promise.all([...later, fourth])).toEqual([2, 3, 4]);
  });

  it('splits at maxBatch', async () => {
    const sizes: number[] = [];
    const b = new Batcher<number, number>(
      async (items) => {
        sizes.push(items.length);
        return items;
      },
      { maxBatch: 2, maxConcurrent: 5 },
    );
    await Promise.all([1, 2, 3, 4, 5].map((i) => b.submit(i)));
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('fails every item of a failed call when it cannot retry them one by one', async () => {
    const b = new Batcher<number, number>(async () => {
      throw new Error('down');
    });
    const results = await Promise.allSettled([b.submit(1), b.submit(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('retries a failed call item by item with `single`, so only the bad item fails', async () => {
    const singles: number[] = [];
    const b = new Batcher<number, number>(
      async (items) => {
        if (items.includes(13)) throw new Error('bad item in batch');
        return items;
      },
      {
        single: async (i) => {
          singles.push(i);
          if (i === 13) throw new Error('bad item');
          return i * 10;
        },
      },
    );
    const results = await Promise.allSettled([b.submit(1), b.submit(13), b.submit(2)]);
    expect(results).toEqual([
      { status: 'fulfilled', value: 10 },
      { status: 'rejected', reason: new Error('bad item') },
      { status: 'fulfilled', value: 20 },
    ]);
    expect(singles.sort()).toEqual([1, 13, 2].sort());
  });

  it('does not retry when the failure is not retryable (its outcome may be unknown)', async () => {
    const single = jest.fn(async (i: number) => i);
    const b = new Batcher<number, number>(
      async () => {
        throw new Error('connection lost');
      },
      { single, retryable: () => false },
    );
    const results = await Promise.allSettled([b.submit(1), b.submit(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(single).not.toHaveBeenCalled();
  });

  it('rejects the items of a call that returns the wrong number of results, then keeps working', async () => {
    let broken = true;
    const b = new Batcher<number, number>(async (items) => (broken ? items.slice(1) : items));
    const results = await Promise.allSettled([b.submit(1), b.submit(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    broken = false;
    expect(await b.submit(3)).toBe(3);
  });
});
