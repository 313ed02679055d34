import { DeliveryCommandV1, TOPICS, type DeliveryResultV1 } from '@snaptrack/contracts-events';
import { gqlAs, waitFor } from '@snaptrack/util-testing';
import { startTestConversionService, type TestConversionService } from './harness';
import {
  TestBus,
  clickValue,
  postback,
  publishClickAndWait,
  randomId,
  seedAccount,
  sha256,
  type CollectedMessage,
  type SeededAccount,
} from './factories';

const LIST = `query($filter: ConversionFilter, $first: Int, $after: String) {
  conversions(filter: $filter, first: $first, after: $after) {
    nodes { id type status payout currency campaign { id } offer { id } trafficChannel { id } }
    pageInfo { endCursor hasNextPage }
  }
}`;

describe('GraphQL: conversions, deliveries and delivery commands', () => {
  let app: TestConversionService;
  let bus: TestBus;
  let a: SeededAccount;
  let b: SeededAccount;
  let commands: CollectedMessage[];
  const ids: Record<string, string> = {};

  async function convert(
    acc: SeededAccount,
    name: string,
    click: Partial<Parameters<typeof clickValue>[1]>,
    params: Record<string, string>,
  ) {
    const c = await publishClickAndWait(
      bus,
      app.ds,
      clickValue(acc.accountId, { offer_source_id: acc.offerSourceId, offer_id: acc.offerId, ...click }),
    );
    const res = await postback(app.url, { secret: acc.secret, clickid: c.click_id, ...params });
    expect(res.status).toBe(200);
    ids[name] = res.body.conversion_id;
  }

  const result = (
    conversionId: string,
    accountId: string,
    over: Partial<DeliveryResultV1.Value> = {},
  ): DeliveryResultV1.Value => ({
    schema: 'delivery.result.v1',
    destination: 'snapchat-capi',
    conversion_id: conversionId,
    account_id: accountId,
    pixel_id: 'pixel-1',
    status: 'pending',
    reason_code: null,
    message: null,
    attempts: 0,
    http_status: null,
    event_name: 'PURCHASE',
    event_id: 'e',
    test_mode: false,
    placements: ['channel'],
    next_attempt_at: null,
    delivered_at: null,
    updated_at: new Date().toISOString(),
    revision: 1,
    ...over,
  });

  beforeAll(async () => {
    app = await startTestConversionService();
    bus = await TestBus.connect(app.config.kafkaTopicPrefix!);
    [a, b] = [await seedAccount(bus, app.ds), await seedAccount(bus, app.ds)];
    commands = await bus.collect(TOPICS.deliveryCommandV1);
    // Account A: five conversions over two campaigns, two channels, three types; account B: one.
    await convert(
      a,
      'a1',
      { campaign_id: 'cmp-x', traffic_channel_id: 'tc-x' },
      { type: 'Purchase', sum: '10', eventid: 'o1', email: 'a@example.com', phone: sha256('x') },
    );
    await convert(a, 'a2', { campaign_id: 'cmp-x', traffic_channel_id: 'tc-y' }, { type: 'Lead' });
    await convert(a, 'a3', { campaign_id: 'cmp-y', traffic_channel_id: 'tc-x' }, { type: 'Deposit', sum: '3' });
    await convert(
      a,
      'a4',
      {
        campaign_id: 'cmp-y',
        traffic_channel_id: 'tc-y',
        clicked_at: new Date(Date.now() - 20 * 86400000).toISOString(),
      },
      { type: 'Deposit', sum: '4' },
    );
    await convert(
      a,
      'a5',
      { campaign_id: 'cmp-y', traffic_channel_id: 'tc-y', offer_id: 'off-other', offer_source_id: a.offerSourceId },
      { type: 'Lead' },
    );
    await convert(b, 'b1', { campaign_id: 'cmp-x' }, { type: 'Lead' });
  });
  afterAll(async () => {
    await bus?.close();
    await app?.stop();
    await app?.dropDb();
  });

  it("lists only the caller's conversions, newest first", async () => {
    const res = await gqlAs(app.url, a.accountId, LIST);
    expect(res.errors).toBeUndefined();
    expect(res.data.conversions.nodes.map((n: { id: string }) => n.id)).toEqual([
      ids.a5,
      ids.a4,
      ids.a3,
      ids.a2,
      ids.a1,
    ]);
    const resB = await gqlAs(app.url, b.accountId, LIST);
    expect(resB.data.conversions.nodes.map((n: { id: string }) => n.id)).toEqual([ids.b1]);
  });

  it('pages with a cursor without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const res: Awaited<ReturnType<typeof gqlAs>> = await gqlAs(app.url, a.accountId, LIST, { first: 2, after });
      expect(res.errors).toBeUndefined();
      seen.push(...res.data.conversions.nodes.map((n: { id: string }) => n.id));
      if (!res.data.conversions.pageInfo.hasNextPage) break;
      after = res.data.conversions.pageInfo.endCursor;
    }
    expect(seen).toEqual([ids.a5, ids.a4, ids.a3, ids.a2, ids.a1]);
    const bad = await gqlAs(app.url, a.accountId, LIST, { after: 'garbage' });
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const tooMany = await gqlAs(app.url, a.accountId, LIST, { first: 1000 });
    expect(tooMany.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it.each([
    [{ campaignId: 'cmp-x' }, ['a2', 'a1']],
    [{ trafficChannelId: 'tc-y' }, ['a5', 'a4', 'a2']],
    [{ offerId: 'off-other' }, ['a5']],
    [{ type: 'Deposit' }, ['a4', 'a3']],
    [{ type: 'deposit' }, []],
    [{ status: 'EXPIRED_CLICK' }, ['a4']],
    [{ status: 'ATTRIBUTED', campaignId: 'cmp-y' }, ['a5', 'a3']],
  ])('filters by %j', async (filter, expected) => {
    const res = await gqlAs(app.url, a.accountId, LIST, { filter });
    expect(res.errors).toBeUndefined();
    expect(res.data.conversions.nodes.map((n: { id: string }) => n.id)).toEqual(expected.map((k) => ids[k]));
  });

  it('filters by time range', async () => {
    const [{ received_at }] = await app.ds.query(`SELECT received_at FROM conversion WHERE id = $1`, [ids.a3]);
    const res = await gqlAs(app.url, a.accountId, LIST, { filter: { from: received_at.toISOString() } });
    expect(res.data.conversions.nodes.map((n: { id: string }) => n.id)).toEqual([ids.a5, ids.a4, ids.a3]);
    const before = await gqlAs(app.url, a.accountId, LIST, { filter: { to: received_at.toISOString() } });
    expect(before.data.conversions.nodes.map((n: { id: string }) => n.id)).toEqual([ids.a2, ids.a1]);
    const inverted = await gqlAs(app.url, a.accountId, LIST, {
      filter: { from: new Date().toISOString(), to: new Date(0).toISOString() },
    });
    expect(inverted.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it("answers conversion(id) for the owner only; another account's id is NOT_FOUND", async () => {
    const q =
      `query($id: ID!) { conversion(id: $id) { id eventId type status payout currency transactionId ` +
      `clickId campaign { id } trafficChannel { id } offer { id } userData { role key prehashed } } }`;
    const res = await gqlAs(app.url, a.accountId, q, { id: ids.a1 });
    expect(res.errors).toBeUndefined();
    expect(res.data.conversion).toMatchObject({
      id: ids.a1,
      eventId: 'o1',
      type: 'Purchase',
      status: 'ATTRIBUTED',
      payout: 10,
      currency: 'EUR',
      transactionId: 'o1',
      campaign: { id: 'cmp-x' },
      trafficChannel: { id: 'tc-x' },
      offer: { id: a.offerId },
      userData: [
        { role: 'email', key: 'em', prehashed: false },
        { role: 'phone', key: 'ph', prehashed: true },
      ],
    });
    for (const id of [ids.b1, 'not-a-uuid', '00000000-0000-0000-0000-000000000000']) {
      const other = await gqlAs(app.url, a.accountId, q, { id });
      expect(other.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    }
  });

  it("resolves Conversion references (_entities) within the caller's account", async () => {
    const q = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Conversion { id type } } }`;
    const res = await gqlAs(app.url, a.accountId, q, {
      r: [
        { __typename: 'Conversion', id: ids.a2 },
        { __typename: 'Conversion', id: ids.b1 },
      ],
    });
    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toEqual([{ id: ids.a2, type: 'Lead' }, null]);
  });

  it('reports readiness (database; Kafka reported, not required) and Kafka with the outbox backlog', async () => {
    expect(await (await fetch(`${app.url}/readyz`)).json()).toEqual({
      status: 'ready',
      checks: { database: true, kafka: true, config_view: true },
    });
    const kafka = await fetch(`${app.url}/healthz/kafka`);
    expect(kafka.status).toBe(200);
    expect(await kafka.json()).toEqual({ kafka: true, outbox_pending: expect.any(Number) });
  });

  it('refuses callers without the gateway signature', async () => {
    const res = await gqlAs(app.url, null, LIST);
    expect(res.status).toBe(401);
  });

  it("shows the dispatcher's delivery results on Conversion.deliveries, keeping the highest revision", async () => {
    const delivered = new Date().toISOString();
    await bus.publishDeliveryResult(
      result(ids.a1, a.accountId, { status: 'retrying', attempts: 1, http_status: 503, revision: 1 }),
    );
    await bus.publishDeliveryResult(
      result(ids.a1, a.accountId, {
        status: 'delivered',
        attempts: 2,
        http_status: 200,
        delivered_at: delivered,
        revision: 2,
      }),
    );
    // late, older
    await bus.publishDeliveryResult(result(ids.a1, a.accountId, { status: 'retrying', attempts: 1, revision: 1 }));
    await bus.publishDeliveryResult(
      result(ids.a1, a.accountId, {
        pixel_id: 'pixel-2',
        status: 'failed',
        reason_code: 'invalid_authentication',
        message: 'fix the token',
        attempts: 1,
        http_status: 401,
        placements: ['channel', 'offer'],
        test_mode: true,
      }),
    );
    await waitFor(
      async () =>
        (await app.ds.query(`SELECT count(*)::int AS n FROM delivery WHERE conversion_id = $1`, [ids.a1]))[0].n === 2,
    );
    await waitFor(
      async () =>
        (
          await app.ds.query(`SELECT revision FROM delivery WHERE conversion_id = $1 AND pixel_id = 'pixel-1'`, [
            ids.a1,
          ])
        )[0].revision === '2',
    );
    const q =
      `query($id: ID!) { conversion(id: $id) { deliveries { pixelId status reasonCode message attempts ` +
      `httpStatus eventName testMode placements deliveredAt updatedAt } } }`;
    const res = await gqlAs(app.url, a.accountId, q, { id: ids.a1 });
    expect(res.errors).toBeUndefined();
    expect(res.data.conversion.deliveries).toEqual([
      {
        pixelId: 'pixel-1',
        status: 'DELIVERED',
        reasonCode: null,
        message: null,
        attempts: 2,
        httpStatus: 200,
        eventName: 'PURCHASE',
        testMode: false,
        placements: ['channel'],
        deliveredAt: delivered,
        updatedAt: expect.any(String),
      },
      {
        pixelId: 'pixel-2',
        status: 'FAILED',
        reasonCode: 'invalid_authentication',
        message: 'fix the token',
        attempts: 1,
        httpStatus: 401,
        eventName: 'PURCHASE',
        testMode: true,
        placements: ['channel', 'offer'],
        deliveredAt: null,
        updatedAt: expect.any(String),
      },
    ]);
    const list = await gqlAs(app.url, a.accountId, `{ conversions { nodes { id deliveries { pixelId } } } }`);
    expect(list.data.conversions.nodes.find((n: { id: string }) => n.id === ids.a1).deliveries).toHaveLength(2);
    expect(list.data.conversions.nodes.find((n: { id: string }) => n.id === ids.a2).deliveries).toEqual([]);
  });

  it("publishes a redeliver command for the caller's conversions and reports its progress", async () => {
    const m = `mutation($ids: [ID!]!, $pixel: String) { redeliverConversions(conversionIds: $ids, pixelId: $pixel) }`;
    const res = await gqlAs(app.url, a.accountId, m, { ids: [ids.a1, ids.a3, ids.a1], pixel: 'pixel-2' });
    expect(res.errors).toBeUndefined();
    const commandId = res.data.redeliverConversions;
    const msg = await waitFor(() => commands.find((c) => c.value.command_id === commandId), {
      what: 'redeliver command on the topic',
    });
    expect(msg.key).toBe(a.accountId);
    expect(DeliveryCommandV1.contract.assert(msg.value)).toMatchObject({
      kind: 'redeliver',
      account_id: a.accountId,
      conversion_ids: [ids.a1, ids.a3],
      pixel_id: 'pixel-2',
    });

    const progress =
      `query($id: ID!) { deliveryCommand(id: $id) { id kind conversionCount pixelId results byStatus { ` +
      `status count } } }`;
    const empty = await gqlAs(app.url, a.accountId, progress, { id: commandId });
    expect(empty.data.deliveryCommand).toEqual({
      id: commandId,
      kind: 'REDELIVER',
      conversionCount: 2,
      pixelId: 'pixel-2',
      results: 0,
      byStatus: [],
    });
    await bus.publishDeliveryResult(
      result(ids.a1, a.accountId, {
        pixel_id: 'pixel-2',
        status: 'delivered',
        attempts: 2,
        revision: 5,
        command_id: commandId,
      }),
    );
    await bus.publishDeliveryResult(
      result(ids.a3, a.accountId, {
        pixel_id: 'pixel-2',
        status: 'failed',
        attempts: 1,
        revision: 3,
        command_id: commandId,
      }),
    );
    await waitFor(
      async () => (await gqlAs(app.url, a.accountId, progress, { id: commandId })).data.deliveryCommand.results === 2,
      { what: 'two results for the command' },
    );
    const done = await gqlAs(app.url, a.accountId, progress, { id: commandId });
    expect(
      done.data.deliveryCommand.byStatus.sort((x: { status: string }, y: { status: string }) =>
        x.status.localeCompare(y.status),
      ),
    ).toEqual([
      { status: 'DELIVERED', count: 1 },
      { status: 'FAILED', count: 1 },
    ]);
    const foreign = await gqlAs(app.url, b.accountId, progress, { id: commandId });
    expect(foreign.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it("refuses to redeliver another account's or unknown conversions, and writes nothing", async () => {
    const m = `mutation($ids: [ID!]!) { redeliverConversions(conversionIds: $ids) }`;
    const count = async () =>
      (await app.ds.query(`SELECT count(*)::int AS n FROM delivery_command`))[0].n +
      (
        await app.ds.query(`SELECT count(*)::int AS n FROM outbox_message WHERE topic = $1`, [
          bus.topic(TOPICS.deliveryCommandV1),
        ])
      )[0].n;
    const before = await count();
    for (const list of [[ids.a1, ids.b1], [randomId()], []]) {
      const res = await gqlAs(app.url, a.accountId, m, { ids: list });
      expect(res.errors?.[0].extensions?.code).toBe(list.length ? 'NOT_FOUND' : 'BAD_USER_INPUT');
    }
    expect(await count()).toBe(before);
  });

  it("publishes a backfill command for the caller's pixel with 1 to 37 days", async () => {
    const m = `mutation($p: ID!, $d: Int!) { backfillPixel(pixelConfigId: $p, days: $d) }`;
    for (const d of [0, 38])
      expect((await gqlAs(app.url, a.accountId, m, { p: a.pixelConfigId, d })).errors?.[0].extensions?.code).toBe(
        'BAD_USER_INPUT',
      );
    expect((await gqlAs(app.url, a.accountId, m, { p: b.pixelConfigId, d: 7 })).errors?.[0].extensions?.code).toBe(
      'NOT_FOUND',
    );
    const res = await gqlAs(app.url, a.accountId, m, { p: a.pixelConfigId, d: 37 });
    expect(res.errors).toBeUndefined();
    const msg = await waitFor(() => commands.find((c) => c.value.command_id === res.data.backfillPixel));
    expect(msg.value).toMatchObject({
      kind: 'backfill',
      account_id: a.accountId,
      pixel_config_id: a.pixelConfigId,
      since_days: 37,
    });
    // The command names its pixel as the config-service entity (the gateway resolves the rest).
    const q = `query($id: ID!) { deliveryCommand(id: $id) { kind pixelConfigId pixel { id } } }`;
    const cmd = await gqlAs(app.url, a.accountId, q, { id: res.data.backfillPixel });
    expect(cmd.data?.deliveryCommand).toEqual({
      kind: 'BACKFILL',
      pixelConfigId: a.pixelConfigId,
      pixel: { id: a.pixelConfigId },
    });
  });
});
