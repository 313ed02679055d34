import type { ConversionCreatedV1 } from '@snaptrack/contracts-events';
import { IngestCoalescer } from './ingest-coalescer';

const conv = (id: string) => ({ conversion_id: id }) as ConversionCreatedV1.Value;
const part = (...ids: string[]) => ids.map(conv);

describe('IngestCoalescer', () => {
  it('puts the parts submitted together (the partitions of one fetch) into one transaction', async () => {
    const calls: string[][] = [];
    const c = new IngestCoalescer(async (values) => {
      calls.push(values.map((v) => v.conversion_id));
      return values.length;
    }, 100);
    const results = await Promise.all([
      c.submit(part('a', 'b'), new Map()),
      c.submit(part('c'), new Map([['c', 'tp']])),
      c.submit(part('d'), new Map()),
    ]);
    expect(calls).toEqual([['a', 'b', 'c', 'd']]);
    expect(results).toEqual([4, 4, 4]);
    expect(c.transactions).toBe(1);
  });

  it('parts submitted while a transaction runs go together into the next one, within maxValues', async () => {
    const calls: string[][] = [];
    let release!: () => void;
    const first = new Promise<void>((r) => (release = r));
    const c = new IngestCoalescer(async (values) => {
      calls.push(values.map((v) => v.conversion_id));
      if (calls.length === 1) await first;
      return 1;
    }, 3);
    const p1 = c.submit(part('a'), new Map());
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const rest = [
      c.submit(part('b', 'c'), new Map()),
      c.submit(part('d'), new Map()),
      c.submit(part('e', 'f'), new Map()),
    ];
    release();
    await Promise.all([p1, ...rest]);
    expect(calls).toEqual([['a'], ['b', 'c', 'd'], ['e', 'f']]);
  });

  it('merges the trace parents of the parts', async () => {
    let seen: ReadonlyMap<string, string> = new Map();
    const c = new IngestCoalescer(async (_values, tps) => {
      seen = tps;
      return 0;
    }, 10);
    await Promise.all([c.submit(part('a'), new Map([['a', 'x']])), c.submit(part('b'), new Map([['b', 'y']]))]);
    expect([...seen]).toEqual([
      ['a', 'x'],
      ['b', 'y'],
    ]);
  });

  it('a failed transaction fails every part in it, and the next parts still run', async () => {
    let n = 0;
    const c = new IngestCoalescer(async () => {
      if (++n === 1) throw new Error('database down');
      return 2;
    }, 10);
    const failed = [c.submit(part('a'), new Map()), c.submit(part('b'), new Map())];
    await expect(failed[0]).rejects.toThrow('database down');
    await expect(failed[1]).rejects.toThrow('database down');
    await expect(c.submit(part('c'), new Map())).resolves.toBe(2);
  });
});
