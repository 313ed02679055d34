import { INTERNAL_SIGNATURE_HEADER, signInternalRequest } from '@snaptrack/util-federation';
import { TEST_INTERNAL_SECRET } from '@snaptrack/util-testing';
import { ADMIN_KEY, startTestAccountService, type TestAccountService } from './harness';

describe('account-service over HTTP: POST /internal/authenticate and the subgraph', () => {
  let svc: TestAccountService;
  beforeAll(async () => {
    svc = await startTestAccountService();
  });
  afterAll(async () => {
    await svc?.stop();
    await svc?.dropDb();
  });

  const check = async (apiKey: unknown, sign: ((body: string) => string | undefined) | null = null) => {
    const body = JSON.stringify({ apiKey });
    const sig =
      sign === null ? signInternalRequest('POST', '/internal/authenticate', body, TEST_INTERNAL_SECRET) : sign(body);
    const res = await fetch(`${svc.url}/internal/authenticate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(sig ? { [INTERNAL_SIGNATURE_HEADER]: sig } : {}) },
      body,
    });
    return { status: res.status, json: (await res.json()) as any };
  };

  it('answers the account and key id for a valid key, 401 for a bad or revoked one', async () => {
    const { account, key } = await svc.accounts.createAccount('Acme');
    expect(await check(key.apiKey)).toEqual({ status: 200, json: { accountId: account.id, keyId: key.keyId } });
    for (const bad of ['stk_nope', key.apiKey.slice(0, -2) + 'zz', '']) expect((await check(bad)).status).toBe(401);
    expect(await svc.accounts.revoke(account.id, key.keyId)).toBe(true);
    expect((await check(key.apiKey)).status).toBe(401);
  });

  it('answers the admin identity for ADMIN_API_KEY', async () => {
    expect(await check(ADMIN_KEY)).toEqual({ status: 200, json: { accountId: 'admin', keyId: 'admin' } });
  });

  it('refuses (403) an unsigned request, a wrong secret and a signature made for another body', async () => {
    const { key } = await svc.accounts.createAccount('Signed');
    const other = JSON.stringify({ apiKey: 'stk_aaaaaaaaaaaa_' + 'a'.repeat(43) });
    const cases: ((body: string) => string | undefined)[] = [
      () => undefined,
      (body) => signInternalRequest('POST', '/internal/authenticate', body, `${TEST_INTERNAL_SECRET}-wrong`),
      () => signInternalRequest('POST', '/internal/authenticate', other, TEST_INTERNAL_SECRET),
      (body) => signInternalRequest('POST', '/graphql', body, TEST_INTERNAL_SECRET),
    ];
    for (const sign of cases) {
      const res = await check(key.apiKey, sign);
      expect(res.status).toBe(403);
      expect(JSON.stringify(res.json)).not.toContain(key.keyId);
    }
    expect((await fetch(`${svc.url}/internal/authenticate`)).status).toBe(405);
  });

  it('serves the accounts subgraph only to gateway-signed identities, and is ready with its database', async () => {
    const res = await fetch(`${svc.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ viewer { accountId } }' }),
    });
    expect(res.status).toBe(401);
    expect((await fetch(`${svc.url}/readyz`)).status).toBe(200);
  });
});
