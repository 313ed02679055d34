import { request as httpRequest } from 'node:http';
import { getIntrospectionQuery } from 'graphql';
import { fragmentBomb } from './documents';
import { post, startTestGateway } from './harness';

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;
const auth = (k: string) => ({ authorization: `Bearer ${k}` });

/** A raw HTTP request (fetch would not let us set Origin freely). */
function raw(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; json: any }> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      `${url}/graphql`,
      { method, headers: { ...(text ? { 'content-type': 'application/json' } : {}), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const s = Buffer.concat(chunks).toString('utf8');
          let json: any;
          try {
            json = JSON.parse(s);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json });
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

describe('gateway protection: query cost (default limits)', () => {
  let gw: Gateway;
  let key: string;
  beforeAll(async () => {
    gw = await startTestGateway();
    key = (await gw.accounts.createAccount('Cost')).key.apiKey;
    // Warm up: the first request pays for lazy initialisation (query planner, key lookup).
    expect((await post(gw.url, { query: '{ viewer { accountId } }' }, auth(key))).status).toBe(200);
  });
  afterAll(async () => {
    await gw?.stop();
    await gw?.dropDb();
  });

  it('refuses a 30-level fragment bomb with 400 QUERY_TOO_COMPLEX within 50 ms', async () => {
    const query = fragmentBomb(30);
    // Walked without memoisation this document costs 2^29 fragment visits (minutes). The machine running the
    // tests is shared, so one warm-up round trip, then the best of three requests is held to 50 ms (and every
    // one of them to 1 s).
    await post(gw.url, { query }, auth(key));
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const res = await post(gw.url, { query }, auth(key));
      times.push(performance.now() - started);
      expect(res.status).toBe(400);
      expect(res.json.errors).toHaveLength(1);
      expect(res.json.errors[0].extensions).toMatchObject({
        code: 'QUERY_TOO_COMPLEX',
        limit: 'field count',
        max: 600,
      });
    }
    expect(Math.min(...times)).toBeLessThan(50);
    expect(Math.max(...times)).toBeLessThan(1000);
  });

  it('refuses an introspection query deeper than the limit', async () => {
    const deep = `{ __schema { types { fields { type ${'{ ofType '.repeat(14)}{ name }${' }'.repeat(14)} } } } }`;
    const res = await post(gw.url, { query: deep }, auth(key));
    expect(res.status).toBe(400);
    expect(res.json.errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'depth', max: 15 });
    expect(res.json.data).toBeUndefined();
  });

  it('counts introspection fields: many aliased __type lookups are refused', async () => {
    const aliases = Array.from({ length: 31 }, (_, i) => `t${i}: __type(name: "Query") { name }`).join(' ');
    const res = await post(gw.url, { query: `{ ${aliases} }` }, auth(key));
    expect(res.status).toBe(400);
    expect(res.json.errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'alias count' });
  });

  it('still answers the standard introspection query (what GraphiQL sends) within the default limits', async () => {
    const query = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
    });
    const res = await post(gw.url, { query }, auth(key));
    expect(res.json.errors).toBeUndefined();
    expect(res.json.data.__schema.queryType.name).toBe('Query');
  });
});

describe('gateway protection: rate limits', () => {
  let gw: Gateway;
  beforeAll(async () => {
    // Slow refill (one token per 10 s) so the bucket cannot refill while a test runs; tiny bursts.
    gw = await startTestGateway({
      rateLimitKeyPerSecond: 0.1,
      rateLimitKeyBurst: 3,
      rateLimitAccountPerSecond: 0.1,
      rateLimitAccountBurst: 4,
      rateLimitAuthFailuresPerMinute: 3,
    });
  });
  afterAll(async () => {
    await gw?.stop();
    await gw?.dropDb();
  });
  const viewer = (k: string) => post(gw.url, { query: '{ viewer { accountId } }' }, auth(k));

  it('answers 429 with Retry-After and RATE_LIMITED after the burst of a key; another key is unaffected', async () => {
    const a = (await gw.accounts.createAccount('Busy')).key.apiKey;
    const b = (await gw.accounts.createAccount('Quiet')).key.apiKey;
    for (let i = 0; i < 3; i++) expect((await viewer(a)).status).toBe(200);
    const limited = await viewer(a);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(10);
    expect(limited.json.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(limited.json.errors[0].extensions.http).toBeUndefined();
    expect(limited.json.data).toBeUndefined();
    expect((await viewer(b)).status).toBe(200);
  });

  it('limits an account across its keys', async () => {
    const { account, key } = await gw.accounts.createAccount('Many keys');
    const second = await gw.accounts.issue(account.id, 'second');
    for (let i = 0; i < 3; i++) expect((await viewer(key.apiKey)).status).toBe(200);
    expect((await viewer(second.apiKey)).status).toBe(200); // the account's 4th request
    const limited = await viewer(second.apiKey); // the second key's own bucket still has tokens
    expect(limited.status).toBe(429);
    expect(limited.json.errors[0].extensions.code).toBe('RATE_LIMITED');
  });

  it('answers 429 to an address after the configured number of failed authentications', async () => {
    const good = (await gw.accounts.createAccount('Victim')).key.apiKey;
    const attempts = [{}, auth('stk_nope'), auth(good.slice(0, -2) + 'zz')];
    for (const headers of attempts) {
      // X-Forwarded-For is ignored: the peer is not a trusted proxy.
      const res = await post(
        gw.url,
        { query: '{ viewer { accountId } }' },
        { ...headers, 'x-forwarded-for': `198.51.100.${attempts.indexOf(headers)}` },
      );
      expect(res.status).toBe(401);
    }
    const limited = await post(gw.url, { query: '{ viewer { accountId } }' }, auth('stk_guess'));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.json.errors[0].extensions.code).toBe('RATE_LIMITED');
    // The address is refused before its key is looked at: a right guess does not tell itself apart.
    expect((await viewer(good)).status).toBe(429);
  });
});

