// HTTP routing for the sandbox: Snap's /v3 routes, the /__admin test hooks and /healthz. Everything it logs
// uses the URL's pathname only: the query string carries the access token and is never written anywhere.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { type FaultQueue, parseFaultSpec, type Fault, type SandboxEndpoint } from './faults';
import { type PixelRegistry, canonicalPixelId, isPixelId } from './pixels';
import { type SandboxStore, type JsonObject, type RequestOutcome, type TestLogEntry } from './store';
import { validateBatch, type ValidationLimits } from './validate';
import { failure, faultBody, invalid, logsBody, sendInvalid, sendPerEvent, sendValid, validateBody } from './responses';

export type LogEntry = Record<string, unknown> & { msg: string };

export interface SandboxContext {
  store: SandboxStore;
  faults: FaultQueue;
  pixels: PixelRegistry;
  limits: ValidationLimits;
  maxBodyBytes: number;
  now(): number;
  log(entry: LogEntry): void;
  /** Resolves after `ms`; the sandbox cancels pending waits when it stops. */
  sleep(ms: number): Promise<void>;
  /** Clears start-up state (see Sandbox.reset). */
  reset(options: { pixels?: boolean }): void;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

type BodyRead = { bytes: Buffer; size: number; tooLarge: boolean; contentType: string | undefined };

const V3_ROUTE = /^\/v3\/([^/]+)\/events(?:\/(validate)(?:\/(logs|stats))?)?$/;
const METHOD_FOR: Record<SandboxEndpoint, 'POST' | 'GET'> = {
  send: 'POST',
  validate: 'POST',
  logs: 'GET',
  stats: 'GET',
};
/** A body this far past the limit is not drained any more: the connection is cut. */
const DRAIN_FACTOR = 16;

export function createRequestHandler(ctx: SandboxContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    route(ctx, req, res).catch((error: unknown) => {
      ctx.log({
        level: 'error',
        msg: 'request handler failed',
        error: error instanceof Error ? error.message : String(error),
      });
      send(res, { status: 500, body: { status: 'FAILED', reason: 'Sandbox internal error.' } });
    });
  };
}

async function route(ctx: SandboxContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
  const path = url.pathname;
  const method = req.method ?? 'GET';

  if (path === '/healthz') {
    req.resume();
    return send(res, method === 'GET' ? { status: 200, body: { status: 'ok' } } : notAllowed('GET'));
  }
  if (path === '/__admin' || path.startsWith('/__admin/')) return admin(ctx, req, res, url);

  const match = V3_ROUTE.exec(path);
  if (!match) {
    req.resume();
    return send(res, { status: 404, body: invalid('NOT_FOUND', 'No such route.') });
  }
  const endpoint: SandboxEndpoint =
    match[3] === 'logs' ? 'logs' : match[3] === 'stats' ? 'stats' : match[2] ? 'validate' : 'send';
  if (method !== METHOD_FOR[endpoint]) {
    req.resume();
    return send(res, notAllowed(METHOD_FOR[endpoint]));
  }
  let rawPixel: string;
  try {
    rawPixel = decodeURIComponent(match[1]!);
  } catch {
    rawPixel = match[1]!;
  }
  return v3(ctx, req, res, url, rawPixel, endpoint);
}

async function v3(
  ctx: SandboxContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  rawPixel: string,
  endpoint: SandboxEndpoint,
): Promise<void> {
  const requestId = randomUUID();
  const pixelKey = rawPixel.toLowerCase();
  const read = await readBody(req, ctx.maxBodyBytes);
  if (!read) return; // the client went away or sent far too much; the socket is gone

  const fault = ctx.faults.take(pixelKey, endpoint);
  const logBase = {
    msg: 'request',
    request_id: requestId,
    method: req.method,
    path: url.pathname,
    endpoint,
    pixel_id: pixelKey,
  };

  if (fault && !fault.after_processing) {
    if (fault.delay_ms > 0) await ctx.sleep(fault.delay_ms);
    if (fault.drop_connection || fault.status !== undefined) {
      ctx.store.countRequest(pixelKey, undefined, true);
      ctx.log({ ...logBase, fault: fault.id, status: fault.drop_connection ? 'dropped' : fault.status });
      return answerWithFault(res, req, fault);
    }
  }

  const traceparent = req.headers['traceparent'];
  if (typeof traceparent === 'string' && /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/.test(traceparent))
    ctx.store.noteTrace(requestId, traceparent);
  const { reply, outcome, events } = evaluate(ctx, url, rawPixel, endpoint, read, requestId, fault?.refuse_event_ids);
  ctx.store.forgetTrace(requestId);

  if (fault && fault.after_processing) {
    ctx.store.countRequest(pixelKey, outcome, true);
    if (fault.delay_ms > 0) await ctx.sleep(fault.delay_ms);
    ctx.log({
      ...logBase,
      fault: fault.id,
      processed_status: reply.status,
      status: fault.drop_connection ? 'dropped' : fault.status,
    });
    return answerWithFault(res, req, fault);
  }
  ctx.store.countRequest(pixelKey, outcome, false);
  ctx.log({ ...logBase, status: reply.status, ...(events !== undefined ? { events } : {}) });
  send(res, { ...reply, headers: { ...reply.headers, 'x-sandbox-request-id': requestId } });
}

