import { gqlAs } from '@snaptrack/util-testing';
import { startTestAccountService, type TestAccountService } from './harness';

const PAGE = `query($first: Int, $after: String, $last: Int, $before: String, $orderBy: ListOrder, $all: Boolean) {
  viewer { apiKeysConnection(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy,
    includeRevoked: $all) {
    nodes { id name revokedAt } totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;

interface Page {
  nodes: Array<{ id: string; name: string; revokedAt: string | null }>;
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/** API keys follow the paging contract of every list (docs/api.md): Viewer.apiKeysConnection. */
describe('API keys as a connection', () => {
  let svc: TestAccountService;
  let accountId: string;
  const names = ['default', 'k1', 'k2', 'k3'];
  beforeAll(async () => {
    svc = await startTestAccountService();
    const created = await svc.accounts.createAccount('Pager');
    accountId = created.account.id;
    for (const name of names.slice(1)) await svc.accounts.issue(accountId, name);
    const keys = await gqlAs(svc.url, accountId, '{ viewer { apiKeys { id name } } }');
    const k2 = keys.data.viewer.apiKeys.find((k: { name: string }) => k.name === 'k2');
    await svc.accounts.revoke(accountId, k2.id);
  });
  afterAll(async () => {
    await svc?.stop();
    await svc?.dropDb();
  });

  const page = async (vars: Record<string, unknown>): Promise<Page> => {
    const res = await gqlAs(svc.url, accountId, PAGE, vars);
    expect(res.errors).toBeUndefined();
    return res.data.viewer.apiKeysConnection;
  };

  it('pages forwards and backwards over the keys, oldest first, with totalCount', async () => {
    const all = await page({ first: 100 });
    expect(all.nodes.map((k) => k.name)).toEqual(names);
    expect(all.totalCount).toBe(4);
    const p1 = await page({ first: 3 });
    expect([p1.nodes.map((k) => k.name), p1.pageInfo.hasNextPage, p1.pageInfo.hasPreviousPage]).toEqual([
      names.slice(0, 3),
      true,
      false,
    ]);
    const p2 = await page({ first: 3, after: p1.pageInfo.endCursor });
    expect([p2.nodes.map((k) => k.name), p2.pageInfo.hasNextPage, p2.pageInfo.hasPreviousPage]).toEqual([
      names.slice(3),
      false,
      true,
    ]);
    const back = await page({ last: 2, before: p2.pageInfo.startCursor });
    expect([back.nodes.map((k) => k.name), back.pageInfo.hasPreviousPage, back.pageInfo.hasNextPage]).toEqual([
      ['k1', 'k2'],
      true,
      true,
    ]);
    const newest = await page({ first: 1, orderBy: 'NEWEST_FIRST' });
    expect(newest.nodes.map((k) => k.name)).toEqual(['k3']);
  });

  it('leaves revoked keys out on request (totalCount too)', async () => {
    const active = await page({ first: 100, all: false });
    expect([active.nodes.map((k) => k.name), active.totalCount]).toEqual([['default', 'k1', 'k3'], 3]);
  });
});
