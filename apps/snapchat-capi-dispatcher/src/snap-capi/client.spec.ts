import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidAuthenticationError, RateLimitedError, RetryableError } from '@snaptrack/util-errors';
import { createLogger } from '@snaptrack/util-logger';
import { captureLogs } from '@snaptrack/util-testing';
import { sampleWebPurchase, startSandbox, type Sandbox } from '@snaptrack/snap-capi-sandbox';
import { PayloadTooLargeError, SnapCapiClient, SnapRejectedError, parseRetryAfter } from './client';
import type { SnapEvent } from './mapping';

/** client.ts against the local Snap CAPI sandbox (real HTTP, injected faults). */
describe('SnapCapiClient', () => {
  const pixelId = randomUUID();
  const token = `tok_${randomUUID()}`;
  const otherPixel = randomUUID();
  const otherToken = `tok_${randomUUID()}`;
  let sandbox: Sandbox;
  let client: SnapCapiClient;
  let logs: ReturnType<typeof captureLogs>;

  const event = (id: string = randomUUID()) => sampleWebPurchase(Date.now(), id) as unknown as SnapEvent;
  const send = (over: Partial<Parameters<SnapCapiClient['send']>[0]> = {}) =>
    client.send({ pixelId, accessToken: token, validateOnly: false, events: [event()], ...over });
  async function failure(p: Promise<unknown>): Promise<Error> {
    try {
      await p;
    } catch (e) {
      return e as Error;
    }
    throw new Error('expected the request to fail');
  }

  beforeAll(async () => {
    logs = captureLogs();
    sandbox = await startSandbox({
      port: 0,
      strictPixels: true,
      pixels: { [pixelId]: token, [otherPixel]: otherToken },
      maxBodyBytes: 64 * 1024,
    });
    client = new SnapCapiClient({ baseUrl: sandbox.url, timeoutMs: 1000, log: createLogger('client-spec', 'debug') });
  });
  beforeEach(() => sandbox.clearFaults());
  afterAll(async () => {
    await sandbox.stop();
    logs.restore();
  });

  it('POSTs {data:[…]} to /v3/{pixel}/events and reports success', async () => {
    const e = event('ev-ok');
    await expect(send({ events: [e] })).resolves.toEqual({
      httpStatus: 200,
      status: 'VALID',
      reason: expect.any(String),
      eventErrors: [],
    });
    expect(sandbox.store.events({ pixelId: pixelId.toLowerCase(), eventId: 'ev-ok' })).toHaveLength(1);
  });

  it(
    'sends exactly: POST /v3/{pixel}/events[/validate]?access_token=…, Content-Type application/json, ' +
      'no Authorization, {"data":[…]}',
    async () => {
      const seen: Array<{ method?: string; url?: string; headers: Record<string, unknown>; body: string }> = [];
      const server = createServer((req, res) => {
        let body = '';
        req.on('data', (d: Buffer) => (body += d.toString()));
        req.on('end', () => {
          seen.push({ method: req.method, url: req.url, headers: req.headers, body });
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"VALID"}');
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      try {
        const direct = new SnapCapiClient({
          baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
          timeoutMs: 1000,
          log: createLogger('client-spec', 'error'),
        });
        const e = event('ev-shape');
        await direct.send({ pixelId, accessToken: 'tok/with+odd=chars', validateOnly: false, events: [e] });
        await direct.send({ pixelId, accessToken: token, validateOnly: true, events: [e] });
        expect(seen.map((r) => r.method)).toEqual(['POST', 'POST']);
        expect(seen[0]!.url).toBe(`/v3/${pixelId}/events?access_token=${encodeURIComponent('tok/with+odd=chars')}`);
        expect(seen[1]!.url).toBe(`/v3/${pixelId}/events/validate?access_token=${encodeURIComponent(token)}`);
        for (const r of seen) {
          expect(r.headers['content-type']).toBe('application/json');
          expect(r.headers).not.toHaveProperty('authorization');
          expect(JSON.parse(r.body)).toEqual({ data: [e] });
          expect(r.body).not.toContain('test_event_code');
        }
      } finally {
        await new Promise<void>((r) => server.close(() => r()));
      }
    },
  );

  it('sends a test-mode batch to /events/validate, which records nothing', async () => {
    await expect(send({ validateOnly: true, events: [event('ev-test')] })).resolves.toMatchObject({ httpStatus: 200 });
    expect(sandbox.store.events({ eventId: 'ev-test' })).toHaveLength(0);
    expect(sandbox.store.stats().events.test).toBeGreaterThan(0);
  });

  it("400: SnapRejectedError with Snap's message and the index of the bad event", async () => {
    const bad = { ...event(), event_name: 'ADD_TO_CART' } as SnapEvent;
    const err = await failure(send({ events: [event(), bad, event()] }));
    expect(err).toBeInstanceOf(SnapRejectedError);
    expect(err).toMatchObject({ httpStatus: 400, eventIndex: 1, retryable: false });
    expect(err.message).toMatch(/data\[1\]\.event_name is an unrecognized event type/);
  });

  it('400 from /validate carries one verdict per event', async () => {
    const bad = { ...event(), action_source: 'website' } as unknown as SnapEvent;
    const err = (await failure(send({ validateOnly: true, events: [event(), bad] }))) as SnapRejectedError;
    expect(err.eventLogs?.map((l) => l.status)).toEqual(['VALID', 'INVALID']);
    expect(err.eventLogs?.[1]?.message).toMatch(/action_source/);
  });

  it('2xx with status INVALID is a rejection, not a success', async () => {
    sandbox.addFault({
      pixel_id: pixelId,
      status: 200,
      body: { status: 'INVALID', reason: 'Events failed validation.' },
    });
    const err = await failure(send());
    expect(err).toBeInstanceOf(SnapRejectedError);
    expect(err.message).toBe('Events failed validation.');
  });

  it('401 (wrong token) and 403 (token of another organisation) are InvalidAuthenticationError', async () => {
    const wrong = await failure(send({ accessToken: 'not-the-token' }));
    expect(wrong).toBeInstanceOf(InvalidAuthenticationError);
    expect(wrong).toMatchObject({ code: 'invalid_authentication', httpStatus: 401 });
    const foreign = await failure(send({ accessToken: otherToken }));
    expect(foreign).toMatchObject({ code: 'invalid_authentication', httpStatus: 403 });
  });

  it(
    '400 is classified by its status, not its text: ' + 'a message naming the token is still a payload rejection',
    async () => {
      sandbox.addFault({
        pixel_id: pixelId,
        status: 400,
        body: {
          status: 'INVALID',
          event: 0,
          reason: "Param data['user_data']['sc_cookie1'] is not a valid token",
          errors: {
            codes: ['INVALID_PARAM'],
            error_msgs: ["Param data['user_data']['sc_cookie1'] is not a valid token"],
          },
        },
      });
      const err = await failure(send());
      expect(err).toBeInstanceOf(SnapRejectedError);
      expect(err).not.toBeInstanceOf(InvalidAuthenticationError);
      expect(err).toMatchObject({ httpStatus: 400, eventIndex: 0, splittable: true, code: 'payload_invalid' });
      sandbox.addFault({ pixel_id: pixelId, status: 400, body: { status: 'INVALID', reason: 'Invalid access token' } });
      expect(await failure(send())).toBeInstanceOf(SnapRejectedError);
    },
  );

  it('2xx with per-event verdicts: the refused events are eventErrors, the others landed', async () => {
    sandbox.addFault({
      pixel_id: pixelId,
      status: 200,
      body: {
        status: 'INVALID',
        reason: 'Some events failed.',
        event_logs: [
          { event: 0, status: 'VALID', errors: { codes: [], error_msgs: [] } },
          { event: 1, status: 'INVALID', errors: { codes: ['INVALID_TIMESTAMP'], error_msgs: ['bad event_time'] } },
        ],
      },
    });
    const r = await send({ events: [event(), event()] });
    expect(r.eventErrors).toEqual([{ event: 1, status: 'INVALID', message: 'bad event_time' }]);
    sandbox.addFault({ pixel_id: pixelId, status: 200, body: { status: 'VALID', event_logs: [] } });
    expect((await send()).eventErrors).toEqual([]);
  });

  it('404 (unknown pixel) is InvalidAuthenticationError("pixel_not_found")', async () => {
    const err = await failure(send({ pixelId: randomUUID() }));
    expect(err).toBeInstanceOf(InvalidAuthenticationError);
    expect(err).toMatchObject({ code: 'pixel_not_found', httpStatus: 404 });
  });

  it('refuses a pixel id that is not a UUID without making a request', async () => {
    const before = sandbox.store.stats().requests.total;
    const err = await failure(send({ pixelId: '12345' }));
    expect(err).toMatchObject({ code: 'pixel_not_found' });
    expect(sandbox.store.stats().requests.total).toBe(before);
  });

  it('413 is PayloadTooLargeError (the caller halves the batch)', async () => {
    const many = Array.from({ length: 120 }, () => event());
    const err = await failure(send({ events: many }));
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect(err).toMatchObject({ httpStatus: 413 });
  });

  it('429 is RateLimitedError carrying Retry-After', async () => {
    sandbox.addFault({ pixel_id: pixelId, status: 429, retry_after_s: 2 });
    const err = await failure(send());
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(2000);
    sandbox.addFault({ pixel_id: pixelId, status: 429 });
    expect(((await failure(send())) as RateLimitedError).retryAfterMs).toBe(-1);
  });

  it.each([500, 502, 503, 504, 408, 423])('%i is retryable', async (status) => {
    sandbox.addFault({ pixel_id: pixelId, status });
    const err = await failure(send());
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ httpStatus: status, retryable: true });
  });

  it('every 5xx is retryable, 501 included (docs/snap-capi.md "Retry rules")', async () => {
    for (const status of [501, 505, 599]) {
      sandbox.addFault({ pixel_id: pixelId, status });
      expect(await failure(send())).toMatchObject({
        retryable: true,
        httpStatus: status,
        code: 'upstream_unavailable',
      });
    }
  });

  it(
    'never follows a redirect (it would carry the token elsewhere); the event did not land, so it is ' + 'retried',
    async () => {
      const hits: string[] = [];
      const elsewhere = createServer((req, res) => {
        hits.push(req.url ?? '');
        res.end('{"status":"VALID"}');
      });
      await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', () => r()));
      const target = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/v3/${pixelId}/events`;
      try {
        for (const status of [301, 302, 307, 308]) {
          sandbox.addFault({
            pixel_id: pixelId,
            status,
            headers: { location: target },
            body: { status: 'INVALID', reason: 'moved' },
          });
          const err = await failure(send());
          expect(err).toBeInstanceOf(RetryableError);
          expect(err).toMatchObject({ retryable: true, httpStatus: status });
          expect(err.message).toMatch(/redirect .*never followed/);
        }
        expect(hits).toEqual([]);
      } finally {
        await new Promise<void>((r) => elsewhere.close(() => r()));
      }
    },
  );

  it(
    'tolerant success parsing: 2xx with VALID, SUCCESS, an unknown status, no body or a non-JSON body ' +
      'is delivered',
    async () => {
      const answers = [
        { status: 200, body: { status: 'SUCCESS', reason: 'SUCCESS' } },
        { status: 200, body: { status: 'valid' } },
        { status: 200, body: { status: 'PARTIAL', reason: 'whatever' } },
        { status: 200, body: [] },
        { status: 202, raw_body: '' },
        { status: 200, raw_body: 'OK' },
        { status: 200, raw_body: '<html><body>accepted</body></html>' },
        { status: 204, raw_body: '' },
      ];
      for (const a of answers) {
        sandbox.addFault({ pixel_id: pixelId, ...a });
        await expect(send()).resolves.toMatchObject({ httpStatus: a.status });
      }
      for (const status of ['INVALID', 'FAILED', 'FAILURE', 'failed']) {
        sandbox.addFault({ pixel_id: pixelId, status: 200, body: { status, reason: 'no' } });
        expect(await failure(send())).toBeInstanceOf(SnapRejectedError);
      }
    },
  );

  it('429 with Retry-After as an HTTP date', async () => {
    const date = new Date(Date.now() + 30_000).toUTCString();
    sandbox.addFault({ pixel_id: pixelId, status: 429, headers: { 'retry-after': date } });
    const err = (await failure(send())) as RateLimitedError;
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.retryAfterMs).toBeGreaterThan(25_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('400 with a body that is not JSON is still a rejection that may be split', async () => {
    sandbox.addFault({ pixel_id: pixelId, status: 400, raw_body: '<html>Bad Request</html>' });
    expect(await failure(send())).toMatchObject({ retryable: false, httpStatus: 400, splittable: true });
  });

  it('a dropped connection and a timeout are retryable network errors', async () => {
    sandbox.addFault({ pixel_id: pixelId, drop_connection: true });
    expect(await failure(send())).toMatchObject({ code: 'network', retryable: true });
    sandbox.addFault({ pixel_id: pixelId, delay_ms: 1500 });
    const slow = await failure(send());
    expect(slow).toMatchObject({ code: 'network', retryable: true });
    expect(slow.message).toMatch(/did not answer within 1000 ms/);
  });

  it('never puts the URL or the token into an error or a log line', async () => {
    const errors: Error[] = [];
    sandbox.addFault({ pixel_id: pixelId, drop_connection: true });
    errors.push(await failure(send()));
    sandbox.addFault({ pixel_id: pixelId, status: 503 });
    errors.push(await failure(send()));
    errors.push(await failure(send({ accessToken: 'wrong-token-value' })));
    for (const e of errors) {
      const text = `${e.message} ${e.stack} ${JSON.stringify(e)}`;
      expect(text).not.toContain(token);
      expect(text).not.toContain('wrong-token-value');
      expect(text).not.toContain('access_token');
      expect(text).not.toContain(sandbox.url);
    }
    const all = logs.lines.join('\n');
    expect(all).toContain('"msg":"snap request"');
    expect(all).not.toContain(token);
    expect(all).not.toContain('wrong-token-value');
    expect(all).not.toContain('access_token');
    expect(all).not.toContain('/events');
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['3', 3000],
    ['0', 0],
    ['1.5', 1500],
    [null, null],
    ['soon', null],
  ])('%s → %s', (h, ms) => expect(parseRetryAfter(h)).toBe(ms));
  it('reads an HTTP date', () => {
    const now = Date.parse('2024-01-01T00:00:00Z');
    expect(parseRetryAfter('Mon, 01 Jan 2024 00:00:10 GMT', now)).toBe(10000);
  });
});
