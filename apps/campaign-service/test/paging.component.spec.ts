import { randomUUID } from 'node:crypto';
import { EntitySqlQuery } from '@snaptrack/util-db';
import { ListOrder, type PageArgs } from '@snaptrack/util-federation';
import { gqlAs } from '@snaptrack/util-testing';
import { Campaign, type CampaignStatusValue } from '../src/campaign/campaign.entity';
import { campaignPage } from '../src/campaign/campaign.service';
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

  it("the plain-SQL list query answers exactly what TypeORM's query builder answers, page by page", async () => {
    // Rows with the same created_at (the id breaks the tie), a deleted one and another account's, next to the five.
    const at = new Date('2026-12-01T10:00:00.123Z');
    for (const [i, account, deleted] of [
      [0, acc, false],
      [1, acc, false],
      [2, acc, true],
      [3, 'acc-other', false],
    ] as const)
      await app.ds.query(
        `INSERT INTO campaign (id, account_id, key, name, traffic_channel_id, offers, tracking_domain, tracking_method,
           landing_page_url, fallback_url, status, version, created_at, updated_at, deleted_at)
         VALUES ($1, $2, $3, $4, 'tc', '[{"offer_id":"o","weight":100}]', NULL, 'REDIRECT', NULL, 'https://f.example/',
           'ACTIVE', 3, $5, $5, $6)`,
        [randomUUID(), account, `tie${i}${randomUUID().slice(0, 8)}`, `Tie ${i}`, at, deleted ? at : null],
      );
    const both = async (args: PageArgs & { status?: CampaignStatusValue }) => {
      const ours = await campaignPage(EntitySqlQuery.for(app.ds, Campaign, 'c'), acc, args);
      const typeorm = await campaignPage(app.ds.getRepository(Campaign).createQueryBuilder('c'), acc, args);
      const view = async (p: typeof ours) => ({ nodes: p.nodes, pageInfo: p.pageInfo, total: await p.totalCount });
      const [a, b] = [await view(ours), await view(typeorm)];
      expect(a).toEqual(b);
      expect(a.nodes.every((n) => n instanceof Campaign && n.createdAt instanceof Date)).toBe(true);
      return a;
    };
    const all = await both({ first: 100 });
    expect(all.nodes.map((n) => n.name)).toEqual(expect.arrayContaining(['Tie 0', 'Tie 1', 'Campaign 4']));
    expect(all.total).toBe(7);
    await both({ first: 100, orderBy: ListOrder.OLDEST_FIRST });
    await both({ first: 3, status: 'PAUSED' });
    for (const order of [ListOrder.NEWEST_FIRST, ListOrder.OLDEST_FIRST]) {
      let p = await both({ first: 2, orderBy: order });
      while (p.pageInfo.hasNextPage) p = await both({ first: 2, after: p.pageInfo.endCursor, orderBy: order });
      let q = await both({ last: 3, orderBy: order });
      while (q.pageInfo.hasPreviousPage) q = await both({ last: 3, before: q.pageInfo.startCursor, orderBy: order });
    }
  });

  it('numbers only the parameters it was given, so a format like HH24:MI stays as written', () => {
    const q = EntitySqlQuery.for(app.ds, Campaign, 'c')
      .andWhere('c.account_id = :accountId AND c.name <> :accountId', { accountId: 'a' })
      .andWhere("to_char(c.created_at, 'HH24:MI') <> :t::text", { t: 'x' });
    expect(q.toSql().values).toEqual(['a', 'x']);
    expect(q.toSql().sql).toContain(
      "c.account_id = $1 AND c.name <> $1) AND (to_char(c.created_at, 'HH24:MI') <> $2::text",
    );
  });
});
