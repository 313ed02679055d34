import { randomUUID } from 'node:crypto';
import { M, fails, ok } from './gql';
import { startTestConfigService, type TestConfigService } from './harness';

interface Page {
  nodes: Array<{ id: string }>;
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/** The paging contract of docs/api.md on config-service's lists: first/after, last/before, totalCount, orderBy. */
describe('paging contract (config-service lists)', () => {
  let app: TestConfigService;
  const acc = `acc-${randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    app = await startTestConfigService();
    for (let i = 0; i < 5; i++) {
      await ok(app.url, acc, M.createType, { input: { name: `Type ${i}` } });
      await ok(app.url, acc, M.createChannel, { input: { templateKey: 'snapchat', name: `Channel ${i}` } });
    }
  });
  afterAll(async () => {
    await app?.stop();
    await app?.dropDb();
  });

  const page = async (list: string, args: Record<string, unknown>, account = acc): Promise<Page> => {
    const decl = Object.keys(args)
      .map((k) => `$${k}: ${{ first: 'Int', last: 'Int', after: 'String', before: 'String', orderBy: 'ListOrder' }[k]}`)
      .join(', ');
    const pass = Object.keys(args)
      .map((k) => `${k}: $${k}`)
      .join(', ');
    const q = `query${decl ? `(${decl})` : ''} { ${list}${pass ? `(${pass})` : ''} {
      nodes { id } totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
    return (await ok(app.url, account, q, args))[list];
  };

  for (const list of ['conversionTypes', 'trafficChannels']) {
    it(`${list}: forwards (first/after) and backwards (last/before) over the same nodes; totalCount`, async () => {
      const all = await page(list, { first: 100 });
      expect(all.totalCount).toBe(5);
      expect(all.nodes).toHaveLength(5);
      expect(all.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
      const ids = all.nodes.map((n) => n.id);

      // Forwards, two at a time.
      const seen: string[] = [];
      const flags: Array<[boolean, boolean]> = [];
      let after: string | null = null;
      for (;;) {
        const p: Page = await page(list, after ? { first: 2, after } : { first: 2 });
        expect(p.totalCount).toBe(5);
        seen.push(...p.nodes.map((n) => n.id));
        flags.push([p.pageInfo.hasPreviousPage, p.pageInfo.hasNextPage]);
        if (!p.pageInfo.hasNextPage) break;
        after = p.pageInfo.endCursor;
      }
      expect(seen).toEqual(ids);
      expect(flags).toEqual([
        [false, true],
        [true, true],
        [true, false],
      ]);

      // Backwards from the end, two at a time: the same nodes, each page in list order.
      const back: string[][] = [];
      const backFlags: Array<[boolean, boolean]> = [];
      let before: string | null = null;
      for (;;) {
        const p: Page = await page(list, before ? { last: 2, before } : { last: 2 });
        expect(p.totalCount).toBe(5);
        back.unshift(p.nodes.map((n) => n.id));
        backFlags.push([p.pageInfo.hasPreviousPage, p.pageInfo.hasNextPage]);
        if (!p.pageInfo.hasPreviousPage) break;
        before = p.pageInfo.startCursor;
      }
      expect(back).toEqual([ids.slice(0, 1), ids.slice(1, 3), ids.slice(3, 5)]);
      expect(backFlags).toEqual([
        [true, false],
        [true, true],
        [false, true],
      ]);

      // Oldest first by default; NEWEST_FIRST reverses it.
      const newest = await page(list, { first: 100, orderBy: 'NEWEST_FIRST' });
      expect(newest.nodes.map((n) => n.id)).toEqual([...ids].reverse());
      const explicit = await page(list, { first: 100, orderBy: 'OLDEST_FIRST' });
      expect(explicit.nodes.map((n) => n.id)).toEqual(ids);

      // A cursor from the middle, backwards: the nodes before it.
      const mid = await page(list, { first: 3 });
      const beforeMid = await page(list, { last: 10, before: mid.pageInfo.endCursor });
      expect(beforeMid.nodes.map((n) => n.id)).toEqual(ids.slice(0, 2));
      expect(beforeMid.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
    });
  }

  it('another account sees an empty list: totalCount 0, no cursors', async () => {
    const empty = await page('trafficChannels', {}, `acc-${randomUUID().slice(0, 8)}`);
    expect(empty).toEqual({
      nodes: [],
      totalCount: 0,
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    });
  });

  it('refuses mixed directions, bad sizes and malformed cursors with BAD_USER_INPUT', async () => {
    const q = (args: string) => `{ trafficChannels(${args}) { nodes { id } } }`;
    const mixed = await fails(app.url, acc, q('first: 2, last: 2'), {}, 'BAD_USER_INPUT');
    expect(mixed.message).toMatch(/not both/);
    expect((await fails(app.url, acc, q('last: 0'), {}, 'BAD_USER_INPUT')).extensions?.field).toBe('last');
    expect((await fails(app.url, acc, q('first: 101'), {}, 'BAD_USER_INPUT')).extensions?.field).toBe('first');
    expect((await fails(app.url, acc, q('before: "nope"'), {}, 'BAD_USER_INPUT')).extensions?.field).toBe('before');
  });
});
