import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MockAgent } from 'undici';
import { InvalidAuthenticationError, RateLimitedError, RetryableError } from '@snaptrack/util-errors';
import { createLogger } from '@snaptrack/util-logger';
import { captureLogs } from '@snaptrack/util-testing';
import { SnapCapiClient, SnapRejectedError, type SnapSendResult } from './client';
import type { SnapEvent } from './mapping';

/**
 * client.ts against Snapchat's documented answers instead of our own sandbox: every request/response pair in
 * fixtures/recorded-*.json is built from a Snap doc page named in its `source`, served by undici's MockAgent, which is
 * injected as the dispatcher of client.ts's global fetch (Jest's sandbox has its own globals, so setGlobalDispatcher
 * would not reach Node's fetch). Each case checks the request Snap would receive (path, query,
 * header, body), how the answer is classified, and that the access token never reaches a log line or an error.
 */

interface Recorded {
  source: string;
  request: {
    method: 'POST';
    path: string;
    query: { access_token: string };
    headers: Record<string, string>;
    body_fixture: string;
  };
  response: { status: number; headers?: Record<string, string>; body?: unknown; raw_body?: string };
  expect: {
    class: 'ok' | 'SnapRejectedError' | 'InvalidAuthenticationError' | 'RateLimitedError' | 'RetryableError';
    httpStatus: number;
    status?: string;
    eventIndex?: number | null;
    splittable?: boolean;
    eventLogs?: Array<{ event: number; status: string }>;
    messageIncludes?: string;
    code?: string;
    retryAfterMs?: number;
  };
}

const FIXTURES = join(__dirname, 'fixtures');
const cases = readdirSync(FIXTURES)
  .filter((f) => /^recorded-.+\.json$/.test(f))
  .sort()
  .map((f) => [f, JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as Recorded] as const);

const BASE = 'https://tr.snapchat.com';
const PIXEL_ID = '5bf81ee1-15b1-4dc1-b636-d7dae49b950e';
/** Distinctive, so any leak is found; characters that need URL encoding included. */
const TOKEN = 'recorded-TOKEN/9f3b+c41=e27d';

describe('SnapCapiClient against recorded Snapchat answers', () => {
  let agent: MockAgent;
  let client: SnapCapiClient;
  let logs: ReturnType<typeof captureLogs>;

  beforeAll(() => {
    logs = captureLogs();
    agent = new MockAgent();
    agent.disableNetConnect();
    client = new SnapCapiClient({
      baseUrl: BASE,
      timeoutMs: 2000,
      log: createLogger('client-recorded', 'debug'),
      dispatcher: agent,
    });
  });
  afterEach(() => agent.assertNoPendingInterceptors());
  afterAll(async () => {
    await agent.close();
    logs.restore();
  });

  it(
    'has a fixture for each documented answer: 200, 400 with per-event errors, 401, 429 with/without ' +
      'Retry-After, 5xx',
    () => {
      const statuses = cases.map(([, c]) => c.response.status);
      for (const s of [200, 400, 401, 429, 500, 503]) expect(statuses).toContain(s);
      expect(cases.some(([, c]) => c.response.status === 429 && c.response.headers?.['retry-after'])).toBe(true);
      expect(cases.some(([, c]) => c.response.status === 429 && !c.response.headers?.['retry-after'])).toBe(true);
      for (const [, c] of cases)
        expect(c.source).toMatch(/developers\.snap\.com|Snap SDK|github\.com|docs\/snap-capi\.md/);
    },
  );

  it.each(cases)('%s', async (_file, c) => {
    const body = JSON.parse(readFileSync(join(FIXTURES, c.request.body_fixture), 'utf8')) as { data: SnapEvent[] };
    const validateOnly = c.request.path.endsWith('/validate');
    const path = c.request.path.replace('{PIXEL_ID}', PIXEL_ID);
    const seen: Array<{ path: string; body: unknown; contentType: unknown }> = [];
    agent
      .get(BASE)
      .intercept({ method: c.request.method, path: (p) => p.startsWith(path + '?') || p === path })
      .reply((opts) => {
        const headers = opts.headers as Record<string, string>;
        seen.push({
          path: opts.path,
          body: JSON.parse(String(opts.body)),
          contentType: headers['content-type'] ?? headers['Content-Type'],
        });
        const payload = c.response.raw_body ?? JSON.stringify(c.response.body);
        return { statusCode: c.response.status, data: payload, responseOptions: { headers: c.response.headers ?? {} } };
      });

    const linesBefore = logs.lines.length;
    let result: SnapSendResult | null = null;
    let error: unknown = null;
    try {
      result = await client.send({ pixelId: PIXEL_ID, accessToken: TOKEN, validateOnly, events: body.data });
    } catch (e) {
      error = e;
    }

    // The request Snap receives: the documented path, the token only as the access_token query parameter, JSON.
    expect(seen).toHaveLength(1);
    const url = new URL(seen[0]!.path, BASE);
    expect(url.pathname).toBe(path);
    expect([...url.searchParams.keys()]).toEqual(['access_token']);
    expect(url.searchParams.get('access_token')).toBe(TOKEN);
    expect(seen[0]!.contentType).toBe(c.request.headers['content-type']);
    expect(seen[0]!.body).toEqual(body);

    const x = c.expect;
    if (x.class === 'ok') {
      expect(error).toBeNull();
      expect(result).toMatchObject({ httpStatus: x.httpStatus, status: x.status, eventErrors: [] });
    } else {
      expect(result).toBeNull();
      const classes = {
        SnapRejectedError,
        InvalidAuthenticationError,
        RateLimitedError,
        RetryableError,
      } as const;
      expect(error).toBeInstanceOf(classes[x.class]);
      expect(error).toMatchObject({ httpStatus: x.httpStatus });
      if (x.class !== 'RateLimitedError' && x.class !== 'RetryableError') {
        expect(error).toMatchObject({ retryable: false });
      } else {
        expect(error).toMatchObject({ retryable: true });
      }
      if (x.code) expect(error).toMatchObject({ code: x.code });
      if (x.eventIndex !== undefined) expect(error).toMatchObject({ eventIndex: x.eventIndex });
      if (x.splittable !== undefined) expect(error).toMatchObject({ splittable: x.splittable });
      if (x.eventLogs) expect((error as SnapRejectedError).eventLogs).toMatchObject(x.eventLogs);
      if (x.messageIncludes) expect((error as Error).message).toContain(x.messageIncludes);
      if (x.retryAfterMs !== undefined) expect((error as RateLimitedError).retryAfterMs).toBe(x.retryAfterMs);
    }

    // The token (raw or URL-encoded) and the URL never reach a log line or the error.
    const lines = logs.lines.slice(linesBefore);
    expect(lines.length).toBeGreaterThan(0);
    const leaks = [TOKEN, encodeURIComponent(TOKEN), 'access_token'];
    const texts = [...lines];
    if (error instanceof Error) texts.push(error.message, String(error.stack), JSON.stringify(error));
    for (const text of texts) for (const leak of leaks) expect(text).not.toContain(leak);
  });
});
