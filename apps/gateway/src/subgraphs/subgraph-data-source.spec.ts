import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { Agent } from 'undici';
import { verifyIdentity } from '@snaptrack/util-federation';
import { SubgraphDataSource, cacheHint } from './subgraph-data-source';
import { cachedIdentitySigner } from './identity-cache';

type Ctx = { accountId: string };

describe('SubgraphDataSource', () => {
  let server: Server;
  let base: string;
  const agent = new Agent({ keepAliveTimeout: 1000 });
  const seen: { url?: string; headers: IncomingMessage['headers']; body: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push({ url: req.url, headers: req.headers, body });
        if (req.url === '/graphql?v=1') {
          res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60, public' });
          res.end(JSON.stringify({ data: { campaigns: [] } }));
        } else if (req.url === '/denied') {
          res.writeHead(401, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ errors: [{ message: 'no identity' }] }));
        } else {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('not json');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await agent.close();
    await new Promise((r) => server.close(r));
  });

  const source = (path: string) =>
    new SubgraphDataSource<Ctx>({
      url: `${base}${path}`,
      dispatcher: agent,
      headers: (c) => ({ 'x-account': c.accountId }),
    });
  const options = (restrict?: jest.Mock) =>
    ({
      kind: 'incoming operation',
      request: {
        query: '{ campaigns { id } }',
        variables: { a: 1 },
        operationName: 'Q',
        http: { method: 'POST', url: '', headers: new Map([['apollo-federation-include-trace', 'ftv1']]) },
      },
      context: { accountId: 'acc-1' },
      incomingRequestContext: { overallCachePolicy: restrict ? { restrict } : undefined },
    }) as unknown as GraphQLDataSourceProcessOptions<Ctx>;

  it('posts the operation as JSON with its headers; the Cache-Control restricts the policy', async () => {
    const restrict = jest.fn();
    const answer = await source('/graphql?v=1').process(options(restrict));
    expect(answer).toEqual({ data: { campaigns: [] } });
    const req = seen[seen.length - 1];
    expect(req.url).toBe('/graphql?v=1');
    expect(JSON.parse(req.body)).toEqual({ query: '{ campaigns { id } }', variables: { a: 1 }, operationName: 'Q' });
    expect(req.headers).toMatchObject({
      'content-type': 'application/json',
      'x-account': 'acc-1',
      'apollo-federation-include-trace': 'ftv1',
    });
    expect(restrict).toHaveBeenCalledWith({ maxAge: 60, scope: 'PUBLIC' });
  });

  it('turns a non-2xx answer into the error Apollo gives (status, reason, code, the answer)', async () => {
    const err = await source('/denied')
      .process(options())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphQLError);
    expect((err as GraphQLError).message).toBe('401: Unauthorized');
    expect((err as GraphQLError).extensions).toEqual({
      code: 'UNAUTHENTICATED',
      response: {
        url: `${base}/denied`,
        status: 401,
        statusText: 'Unauthorized',
        body: { errors: [{ message: 'no identity' }] },
      },
    });
  });

  it('refuses a body that is not JSON', async () => {
    await expect(source('/text').process(options())).rejects.toThrow(
      'Expected JSON response body, but received: not json',
    );
  });

  it('fails the call when the subgraph cannot be reached (the gateway then fails only its fields)', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const down = new SubgraphDataSource<Ctx>({
      url: `http://127.0.0.1:${port}/graphql`,
      dispatcher: agent,
      headers: () => ({}),
    });
    await expect(down.process(options())).rejects.toThrow(/ECONNREFUSED/);
  });

  it('reads Cache-Control as RemoteGraphQLDataSource does', () => {
    expect(cacheHint('')).toEqual({ maxAge: 0 });
    expect(cacheHint('max-age=30, private')).toEqual({ maxAge: 30, scope: 'PRIVATE' });
    expect(cacheHint('max-age="x"')).toEqual({ maxAge: 0 });
  });
});

describe('cachedIdentitySigner', () => {
  it('reuses an account header within its second and signs anew when the second turns', () => {
    let now = 1_700_000_000_000;
    const sign = cachedIdentitySigner('secret', 10, () => now);
    const a = sign('acc-1');
    expect(sign('acc-1')).toBe(a);
    expect(verifyIdentity(a, 'secret', 1_700_000_000)).toBe('acc-1');
    expect(verifyIdentity(sign('acc-2'), 'secret', 1_700_000_000)).toBe('acc-2');
    now += 1000;
    const b = sign('acc-1');
    expect(b).not.toBe(a);
    expect(b.split('.')[1]).toBe('1700000001');
  });
});
