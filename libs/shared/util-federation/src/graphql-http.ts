import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readBody } from '@snaptrack/util-http';

/**
 * Serves an ApolloServer on our own node:http router (so a service can also answer postbacks, clicks and
 * health checks on the same port), without Express.
 */
export function graphqlHandler<C extends BaseContext>(
  server: ApolloServer<C>,
  context: (req: IncomingMessage) => Promise<C>,
  opts: { bodyLimit?: number } = {},
) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    }
    let body: unknown = undefined;
    if (req.method === 'POST') {
      const raw = await readBody(req, opts.bodyLimit ?? 1024 * 1024);
      const ct = String(req.headers['content-type'] ?? '');
      if (ct.includes('application/json')) {
        try {
          body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
        } catch {
          throw new HttpError(400, 'request body is not valid JSON');
        }
      } else body = raw.toString('utf8');
    }
    const result = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: () => context(req),
    });
    for (const [k, v] of result.headers) res.setHeader(k, v);
    res.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  };
}
