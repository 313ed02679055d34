import { randomUUID } from 'node:crypto';
import { gqlAs } from '@snaptrack/util-testing';
import { ConfigFixtures } from './config-entities';
import { startTestCampaignService, type TestCampaignService } from './harness';

const PAGE = `query($first: Int, $after: String, $last: Int, $before: String, $orderBy: ListOrder,
  $status: CampaignStatus) {
  campaigns(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy, status: $status) {
    nodes { id name } totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;

interface Page {
  nodes: Array<{ id: string; name: string }>;
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/** The paging contract of docs/api.md on campaigns: newest first by default, both directions, totalCount. */
describe('paging contract (campaigns)', () => {
  let app: TestCampaignService;
  let config: ConfigFixtures;
  const acc = `acc-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    app = await startTestCampaignService({ configWaitMs: 1000 });
    config = new ConfigFixtures(app.config.kafkaTopicPrefix ?? '');
    await config.connect();
    const channel = await config.snapchatChannel(acc);
    const offer = await config.offer(acc, 'https://offer.example.com/go?cid={clickid}');
    for (let i = 0; i < 5; i++) {
      const res = await gqlAs(
        app.url,
        acc,
        'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
        {
          input: {
            name: `Campaign ${i}`,
            trafficChannelId: channel,
            offers: [{ offerId: offer }],
            trackingMethod: 'REDIRECT',
            ...(i === 4 ? { status: 'PAUSED' } : {}),
          },
        },
      );
      expect(res.errors).toBeUndefined();
    }
  });
  afterAll(async () => {
    await config?.disconnect();
    await app?.stop();
    await app?.dropDb();
  });

  const page = async (vars: Record<string, unknown>): Promise<Page> => {
    const res = await gqlAs(app.url, acc, PAGE, vars);
    expect(res.errors).toBeUndefined();
    return (res.data as { campaigns: Page }).campaigns;
  };

  it('newest first by default; OLDEST_FIRST reverses it; totalCount counts the filtered list', async () => {
    const all = await page({ first: 100 });
    expect(all.nodes.map((n) => n.name)).toEqual([
      'Campaign 4',
      'Campaign 3',
      'Campaign 2',
      'Campaign 1',
      'Campaign 0',
    ]);
    expect(all.totalCount).toBe(5);
    const oldest = await page({ first: 100, orderBy: 'OLDEST_FIRST' });
    expect(oldest.nodes.map((n) => n.id)).toEqual(all.nodes.map((n) => n.id).reverse());
    const active = await page({ first: 1, status: 'ACTIVE' });
    expect([active.nodes.map((n) => n.name), active.totalCount]).toEqual([['Campaign 3'], 4]);
  });

  it('pages forwards with first/after and backwards with last/before over the same nodes', async () => {
    const ids = (await page({ first: 100 })).nodes.map((n) => n.id);
    const forward: string[][] = [];
    let p = await page({ first: 2 });
    forward.push(p.nodes.map((n) => n.id));
    expect(p.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
    while (p.pageInfo.hasNextPage) {
      p = await page({ first: 2, after: p.pageInfo.endCursor });
      expect(p.totalCount).toBe(5);
      expect(p.pageInfo.hasPreviousPage).toBe(true);
      forward.push(p.nodes.map((n) => n.id));
    }
    expect(forward).toEqual([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)]);

    const backward: string[][] = [];
    let b = await page({ last: 2 });
    backward.unshift(b.nodes.map((n) => n.id));
    expect(b.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    while (b.pageInfo.hasPreviousPage) {
      b = await page({ last: 2, before: b.pageInfo.startCursor });
      expect(b.pageInfo.hasNextPage).toBe(true);
      backward.unshift(b.nodes.map((n) => n.id));
    }
    expect(backward).toEqual([ids.slice(0, 1), ids.slice(1, 3), ids.slice(3)]);
  });
});