function evaluate(
  ctx: SandboxContext,
  url: URL,
  rawPixel: string,
  endpoint: SandboxEndpoint,
  read: BodyRead,
  requestId: string,
  refuseEventIds?: string[],
): { reply: Reply; outcome: RequestOutcome; events?: number } {
  const isPost = endpoint === 'send' || endpoint === 'validate';
  const reject = (status: number, code: string, reason: string) => ({
    reply: { status, body: isPost ? invalid(code, reason) : failure(code, reason) },
    outcome: 'rejected' as const,
  });

  const tokens = url.searchParams.getAll('access_token');
  if (tokens.length > 1)
    return reject(401, 'INVALID_ACCESS_TOKEN', 'The access_token query parameter was given more than once.');
  const auth = ctx.pixels.authorize(rawPixel, tokens[0]);
  if (!auth.ok) return reject(auth.status, auth.code, auth.reason);
  const pixelId = auth.pixelId;
  const nowMs = ctx.now();

  if (endpoint === 'logs') {
    return { reply: { status: 200, body: logsBody(ctx.store.testEvents(pixelId, nowMs)) }, outcome: 'validated' };
  }
  if (endpoint === 'stats') {
    const stats = ctx.store.pixelActivity(pixelId, nowMs);
    return {
      reply: { status: 200, body: { status: 'SUCCESS', reason: 'Stats for the past hour.', stats } },
      outcome: 'validated',
    };
  }

  // The token is the only query parameter of v3 (docs/snap-capi.md "Endpoints and authentication"). test_event_code
  // in the URL is a forwarder habit (never sent; test through /events/validate), and anything else would be silently
  // ignored by Snap at best.
  const extra = [...new Set(url.searchParams.keys())].filter((key) => key !== 'access_token');
  if (extra.length > 0) {
    const hint = extra.includes('test_event_code')
      ? ' Do not send test_event_code; test through /events/validate.'
      : '';
    return reject(
      400,
      'UNKNOWN_QUERY_PARAMETER',
      `The only query parameter of this endpoint is access_token; remove ` +
        `${extra.map((k) => `"${k.slice(0, 40)}"`).join(', ')}.${hint}`,
    );
  }
  if (!isJsonContentType(read.contentType)) {
    return reject(400, 'UNSUPPORTED_CONTENT_TYPE', 'The request must have Content-Type: application/json.');
  }
  if (read.tooLarge) {
    return reject(
      413,
      'PAYLOAD_TOO_LARGE',
      `The request body is ${read.size} bytes; the limit is ${ctx.maxBodyBytes} bytes. Split the batch.`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(read.bytes));
  } catch {
    return reject(400, 'INVALID_JSON', 'The request body is not valid UTF-8 JSON.');
  }

  const verdict = validateBatch(body, nowMs, ctx.limits);
  const data = (verdict.envelope.length === 0 ? (body as { data: unknown[] }).data : []) as unknown[];

  if (endpoint === 'validate') {
    ctx.store.recordTest(data.map((event, i) => testEntry(pixelId, requestId, i, nowMs, event, verdict.events[i]!)));
    return {
      reply: { status: verdict.ok ? 200 : 400, body: validateBody(verdict) },
      outcome: 'validated',
      events: data.length,
    };
  }
  if (!verdict.ok)
    return { reply: { status: 400, body: sendInvalid(verdict) }, outcome: 'rejected', events: data.length };
  if (refuseEventIds) {
    // The refuse_event_ids fault: those events are refused inside a 200, the others are stored.
    const refused = new Map<number, string>();
    data.forEach((event, i) => {
      const id = (event as JsonObject)['event_id'];
      if (typeof id === 'string' && refuseEventIds.includes(id))
        refused.set(i, `data[${i}] was refused by the sandbox (refuse_event_ids fault).`);
    });
    ctx.store.accept(
      pixelId,
      requestId,
      (data as JsonObject[]).filter((_, i) => !refused.has(i)),
      nowMs,
    );
    return {
      reply: { status: 200, body: sendPerEvent(refused, data.length) },
      outcome: 'accepted',
      events: data.length,
    };
  }
  ctx.store.accept(pixelId, requestId, data as JsonObject[], nowMs);
  return { reply: { status: 200, body: sendValid() }, outcome: 'accepted', events: data.length };
}

