import { waitFor } from '@snaptrack/util-testing';
import { post, startTestGateway, ADMIN_KEY } from './harness';

describe('gateway: authentication, accounts and protection', () => {
  let gw: Awaited<ReturnType<typeof startTestGateway>>;
  let key: string;
  beforeAll(async () => {
    // A short key cache, so a rotated or revoked key is refused within the test (the default is 30 s).
    gw = await startTestGateway({ apiKeyCacheTtlMs: 200 });
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
    const refused = (k: string) => async () =>
      (await post(gw.url, { query: '{ viewer { accountId } }' }, auth(k))).status === 401;
    await waitFor(refused(second.apiKey), { what: 'the rotated key to be refused', timeoutMs: 3000 });
    expect((await post(gw.url, { query: '{ viewer { accountId } }' }, auth(third.apiKey))).status).toBe(200);
    expect(
      (await post(gw.url, { query: `mutation { revokeApiKey(keyId: "${third.keyId}") }` }, auth(key))).json.data
        .revokeApiKey,
    ).toBe(true);
    await waitFor(refused(third.apiKey), { what: 'the revoked key to be refused', timeoutMs: 3000 });
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

describe('gateway: API key checks at account-service, cached', () => {
  const TTL_MS = 2000;
  let gw: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => {
    gw = await startTestGateway({ apiKeyCacheTtlMs: TTL_MS, apiKeyCacheMaxEntries: 3 });
  });
  afterAll(async () => {
    await gw?.stop();
    await gw?.dropDb();
  });
  const viewer = (k: string) => post(gw.url, { query: '{ viewer { accountId } }' }, { authorization: `Bearer ${k}` });

  it('a revoked key keeps working from the cache until the TTL, then gets 401', async () => {
    const { account, key } = await gw.accounts.createAccount('Revoker');
    const firstUse = Date.now();
    expect((await viewer(key.apiKey)).status).toBe(200);
    expect(await gw.accounts.revoke(account.id, key.keyId)).toBe(true);
    // account-service refuses it at once; the gateway answers from its cache until the entry expires.
    const cached = await viewer(key.apiKey);
    if (Date.now() - firstUse < TTL_MS - 500) expect(cached.status).toBe(200);
    await waitFor(async () => (await viewer(key.apiKey)).status === 401, {
      what: 'the revoked key to be refused',
      timeoutMs: 5000,
    });
    expect(Date.now() - firstUse).toBeGreaterThanOrEqual(TTL_MS);
    const res = await viewer(key.apiKey);
    expect(res.status).toBe(401);
    expect(res.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('keeps at most API_KEY_CACHE_MAX_ENTRIES answers, and never the key itself', async () => {
    for (const name of ['c1', 'c2', 'c3', 'c4', 'c5']) {
      const { key } = await gw.accounts.createAccount(name);
      expect((await viewer(key.apiKey)).status).toBe(200);
      expect(gw.keys.size).toBeLessThanOrEqual(3);
      expect(JSON.stringify([...(gw.keys as any).cache.keys()])).not.toContain(key.apiKey.slice(17));
    }
    expect(gw.keys.size).toBe(3);
  });

  it('answers cached keys while account-service is down; 503 AUTH_UNAVAILABLE for the others, not ready', async () => {
    const fresh = await startTestGateway({ apiKeyCacheTtlMs: 60_000 });
    const { key } = await fresh.accounts.createAccount('Cached');
    const other = await fresh.accounts.createAccount('Uncached');
    const ask = (k: string) => post(fresh.url, { query: '{ __typename }' }, { authorization: `Bearer ${k}` });
    try {
      expect((await ask(key.apiKey)).status).toBe(200);
      expect((await fetch(`${fresh.url}/readyz`)).status).toBe(200);
      await fresh.accountService.stop();
      expect((await ask(key.apiKey)).status).toBe(200);
      const down = await ask(other.key.apiKey);
      expect(down.status).toBe(503);
      expect(down.json.errors[0].extensions.code).toBe('AUTH_UNAVAILABLE');
      expect(down.text).not.toContain(other.key.apiKey);
      // Readiness answers are cached for about a second (util-http Readiness): 503 follows within that.
      await waitFor(async () => (await fetch(`${fresh.url}/readyz`)).status === 503, {
        timeoutMs: 5000,
        what: '/readyz 503 with account-service down',
      });
    } finally {
      await fresh.stop().catch(() => undefined);
      await fresh.dropDb();
    }
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
