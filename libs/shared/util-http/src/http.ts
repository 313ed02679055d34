import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Readiness, type Probe } from './readiness';

export class HttpError extends Error {
  constructor(
    public readonly status: number,
    public readonly reason: string,
    public readonly body?: Record<string, unknown>,
  ) {
    super(reason);
  }
}

/** Reads the request body, refusing more than `limit` bytes with 413. */
export async function readBody(req: IncomingMessage, limit = 1024 * 1024): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, `request body larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `request body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(given) ? given : randomUUID();
}

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

export interface Route {
  method: string | string[];
  path: string | RegExp;
  handler: Handler;
  /** The route template for metrics and traces (a RegExp path needs one, e.g. `/:campaignKey`; never a raw URL). */
  name?: string;
}

/**
 * Observes every request (util-observability implements it): `around` wraps the routing (`next`), and `route()`
 * names the matched route's template once known ("unmatched" when no route matched). With `metrics`, GET /metrics
 * serves its answer (Prometheus text).
 */
export interface HttpInstrumentation {
  around(req: IncomingMessage, res: ServerResponse, next: () => Promise<void>, route: () => string): Promise<void>;
  metrics?(): Promise<{ contentType: string; body: string }>;
}

/** What buildHandler returns: the request handler, carrying its Readiness (listen()'s close() drains it first). */
export type RequestHandler = ((req: IncomingMessage, res: ServerResponse) => Promise<void>) & { readiness?: Readiness };

/**
 * A small router: exact or regex paths, /healthz (liveness) and /readyz (each required probe must pass, see
 * Readiness: timeouts, a 1 s cache, 503 with `not_ready` naming what is not), JSON errors, and never a stack trace
 * to the client.
 */
export function buildHandler(
  routes: Route[],
  opts: {
    probes?: Probe[] | Readiness;
    onError?: (e: unknown, req: IncomingMessage) => void;
    instrument?: HttpInstrumentation;
  } = {},
) {
  const instrument = opts.instrument;
  const readiness = opts.probes instanceof Readiness ? opts.probes : new Readiness(opts.probes ?? []);
  const handle = async (req: IncomingMessage, res: ServerResponse, matched: (route: string) => void) => {
    const rid = requestId(req);
    res.setHeader('x-request-id', rid);
    (req as IncomingMessage & { id?: string }).id = rid;
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://internal');
    } catch {
      return sendJson(res, 400, { error: 'bad_request', reason: 'malformed request URL' });
    }
    try {
      if (url.pathname === '/healthz') {
        matched('/healthz');
        return sendJson(res, 200, { status: 'ok' });
      }
      if (url.pathname === '/metrics' && instrument?.metrics) {
        matched('/metrics');
        const { contentType, body } = await instrument.metrics();
        res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
        return void res.end(body);
      }
      if (url.pathname === '/readyz') {
        matched('/readyz');
        const answer = await readiness.evaluate();
        return sendJson(res, answer.ready ? 200 : 503, answer.body);
      }
      for (const r of routes) {
        const methods = Array.isArray(r.method) ? r.method : [r.method];
        const match = typeof r.path === 'string' ? r.path === url.pathname : r.path.test(url.pathname);
        if (!match) continue;
        matched(r.name ?? (typeof r.path === 'string' ? r.path : r.path.source));
        if (!methods.includes(req.method ?? 'GET')) {
          return sendJson(
            res,
            405,
            { error: 'method_not_allowed', reason: `use ${methods.join(' or ')}` },
            { allow: methods.join(', ') },
          );
        }
        return await r.handler(req, res, url);
      }
      return sendJson(res, 404, { error: 'not_found', reason: 'no such endpoint' });
    } catch (e) {
      if (e instanceof HttpError) {
        if (!res.headersSent)
          return sendJson(res, e.status, {
            error: e.status >= 500 ? 'unavailable' : 'bad_request',
            reason: e.reason,
            ...e.body,
          });
        return;
      }
      opts.onError?.(e, req);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal_error', reason: 'internal error', request_id: rid });
      else res.destroy();
    }
  };
  const handler: RequestHandler = !instrument
    ? (req: IncomingMessage, res: ServerResponse) => handle(req, res, () => undefined)
    : (req: IncomingMessage, res: ServerResponse) => {
        let route = 'unmatched';
        return instrument.around(
          req,
          res,
          () =>
            handle(req, res, (r) => {
              route = r;
            }),
          () => route,
        );
      };
  handler.readiness = readiness;
  return handler;
}

export interface Listening {
  server: Server;
  url: string;
  port: number;
  /**
   * Stops taking work: /readyz answers 503 (`shutting_down`), no new connections, idle keep-alive connections
   * closed, requests in flight answered (cut after `graceMs`, default 10 s); resolves once every connection is gone.
   */
  close(graceMs?: number): Promise<void>;
}

export async function listen(
  handler: ((req: IncomingMessage, res: ServerResponse) => void) & { readiness?: Readiness },
  port: number,
  host = '127.0.0.1',
): Promise<Listening> {
  let closing = false;
  // Answers not yet sent: once closing, each goes out with `connection: close`, and its connection is closed as soon
  // as it is answered (not after the keep-alive timeout), so close() resolves when the last request in flight is done.
  const active = new Set<ServerResponse>();
  const server = createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
    if (closing) res.shouldKeepAlive = false;
    active.add(res);
    res.once('close', () => {
      active.delete(res);
      if (closing) server.closeIdleConnections?.();
    });
    void handler(req, res);
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
  return {
    server,
    url,
    port: addr.port,
    close: (graceMs = 10000) =>
      new Promise<void>((resolve) => {
        handler.readiness?.drain();
        closing = true;
        for (const res of active) if (!res.headersSent) res.shouldKeepAlive = false;
        server.close(() => resolve());
        server.closeIdleConnections?.();
        setTimeout(() => server.closeAllConnections?.(), graceMs).unref();
      }),
  };
}

/** Runs `stop` once on SIGTERM/SIGINT, then exits 0 (1 if stopping failed). */
export function onShutdown(stop: () => Promise<void>, log: (msg: string) => void = () => undefined): void {
  let stopping = false;
  const handler = (sig: string) => {
    if (stopping) return;
    stopping = true;
    log(`received ${sig}, shutting down`);
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => handler('SIGTERM'));
  process.once('SIGINT', () => handler('SIGINT'));
}