function testEntry(
  pixelId: string,
  requestId: string,
  index: number,
  nowMs: number,
  event: unknown,
  verdict: { errors: { message: string }[]; warnings: string[] },
): TestLogEntry {
  const fields = typeof event === 'object' && event !== null ? (event as JsonObject) : {};
  const str = (key: string) => (typeof fields[key] === 'string' ? (fields[key] as string) : undefined);
  return {
    pixel_id: pixelId,
    request_id: requestId,
    index,
    received_at: new Date(nowMs).toISOString(),
    received_at_ms: nowMs,
    status: verdict.errors.length > 0 ? 'INVALID' : 'VALID',
    ...(str('event_name') !== undefined ? { event_name: str('event_name') } : {}),
    ...(typeof fields['event_time'] === 'number' ? { event_time: fields['event_time'] as number } : {}),
    ...(str('action_source') !== undefined ? { action_source: str('action_source') } : {}),
    ...(str('integration') !== undefined ? { integration: str('integration') } : {}),
    error_records: verdict.errors.map((e) => e.message),
    warning_records: verdict.warnings,
    event: structuredClone(event),
  };
}

function answerWithFault(res: ServerResponse, req: IncomingMessage, fault: Fault): void {
  if (fault.drop_connection) {
    req.socket.destroy();
    return;
  }
  const status = fault.status ?? 500;
  const headers = {
    ...(fault.retry_after_s !== undefined ? { 'retry-after': String(fault.retry_after_s) } : {}),
    ...Object.fromEntries(Object.entries(fault.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  };
  if (fault.raw_body !== undefined) {
    if (res.headersSent || res.destroyed || res.writableEnded) return;
    const payload = Buffer.from(fault.raw_body, 'utf8');
    res.writeHead(status, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(payload.length),
      'cache-control': 'no-store',
      ...headers,
    });
    res.end(payload);
    return;
  }
  send(res, { status, body: fault.body !== undefined ? fault.body : faultBody(status), headers });
}

// ---------------------------------------------------------------------------------------------------------------
// /__admin

async function admin(ctx: SandboxContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const path = url.pathname.replace(/\/+$/, '');
  const method = req.method ?? 'GET';
  const read = await readBody(req, ctx.maxBodyBytes);
  if (!read) return;
  const json = (): { ok: true; value: unknown } | { ok: false } => {
    if (read.size === 0) return { ok: true, value: undefined };
    try {
      return { ok: true, value: JSON.parse(read.bytes.toString('utf8')) };
    } catch {
      return { ok: false };
    }
  };
  const badJson = (): Reply => ({ status: 400, body: { error: 'the request body is not valid JSON' } });

  if (path === '/__admin/events') {
    if (method !== 'GET') return send(res, notAllowed('GET'));
    const pixel = url.searchParams.get('pixel_id');
    const eventId = url.searchParams.get('event_id');
    const events = ctx.store.events({
      ...(pixel ? { pixelId: canonicalPixelId(pixel) } : {}),
      ...(eventId ? { eventId } : {}),
    });
    return send(res, { status: 200, body: { count: events.length, events } });
  }
  if (path === '/__admin/stats') {
    if (method !== 'GET') return send(res, notAllowed('GET'));
    return send(res, { status: 200, body: { ...ctx.store.stats(), faults_pending: ctx.faults.list().length } });
  }
  if (path === '/__admin/reset') {
    if (method !== 'POST') return send(res, notAllowed('POST'));
    const body = json();
    if (!body.ok) return send(res, badJson());
    const value = body.value as { pixels?: unknown } | undefined;
    const pixels =
      url.searchParams.get('pixels') === 'true' ||
      (typeof value === 'object' && value !== null && value.pixels === true);
    ctx.reset({ pixels });
    return send(res, { status: 200, body: { reset: true, pixels_reset: pixels } });
  }
  if (path === '/__admin/pixels') {
    if (method !== 'GET') return send(res, notAllowed('GET'));
    return send(res, { status: 200, body: { strict: ctx.pixels.strict, pixels: ctx.pixels.list() } });
  }
  const pixelMatch = /^\/__admin\/pixels\/([^/]+)$/.exec(path);
  if (pixelMatch) {
    const pixelId = safeDecode(pixelMatch[1]!);
    if (!isPixelId(pixelId)) return send(res, { status: 400, body: { error: 'the pixel id must be a UUID' } });
    if (method === 'DELETE') {
      return send(res, {
        status: 200,
        body: { pixel_id: canonicalPixelId(pixelId), removed: ctx.pixels.unregister(pixelId) },
      });
    }
    if (method !== 'PUT') return send(res, notAllowed('PUT, DELETE'));
    const body = json();
    if (!body.ok) return send(res, badJson());
    const token = (body.value as { access_token?: unknown } | undefined)?.access_token;
    if (typeof token !== 'string' || token.trim() === '') {
      return send(res, { status: 400, body: { error: 'body must be {"access_token": "<non-empty string>"}' } });
    }
    ctx.pixels.register(pixelId, token, 'admin');
    return send(res, { status: 200, body: { pixel_id: canonicalPixelId(pixelId), registered: true } });
  }
  if (path === '/__admin/faults') {
    if (method === 'GET') return send(res, { status: 200, body: { faults: ctx.faults.list() } });
    if (method === 'DELETE') return send(res, { status: 200, body: { cleared: ctx.faults.clear() } });
    if (method !== 'POST') return send(res, notAllowed('GET, POST, DELETE'));
    const body = json();
    if (!body.ok) return send(res, badJson());
    const specs = Array.isArray(body.value) ? body.value : [body.value];
    const problems = specs.flatMap((spec, i) => {
      const parsed = parseFaultSpec(spec);
      return parsed.ok ? [] : parsed.errors.map((e) => (specs.length > 1 ? `[${i}] ${e}` : e));
    });
    if (problems.length > 0) return send(res, { status: 400, body: { error: 'invalid fault', details: problems } });
    const added = specs.map((spec) => ctx.faults.add(spec as Parameters<FaultQueue['add']>[0]));
    return send(res, { status: 201, body: { faults: added } });
  }
  return send(res, { status: 404, body: { error: 'no such admin route' } });
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP helpers

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function notAllowed(allow: string): Reply {
  return { status: 405, body: { status: 'INVALID', reason: `Method not allowed; use ${allow}.` }, headers: { allow } };
}

function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const [type, ...params] = header.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') return false;
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  return charset === undefined || charset === 'utf-8' || charset === 'utf8';
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed || res.writableEnded) return;
  const payload = Buffer.from(JSON.stringify(reply.body ?? null), 'utf8');
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(payload.length),
    'cache-control': 'no-store',
    ...reply.headers,
  });
  res.end(payload);
}

/**
 * Reads the body, keeping at most `limit` bytes. A bigger body is drained (so the client can read the 413) unless
 * it runs past DRAIN_FACTOR × limit, when the socket is cut. Resolves undefined if the request did not complete.
 */
function readBody(req: IncomingMessage, limit: number): Promise<BodyRead | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (value: BodyRead | undefined) => {
      if (done) return;
      done = true;
      resolve(value);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > limit * DRAIN_FACTOR) {
        req.socket.destroy();
        finish(undefined);
      }
    });
    req.on('end', () =>
      finish({
        bytes: size <= limit ? Buffer.concat(chunks) : Buffer.alloc(0),
        size,
        tooLarge: size > limit,
        contentType: req.headers['content-type'],
      }),
    );
    req.on('error', () => finish(undefined));
    req.on('close', () => {
      if (!req.complete) finish(undefined);
    });
  });
}
