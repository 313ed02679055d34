import { randomUUID } from 'node:crypto';
import { startSystem, type Platform } from './platform';

const { loadExamples, resolveVariables } = require('../../scripts/api-examples.js');
const { waitFor } = require('../../scripts/walkthrough.js');
const { devAccount } = require('../../scripts/platform.js');

interface GraphQLAnswer {
  http: number;
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
}

/**
 * The worked examples of docs/api.md (docs/api/examples/, spliced into the page by `npm run generate`) run in order
 * against the whole platform, each without errors; then what a client sees when a subgraph is down.
 */
describe('docs/api.md examples against the whole platform', () => {
  let p: Platform;
  const ctx: Record<string, unknown> = {};

  const gql = async (query: string, variables: Record<string, unknown> = {}, key = p.apiKey) => {
    const res = await fetch(`${p.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    return { http: res.status, ...((await res.json()) as Omit<GraphQLAnswer, 'http'>) };
  };

  /**
   * A Snapchat ad click on the campaign's link and the network's postback for it; waits for Snapchat's event, then
   * for conversion-service to learn the outcome (delivery.result.v1 arrives through Kafka after Snapchat answered).
   */
  const clickAndPostback = async () => {
    const campaign = ctx.campaign as { trackingLink: string };
    const source = ctx.offerSource as { postbackSecret: string };
    const landing = new URL(campaign.trackingLink.replace(/\{\{[^}]+\}\}/g, 'docs'));
    landing.searchParams.set('ScCid', `sc-${randomUUID()}`);
    const clickUrl = new URL(`${p.trackingUrl}/click`);
    for (const [k, v] of landing.searchParams) clickUrl.searchParams.set(k, v);
    clickUrl.searchParams.set('_lp', `${landing.origin}${landing.pathname}`);
    const click = (await (await fetch(clickUrl)).json()) as { clickid: string };
    expect(click.clickid).toEqual(expect.any(String));
    const postback = new URL(`${p.trackingUrl}/postback`);
    const params = { secret: source.postbackSecret, clickid: click.clickid, sum: '49.90', type: 'Purchase' };
    Object.entries({ ...params, currency: 'USD', eventid: 'order-1', email: 'person@example.com' }).forEach(([k, v]) =>
      postback.searchParams.set(k, v),
    );
    await waitFor(async () => [200, 202].includes((await fetch(postback)).status), 'the postback', 30_000);
    await waitFor(
      async () =>
        (
          (await (await fetch(`${p.sandboxUrl}/__admin/events?pixel_id=${ctx.$pixelId as string}`)).json()) as {
            events: unknown[];
          }
        ).events.length > 0,
      'Snapchat to receive the conversion',
      120_000,
    ).catch((e: Error) => {
      throw new Error(
        `${e.message}\n${p.logs
          .filter((l) => !l.includes('"level":"debug"'))
          .slice(-40)
          .join('\n')}`,
      );
    });
    await waitFor(
      async () => {
        const { data } = await gql('{ conversions(first: 1) { nodes { deliveries { status } } } }');
        const latest = (data?.conversions as { nodes: Array<{ deliveries: Array<{ status: string }> }> } | undefined)
          ?.nodes[0];
        return latest?.deliveries[0]?.status === 'DELIVERED';
      },
      'conversion-service to record the delivery',
      30_000,
    );
  };
  const hooks: Record<string, () => Promise<void>> = { 'click-and-postback': clickAndPostback };

  beforeAll(async () => {
    p = await startSystem();
    Object.assign(ctx, {
      $today: new Date().toISOString().slice(0, 10),
      $pixelId: randomUUID(),
      $offerPixelId: randomUUID(),
      $accessToken: `snap-capi-${randomUUID()}`,
    });
  }, 600_000);
  afterAll(async () => {
    await p?.stop();
  });

  it('the development explorer opens with the account key the launcher passed (as npm start does)', async () => {
    const init = await fetch(`${p.gatewayUrl}/explorer/assets/init.js`);
    expect([init.status, init.headers.get('cache-control')]).toEqual([200, 'no-store']);
    expect(await init.text()).toContain(`Bearer ${p.apiKey}`);
  });

  it('every example runs in order without errors', async () => {
    const steps = loadExamples() as Array<{
      file: string;
      query: string;
      variables?: unknown;
      before?: string;
      eventually?: boolean;
    }>;
    expect(steps.length).toBeGreaterThanOrEqual(20);
    for (const step of steps) {
      if (step.before) await hooks[step.before]();
      const variables = resolveVariables(step.variables ?? {}, ctx) as Record<string, unknown>;
      let answer = await gql(step.query, variables);
      // `eventually`: the step names something another service learns through Kafka (docs/api.md says to retry).
      const deadline = Date.now() + 30_000;
      while (step.eventually && answer.errors?.[0]?.extensions?.code === 'NOT_FOUND' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        answer = await gql(step.query, variables);
      }
      expect({ file: step.file, http: answer.http, errors: answer.errors }).toEqual({
        file: step.file,
        http: 200,
        errors: undefined,
      });
      Object.assign(ctx, answer.data);
    }
    // What the examples claim: the setup, the conversion and the management tasks did what docs/api.md says.
    expect(ctx.channel).toMatchObject({ clickIdParam: 'ScCid' });
    expect((ctx.conversions as { nodes: Array<{ deliveries: Array<{ status: string }> }> }).nodes[0]).toMatchObject({
      deliveries: [{ status: 'DELIVERED' }],
    });
    expect(ctx.verifiedDomain).toMatchObject({ hostname: 'localhost', verificationStatus: 'VERIFIED' });
    expect(ctx.revoked).toBe(true);
    const { newKey, rotatedKey } = ctx as Record<string, { apiKey: string; keyId: string }>;
    expect(rotatedKey.keyId).not.toBe(newKey.keyId);
    expect((ctx.report as { totals: Array<{ clicks: number; conversions: number }> }).totals).toEqual([
      expect.objectContaining({ clicks: 1, conversions: 1 }),
    ]);
  });

  it('answers the errors docs/api.md lists with their codes and HTTP statuses', async () => {
    const codeOf = (a: GraphQLAnswer) => [a.http, a.errors?.[0]?.extensions?.code];
    expect(codeOf(await gql('{ viewer { accountId } }', {}, 'stk_not_a_key'))).toEqual([401, 'UNAUTHENTICATED']);
    expect(codeOf(await gql('{ viewer { nope } }'))).toEqual([400, 'GRAPHQL_VALIDATION_FAILED']);
    expect(codeOf(await gql('{ viewer { '))).toEqual([400, 'GRAPHQL_PARSE_FAILED']);
    expect(codeOf(await gql('mutation { adminCreateAccount(name: "x") { keyId } }'))).toEqual([200, 'FORBIDDEN']);
    const missing = await gql('query($id: ID!) { campaign(id: $id) { id } }', { id: randomUUID() });
    expect(codeOf(missing)).toEqual([200, 'NOT_FOUND']);
    const again = await gql(
      'mutation($o: ID!, $i: PixelInput!) { addOfferPixel(offerId: $o, input: $i) { id } }',
      resolveVariables({ o: '{{offer.id}}', i: { pixelId: '{{$pixelId}}', accessToken: '{{$accessToken}}' } }, ctx),
    );
    expect(codeOf(again)).toEqual([200, 'DUPLICATE_PIXEL']);
    // Another account asking for the tracking domain this one holds.
    const other = devAccount({ ...p.launch, fresh: true, name: 'Other account' }) as { api_key: string };
    const taken = await gql(
      'mutation { createTrackingDomain(input: { hostname: "localhost" }) { id } }',
      {},
      other.api_key,
    );
    expect([...codeOf(taken), taken.errors?.[0]?.extensions?.field]).toEqual([200, 'DOMAIN_TAKEN', 'hostname']);
    // An automatic persisted query the gateway has not seen: the client sends the full query then.
    const apq = await fetch(`${p.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${p.apiKey}` },
      body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }),
    });
    expect(codeOf({ http: apq.status, ...((await apq.json()) as object) })).toEqual([200, 'PERSISTED_QUERY_NOT_FOUND']);
    // CSRF prevention: a GET without a preflight header is refused before it runs.
    const get = await fetch(`${p.gatewayUrl}/graphql?query=${encodeURIComponent('{ viewer { accountId } }')}`, {
      headers: { authorization: `Bearer ${p.apiKey}` },
    });
    const csrf = (await get.json()) as GraphQLAnswer;
    expect([get.status, csrf.errors?.[0]?.extensions?.code]).toEqual([400, 'BAD_REQUEST']);
    const preflighted = await fetch(`${p.gatewayUrl}/graphql?query=${encodeURIComponent('{ viewer { accountId } }')}`, {
      headers: { authorization: `Bearer ${p.apiKey}`, 'apollo-require-preflight': 'true' },
    });
    expect(preflighted.status).toBe(200);
    const big = await fetch(`${p.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${p.apiKey}` },
      body: JSON.stringify({ query: `{ viewer { accountId } }${' '.repeat(200_000)}` }),
    });
    expect([big.status, ((await big.json()) as { error: string }).error]).toEqual([413, 'bad_request']);
  });

  it('a subgraph that is down fails only its own fields (what docs/api.md shows)', async () => {
    const conversion = p.handle.procs.find((x) => x.name === 'conversion-service')!;
    process.kill(conversion.child.pid!, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    const answer = await gql(
      `query($id: ID!) { viewer { accountName } pixel(id: $id) { pixelId deliveryStats { delivered } } }`,
      { id: (ctx.channelPixel as { id: string }).id },
    );
    expect(answer.http).toBe(200);
    expect(answer.data).toMatchObject({ viewer: { accountName: 'System test' }, pixel: { deliveryStats: null } });
    expect(answer.errors).toEqual([
      { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    ]);
    const whole = await gql(`{ viewer { accountName } conversions(first: 1) { nodes { id } } }`);
    expect([whole.http, whole.data, whole.errors?.[0]?.extensions?.code]).toEqual([200, null, 'INTERNAL_SERVER_ERROR']);

    // account-service down: a key the gateway has cached still works; one it has not seen gets 503 AUTH_UNAVAILABLE.
    const accounts = p.handle.procs.find((x) => x.name === 'account-service')!;
    process.kill(accounts.child.pid!, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    const res = await fetch(`${p.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer stk_abcdefghijkl_never-seen-before' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    const body = (await res.json()) as GraphQLAnswer;
    expect([res.status, res.headers.get('retry-after'), body.errors?.[0]?.extensions?.code]).toEqual([
      503,
      '1',
      'AUTH_UNAVAILABLE',
    ]);
  });
});