describe('gateway protection: trusted proxies and CORS', () => {
  const ALLOWED = 'https://admin.example.com';
  let gw: Gateway;
  let key: string;
  beforeAll(async () => {
    gw = await startTestGateway({
      trustedProxies: ['127.0.0.1', '::1'],
      rateLimitAuthFailuresPerMinute: 2,
      corsAllowedOrigins: [ALLOWED, 'http://localhost:5173'],
    });
    key = (await gw.accounts.createAccount('Front')).key.apiKey;
  });
  afterAll(async () => {
    await gw?.stop();
    await gw?.dropDb();
  });

  it('counts failed authentications per forwarded client IP behind a trusted proxy', async () => {
    const from = (ip: string) =>
      post(gw.url, { query: '{ viewer { accountId } }' }, { ...auth('stk_bad'), 'x-forwarded-for': ip });
    expect((await from('203.0.113.7')).status).toBe(401);
    expect((await from('203.0.113.7')).status).toBe(401);
    expect((await from('203.0.113.7')).status).toBe(429);
    expect((await from('203.0.113.8')).status).toBe(401);
  });

  it('answers a preflight from an allowed origin', async () => {
    const res = await raw(gw.url, 'OPTIONS', {
      origin: ALLOWED,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type, apollo-require-preflight, x-request-id',
    });
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers.vary).toMatch(/Origin/);
    const allowed = String(res.headers['access-control-allow-headers']).split(/,\s*/);
    expect(allowed).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'apollo-require-preflight', 'x-request-id']),
    );
    expect(res.headers['access-control-allow-methods']).toMatch(/POST/);
  });

  it('marks an actual request from an allowed origin, errors included', async () => {
    const ok = await raw(gw.url, 'POST', { origin: ALLOWED, ...auth(key) }, { query: '{ viewer { accountId } }' });
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(ok.headers.vary).toMatch(/Origin/);
    expect(ok.headers['access-control-expose-headers']).toMatch(/retry-after/);
    const unauth = await raw(gw.url, 'POST', { origin: ALLOWED }, { query: '{ viewer { accountId } }' });
    expect(unauth.status).toBe(401);
    expect(unauth.headers['access-control-allow-origin']).toBe(ALLOWED);
  });

  it('gives a disallowed origin no CORS headers, and 403 to its preflight', async () => {
    const evil = 'https://evil.example.net';
    const pre = await raw(gw.url, 'OPTIONS', { origin: evil, 'access-control-request-method': 'POST' });
    expect(pre.status).toBe(403);
    const actual = await raw(gw.url, 'POST', { origin: evil, ...auth(key) }, { query: '{ viewer { accountId } }' });
    for (const res of [pre, actual]) {
      expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
    // Near misses are not allowed either: the match is exact.
    const near = await raw(gw.url, 'OPTIONS', {
      origin: `${ALLOWED}.evil.net`,
      'access-control-request-method': 'POST',
    });
    expect(near.status).toBe(403);
  });

  it('keeps CSRF prevention on for allowed origins', async () => {
    const q = encodeURIComponent('{ viewer { accountId } }');
    const res = await new Promise<number>((resolve, reject) => {
      httpRequest(`${gw.url}/graphql?query=${q}`, { headers: { origin: ALLOWED, ...auth(key) } }, (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(res).toBe(400);
  });

  it('sends no CORS headers at all when no origin is configured', async () => {
    const plain = await startTestGateway();
    try {
      const pre = await raw(plain.url, 'OPTIONS', { origin: ALLOWED, 'access-control-request-method': 'POST' });
      expect(pre.status).toBe(403);
      const actual = await raw(plain.url, 'POST', { origin: ALLOWED }, { query: '{ viewer { accountId } }' });
      expect(actual.status).toBe(401);
      expect(Object.keys(actual.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
      expect(actual.headers.vary).toBeUndefined();
    } finally {
      await plain.stop();
      await plain.dropDb();
    }
  });
});
