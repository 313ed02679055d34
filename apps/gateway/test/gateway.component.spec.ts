import { post, startTestGateway, ADMIN_KEY } from './harness';

describe('gateway: authentication, accounts and protection', () => {
  let gw: Awaited<ReturnType<typeof startTestGateway>>;
  let key: string;
  beforeAll(async () => {
    gw = await startTestGateway();
    key = (await gw.accounts.createAccount('Acme')).key.apiKey;
  });
  afterAll(async () => {
    await gw?.stop();
    await gw?.dropDb();
  });
  const auth = (k: string) => ({ authorization: `Bearer ${k}` });

  it('answers UNAUTHENTICATED (401) without a key or with a bad one', async () => {
    for (const headers of [{}, auth('stk_nope'), auth(key.slice(0, -2) + 'zz'), { authorization: key }]) {
      const res = await post(gw.url, { query: '{ viewer { accountId } }' }, headers);
      expect(res.status).toBe(401);
      expect(res.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it('routes an authenticated query to the accounts subgraph with the caller identity', async () => {
    const res = await post(gw.url, { query: '{ viewer { accountName apiKeys { hint revokedAt } } }' }, auth(key));
    expect(res.json.errors).toBeUndefined();
    expect(res.json.data.viewer.accountName).toBe('Acme');
    expect(res.json.data.viewer.apiKeys[0].hint).not.toContain(key.slice(17));
    expect(res.json.extensions.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('creates, rotates and revokes keys through GraphQL', async () => {
    const created = await post(gw.url, { query: 'mutation { createApiKey(name: "ci") { keyId apiKey } }' }, auth(key));
    const second = created.json.data.createApiKey;
    expect((await post(gw.url, { query: '{ viewer { accountId } }' }, auth(second.apiKey))).status).toBe(200);
    const rotated = await post(
      gw.url,
      { query: `mutation { rotateApiKey(keyId: "${second.keyId}") { keyId apiKey } }` },
      auth(key),
    );
    const third = rotated.json.data.rotateApiKey;
    expect((await post(gw.url, { query: '{ viewer { accountId } }' }, auth(second.apiKey))).status).toBe(401);
    expect(
      (await post(gw.url, { query: `mutation { revokeApiKey(keyId: "${third.keyId}") }` }, auth(key))).json.data
        .revokeApiKey,
    ).toBe(true);
    expect((await post(gw.url, { query: '{ viewer { accountId } }' }, auth(third.apiKey))).status).toBe(401);
    const other = await gw.accounts.createAccount('Other');
    const foreign = await post(gw.url, { query: `mutation { revokeApiKey(keyId: "${other.key.keyId}") }` }, auth(key));
    expect(foreign.json.errors[0].extensions.code).toBe('NOT_FOUND');
  });

  it('lets only the admin key create accounts', async () => {
    const denied = await post(gw.url, { query: 'mutation { adminCreateAccount(name: "X") { apiKey } }' }, auth(key));
    expect(denied.json.errors[0].extensions.code).toBe('FORBIDDEN');
    const ok = await post(
      gw.url,
      { query: 'mutation { adminCreateAccount(name: "New Co") { accountId apiKey } }' },
      auth(ADMIN_KEY),
    );
    expect(ok.json.errors).toBeUndefined();
    const viewer = await post(
      gw.url,
      { query: '{ viewer { accountName } }' },
      auth(ok.json.data.adminCreateAccount.apiKey),
    );
    expect(viewer.json.data.viewer.accountName).toBe('New Co');
  });

  it('limits depth, aliases and body size with clear errors', async () => {
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: viewer { accountId }`).join(' ');
    const res = await post(gw.url, { query: `{ ${aliases} }` }, auth(key));
    expect(res.status).toBe(400);
    expect(res.json.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    const big = await post(
      gw.url,
      { query: `{ viewer { accountId } }`, variables: { pad: 'x'.repeat(200_000) } },
      auth(key),
    );
    expect(big.status).toBe(413);
  });

  it('prevents CSRF: a simple GET without a preflight header is refused', async () => {
    const res = await fetch(`${gw.url}/graphql?query=${encodeURIComponent('{ viewer { accountId } }')}`, {
      headers: auth(key),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/CSRF|preflight/i);
  });

  it('serves introspection and the explorer in development', async () => {
    const res = await post(gw.url, { query: '{ __schema { queryType { name } } }' }, auth(key));
    expect(res.json.data.__schema.queryType.name).toBe('Query');
    const page = await fetch(`${gw.url}/explorer`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/explorer/assets/graphiql.js');
    for (const a of ['graphiql.js', 'graphiql.css', 'react.js', 'react-dom.js', 'init.js'])
      expect([a, (await fetch(`${gw.url}/explorer/assets/${a}`)).status]).toEqual([a, 200]);
  });

  it('keeps answering when a subgraph is down (only its fields fail)', async () => {
    const res = await post(gw.url, { query: '{ trafficChannelTemplates { key } }' }, auth(key));
    expect(res.json.errors[0].message).not.toMatch(/ECONNREFUSED.*access_token/);
    expect((await post(gw.url, { query: '{ viewer { accountName } }' }, auth(key))).json.data.viewer.accountName).toBe(
      'Acme',
    );
  });
});

describe('gateway in production mode', () => {
  let gw: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => {
    gw = await startTestGateway({ environment: 'production' });
  });
  afterAll(async () => {
    await gw?.stop();
    await gw?.dropDb();
  });

  it('turns introspection and the explorer off', async () => {
    const { key } = await gw.accounts.createAccount('Prod');
    const res = await post(
      gw.url,
      { query: '{ __schema { queryType { name } } }' },
      { authorization: `Bearer ${key.apiKey}` },
    );
    expect(res.json.errors[0].message).toMatch(/introspection/i);
    expect((await fetch(`${gw.url}/explorer`)).status).toBe(404);
  });
});
