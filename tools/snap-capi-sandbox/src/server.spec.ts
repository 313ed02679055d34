// Real HTTP against startSandbox() on a free port, using global fetch.

import { sampleWebPurchase, VECTOR_SHA256 } from './fixtures';
import { startSandbox, type Sandbox } from './sandbox';
import type { LogEntry } from './server';
import { SHA256_OF_EMPTY_STRING } from './validate';

const PIXEL = '5bf81ee1-15b1-4dc1-b636-d7dae49b950e';
const OTHER_PIXEL = '0c6a9a3e-8f0e-4d6b-9a57-4a1f2c3d4e5f';
const TOKEN = 'sandbox-token-7f3a9c';
const OTHER_TOKEN = 'other-org-token-41d2';
const DAY_S = 86_400;

type Json = Record<string, any>;

let sandbox: Sandbox;
const logs: LogEntry[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({
    port: 0,
    pixels: { [PIXEL]: TOKEN, [OTHER_PIXEL]: OTHER_TOKEN },
    strictPixels: true,
    log: (entry) => logs.push(entry),
  });
});
afterAll(() => sandbox.stop());
beforeEach(() => sandbox.reset());

function purchase(mutate: (e: Json) => void = () => undefined, eventId = 'ord-10042'): Json {
  const e = sampleWebPurchase(Date.now(), eventId) as Json;
  mutate(e);
  return e;
}

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

interface Sent {
  status: number;
  headers: Headers;
  text: string;
  body: Json;
}

async function call(path: string, init: RequestInit = {}): Promise<Sent> {
  const res = await fetch(`${sandbox.url}${path}`, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
}

interface PostOptions {
  token?: string | null;
  pixel?: string;
  contentType?: string;
  validate?: boolean;
}

function post(
  body: unknown,
  { token = TOKEN, pixel = PIXEL, contentType = 'application/json', validate = false }: PostOptions = {},
) {
  const query = token === null ? '' : `?access_token=${encodeURIComponent(token)}`;
  return call(`/v3/${pixel}/events${validate ? '/validate' : ''}${query}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function admin(path: string, method = 'GET', body?: unknown) {
  return call(`/__admin${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
}

function expectInvalid(sent: Sent, status: number, code: string, event?: number) {
  expect(sent.status).toBe(status);
  expect(sent.body.status).toBe('INVALID');
  expect(sent.body.errors.codes).toContain(code);
  expect(typeof sent.body.reason).toBe('string');
  expect(sent.body.errors.error_msgs).toHaveLength(sent.body.errors.codes.length);
  if (event === undefined) expect(sent.body).not.toHaveProperty('event');
  else expect(sent.body.event).toBe(event);
  expect(sandbox.store.events()).toHaveLength(0);
}

describe('POST /v3/{pixel}/events: accepted batches', () => {
  it('accepts a valid web purchase and records it for the pixel', async () => {
    const event = purchase();
    const sent = await post({ data: [event] });

    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ status: 'VALID', reason: 'Events have been processed successfully.' });
    const stored = sandbox.store.events({ pixelId: PIXEL });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      pixel_id: PIXEL,
      event_id: 'ord-10042',
      event_name: 'PURCHASE',
      duplicate: false,
      event,
    });

    const listed = await admin(`/events?pixel_id=${PIXEL}`);
    expect(listed.body.count).toBe(1);
    expect(listed.body.events[0]).toMatchObject({ pixel_id: PIXEL, event_id: 'ord-10042', event });
    expect(Date.parse(listed.body.events[0].received_at)).toBeGreaterThan(Date.now() - 10_000);
    expect((await admin(`/events?pixel_id=${OTHER_PIXEL}`)).body.count).toBe(0);
  });

  it('accepts hashed keys as strings or arrays and an IPv6 address', async () => {
    const event = purchase((e) => {
      e.user_data.em = VECTOR_SHA256.email;
      e.user_data.st = [VECTOR_SHA256.state];
      e.user_data.zp = VECTOR_SHA256.zip;
      e.user_data.client_ip_address = '2001:db8::7';
    });
    expect((await post({ data: [event] })).status).toBe(200);
  });

  it('counts a repeated event_id per (pixel, event_id) and still accepts it', async () => {
    expect((await post({ data: [purchase()] })).status).toBe(200);
    expect((await post({ data: [purchase()] })).status).toBe(200);
    expect((await post({ data: [purchase()] }, { pixel: OTHER_PIXEL, token: OTHER_TOKEN })).status).toBe(200);

    const stats = (await admin('/stats')).body;
    expect(stats.duplicates).toEqual([{ pixel_id: PIXEL, event_id: 'ord-10042', count: 2 }]);
    expect(stats.pixels[PIXEL]).toMatchObject({ accepted_events: 2, unique_event_ids: 1, duplicate_events: 1 });
    expect(stats.pixels[OTHER_PIXEL]).toMatchObject({ accepted_events: 1, duplicate_events: 0 });
    expect(stats.requests).toMatchObject({ total: 3, accepted: 3, rejected: 0 });
    expect(sandbox.store.events({ pixelId: PIXEL }).map((e) => e.duplicate)).toEqual([false, true]);
  });

  it('accepts 2000 events in one request', async () => {
    const lean = (i: number) => ({
      event_name: 'PAGE_VIEW',
      event_time: Math.floor(Date.now() / 1000),
      action_source: 'WEB',
      event_source_url: 'https://a.example/',
      user_data: { em: [VECTOR_SHA256.email] },
      event_id: `pv-${i}`,
    });
    const sent = await post({ data: Array.from({ length: 2000 }, (_, i) => lean(i)) });
    expect(sent.status).toBe(200);
    expect(sandbox.store.events()).toHaveLength(2000);
  });
});

describe('POST /v3/{pixel}/events: each checklist failure is named', () => {
  const nowS = () => Math.floor(Date.now() / 1000);

  it.each<[string, (e: Json) => void, string]>([
    ['event_time in milliseconds', (e) => (e.event_time = Date.now()), 'INVALID_EVENT_TIME'],
    ['event_time as a string', (e) => (e.event_time = String(nowS())), 'INVALID_EVENT_TIME'],
    ['unhashed email', (e) => (e.user_data.em = ['person@example.com']), 'UNHASHED_PII'],
    ['sha256("") as a hashed value', (e) => (e.user_data.fn = SHA256_OF_EMPTY_STRING), 'EMPTY_VALUE_HASH'],
    [
      'missing identifiers (IP without UA)',
      (e) => (e.user_data = { client_ip_address: '203.0.113.7', sc_click_id: 'abc' }),
      'INSUFFICIENT_PII',
    ],
    ['ADD_TO_CART', (e) => (e.event_name = 'ADD_TO_CART'), 'UNRECOGNIZED_EVENT_TYPE'],
    ['PURCHASE without currency', (e) => delete e.custom_data.currency, 'MISSING_CURRENCY'],
    ['PURCHASE with a string value', (e) => (e.custom_data.value = '49.9'), 'INVALID_VALUE'],
    ['custom_data.event_id', (e) => (e.custom_data.event_id = 'ord-10042'), 'EVENT_ID_IN_CUSTOM_DATA'],
    ['relative event_source_url', (e) => (e.event_source_url = '/checkout/thank-you'), 'INVALID_EVENT_SOURCE_URL'],
    ['event older than 37 days', (e) => (e.event_time = nowS() - 38 * DAY_S), 'EVENT_TIME_OUT_OF_RANGE'],
    ['event 10 minutes in the future', (e) => (e.event_time = nowS() + 600), 'EVENT_TIME_OUT_OF_RANGE'],
    ['action_source "website"', (e) => (e.action_source = 'website'), 'INVALID_ACTION_SOURCE'],
    ['invalid client_ip_address', (e) => (e.user_data.client_ip_address = 'not-an-ip'), 'INVALID_IP_ADDRESS'],
  ])('%s -> 400 INVALID naming event 0', async (_name, mutate, code) => {
    expectInvalid(await post({ data: [purchase(mutate)] }), 400, code, 0);
  });

  it('rejects the whole batch when any event is invalid, and stores nothing from it', async () => {
    const sent = await post({
      data: [purchase(), purchase((e) => (e.event_name = 'ADD_TO_CART'), 'ord-2'), purchase()],
    });
    expectInvalid(sent, 400, 'UNRECOGNIZED_EVENT_TYPE', 1);
    expect(sent.body.reason).toMatch(/data\[1\]\.event_name/);
    expect((await admin('/stats')).body.requests).toMatchObject({ total: 1, accepted: 0, rejected: 1 });
  });

  it('2001 events -> 400 TOO_MANY_EVENTS with no event index', async () => {
    const lean = {
      event_name: 'PAGE_VIEW',
      event_time: nowS(),
      action_source: 'WEB',
      event_source_url: 'https://a.example/',
      user_data: { em: [VECTOR_SHA256.email] },
    };
    expectInvalid(await post({ data: Array.from({ length: 2001 }, () => lean) }), 400, 'TOO_MANY_EVENTS');
  });

  it('empty data, missing data and unknown top-level keys -> 400 at the envelope', async () => {
    expectInvalid(await post({ data: [] }), 400, 'EMPTY_DATA');
    expectInvalid(await post({ events: [purchase()] }), 400, 'MISSING_REQUIRED_FIELD');
    expectInvalid(await post({ data: [purchase()], test_event_code: 'T1' }), 400, 'LEGACY_FIELD');
  });

  it('a body over 1 MiB -> 413 PAYLOAD_TOO_LARGE (readable, then the connection is reused)', async () => {
    const big = JSON.stringify({ data: [purchase()], pad: 'x'.repeat(1024 * 1024) });
    expectInvalid(await post(big), 413, 'PAYLOAD_TOO_LARGE');
    expect((await post({ data: [purchase()] })).status).toBe(200);
  });

  it('a wrong content type -> 400 UNSUPPORTED_CONTENT_TYPE; bad JSON -> 400 INVALID_JSON', async () => {
    expectInvalid(await post({ data: [purchase()] }, { contentType: 'text/plain' }), 400, 'UNSUPPORTED_CONTENT_TYPE');
    expectInvalid(
      await post({ data: [purchase()] }, { contentType: 'application/x-www-form-urlencoded' }),
      400,
      'UNSUPPORTED_CONTENT_TYPE',
    );
    expectInvalid(await post('{"data": [', {}), 400, 'INVALID_JSON');
    expect((await post({ data: [purchase()] }, { contentType: 'application/json; charset=utf-8' })).status).toBe(200);
  });
});

describe('tokens and pixels', () => {
  it('a wrong token -> 401 INVALID_ACCESS_TOKEN', async () => {
    expectInvalid(await post({ data: [purchase()] }, { token: 'wrong-token' }), 401, 'INVALID_ACCESS_TOKEN');
  });

  it('no token -> 401 MISSING_ACCESS_TOKEN, even with a Bearer header (v3 reads the query only)', async () => {
    const sent = await call(`/v3/${PIXEL}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ data: [purchase()] }),
    });
    expectInvalid(sent, 401, 'MISSING_ACCESS_TOKEN');
  });

  it('the token given twice -> 401', async () => {
    const sent = await call(`/v3/${PIXEL}/events?access_token=${TOKEN}&access_token=${TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: [purchase()] }),
    });
    expectInvalid(sent, 401, 'INVALID_ACCESS_TOKEN');
  });

  it(
    'any query parameter besides access_token -> 400 UNKNOWN_QUERY_PARAMETER (test_event_code never ' +
      'goes in the URL)',
    async () => {
      for (const validate of [false, true]) {
        const sent = await call(
          `/v3/${PIXEL}/events${validate ? '/validate' : ''}?access_token=${TOKEN}&test_event_code=TEST123`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ data: [purchase()] }),
          },
        );
        expectInvalid(sent, 400, 'UNKNOWN_QUERY_PARAMETER');
        expect(sent.body.reason).toMatch(/test_event_code/);
      }
      expect(sandbox.store.testEvents(PIXEL.toLowerCase(), Date.now())).toHaveLength(0);
    },
  );

  it("another pixel's token -> 403 PIXEL_NOT_OWNED", async () => {
    expectInvalid(await post({ data: [purchase()] }, { token: OTHER_TOKEN }), 403, 'PIXEL_NOT_OWNED');
  });

  it('strict mode: an unknown pixel -> 404 UNKNOWN_PIXEL; a non-UUID pixel -> 404 INVALID_PIXEL_ID', async () => {
    expectInvalid(
      await post({ data: [purchase()] }, { pixel: 'a0a0a0a0-0000-4000-8000-000000000000' }),
      404,
      'UNKNOWN_PIXEL',
    );
    expectInvalid(await post({ data: [purchase()] }, { pixel: 'pixel-1' }), 404, 'INVALID_PIXEL_ID');
  });

  it('PUT /__admin/pixels/{id} registers a token without ever echoing it', async () => {
    const pixel = 'b1b1b1b1-1111-4111-8111-111111111111';
    const put = await admin(`/pixels/${pixel}`, 'PUT', { access_token: 'fresh-token-1' });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ pixel_id: pixel, registered: true });
    expect((await post({ data: [purchase()] }, { pixel, token: 'fresh-token-1' })).status).toBe(200);

    const listed = await admin('/pixels');
    expect(listed.body.pixels).toContainEqual({ pixel_id: pixel, source: 'admin' });
    expect(listed.text).not.toContain('fresh-token-1');
    expect(listed.text).not.toContain(TOKEN);

    expect((await admin(`/pixels/${pixel}`, 'PUT', { access_token: '' })).status).toBe(400);
    expect((await admin('/pixels/not-a-uuid', 'PUT', { access_token: 'x' })).status).toBe(400);
    expect((await admin(`/pixels/${pixel}`, 'DELETE')).body).toEqual({ pixel_id: pixel, removed: true });
  });

  it('non-strict mode pins the first token seen for an unregistered pixel', async () => {
    const open = await startSandbox({ strictPixels: false });
    try {
      const pixel = 'c2c2c2c2-2222-4222-8222-222222222222';
      const send = (token: string) =>
        fetch(`${open.url}/v3/${pixel}/events?access_token=${token}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ data: [purchase()] }),
        });
      expect((await send('first-token')).status).toBe(200);
      expect((await send('first-token')).status).toBe(200);
      expect((await send('second-token')).status).toBe(401);
      expect(open.pixels.list()).toEqual([{ pixel_id: pixel, source: 'pinned' }]);
      expect(open.store.events({ pixelId: pixel })).toHaveLength(2);
    } finally {
      await open.stop();
    }
  });

  it('never returns or logs the token or a query string', async () => {
    logs.length = 0;
    const texts = [
      (await post({ data: [purchase()] })).text,
      (await post({ data: [purchase()] }, { token: 'wrong-secret-zz' })).text,
      (await post({ data: [purchase((e) => (e.event_name = 'nope'))] })).text,
      (await admin('/stats')).text,
      (await admin('/events')).text,
    ];
    for (const text of texts) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain('wrong-secret-zz');
    }
    expect(logs.length).toBeGreaterThanOrEqual(3);
    const logged = JSON.stringify(logs);
    expect(logged).not.toContain(TOKEN);
    expect(logged).not.toContain('wrong-secret-zz');
    expect(logged).not.toContain('access_token');
    expect(logs.every((entry) => typeof entry['path'] !== 'string' || !String(entry['path']).includes('?'))).toBe(true);
  });
});

describe('POST /v3/{pixel}/events/validate and the test log', () => {
  it('validates a good batch but stores nothing in the accepted store', async () => {
    const sent = await post({ data: [purchase()] }, { validate: true });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({
      status: 'VALID',
      test_event: true,
      event_logs: [{ event: 0, status: 'VALID', errors: { codes: [], error_msgs: [] }, warnings: [] }],
    });
    expect(sandbox.store.events()).toHaveLength(0);
    expect((await admin('/events')).body.count).toBe(0);
    expect((await admin('/stats')).body.requests).toMatchObject({ total: 1, validated: 1, accepted: 0 });
  });

  it('reports every event of an invalid batch in event_logs', async () => {
    const sent = await post({ data: [purchase(), purchase((e) => (e.event_time = Date.now()))] }, { validate: true });
    expect(sent.status).toBe(400);
    expect(sent.body).toMatchObject({ status: 'INVALID', test_event: true, event: 1 });
    expect(sent.body.event_logs.map((l: Json) => l.status)).toEqual(['VALID', 'INVALID']);
    expect(sent.body.event_logs[1].errors.codes).toEqual(['INVALID_EVENT_TIME']);
    expect(sandbox.store.events()).toHaveLength(0);
  });

  it('GET /validate/logs lists test events; GET /validate/stats splits test and live', async () => {
    await post({ data: [purchase()] }, { validate: true });
    await post({ data: [purchase((e) => (e.event_name = 'ADD_TO_CART'))] }, { validate: true });
    await post({ data: [purchase()] });

    const logsRes = await call(`/v3/${PIXEL}/events/validate/logs?access_token=${TOKEN}`);
    expect(logsRes.status).toBe(200);
    expect(logsRes.body.status).toBe('SUCCESS');
    expect(logsRes.body.logs).toHaveLength(2);
    expect(logsRes.body.logs[0]).toMatchObject({
      event_name: 'PURCHASE',
      status: 'VALID',
      asset_id: PIXEL,
      error_records: [],
    });
    expect(logsRes.body.logs[1].status).toBe('INVALID');
    expect(logsRes.body.logs[1].error_records[0]).toMatch(/unrecognized event type/);

    const stats = await call(`/v3/${PIXEL}/events/validate/stats?access_token=${TOKEN}`);
    expect(stats.body).toMatchObject({
      status: 'SUCCESS',
      stats: { test: { event_count_past_hour: 2 }, live: { event_count_past_hour: 1 } },
    });
    expect(stats.body.stats.live.latest_event_ts).toBeGreaterThan(Date.now() - 10_000);

    const denied = await call(`/v3/${PIXEL}/events/validate/logs?access_token=nope`);
    expect(denied.status).toBe(401);
    expect(denied.body.status).toBe('FAILURE');
  });

  it('answers 405 for the wrong method', async () => {
    const sent = await call(`/v3/${PIXEL}/events?access_token=${TOKEN}`);
    expect(sent.status).toBe(405);
    expect(sent.headers.get('allow')).toBe('POST');
  });
});

describe('fault injection', () => {
  it('500 once, then success', async () => {
    sandbox.addFault({ status: 500, count: 1 });
    const first = await post({ data: [purchase()] });
    expect(first.status).toBe(500);
    expect(first.body.status).toBe('FAILED');
    expect(sandbox.store.events()).toHaveLength(0);

    const second = await post({ data: [purchase()] });
    expect(second.status).toBe(200);
    expect(sandbox.store.events()).toHaveLength(1);
    expect((await admin('/stats')).body.requests).toMatchObject({ total: 2, faulted: 1, accepted: 1 });
  });

  it('429 with Retry-After, set through POST /__admin/faults', async () => {
    const added = await admin('/faults', 'POST', { pixel_id: PIXEL, status: 429, count: 2, retry_after_s: 7 });
    expect(added.status).toBe(201);
    for (let i = 0; i < 2; i += 1) {
      const sent = await post({ data: [purchase()] });
      expect(sent.status).toBe(429);
      expect(sent.headers.get('retry-after')).toBe('7');
    }
    expect((await post({ data: [purchase()] })).status).toBe(200);
  });

  it('raw_body and headers: a non-JSON answer, a Retry-After HTTP date, a redirect', async () => {
    sandbox.addFault({ status: 200, raw_body: 'OK' });
    const ok = await fetch(`${sandbox.url}/v3/${PIXEL}/events?access_token=${TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: [purchase()] }),
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('OK');
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    const date = 'Wed, 21 Oct 2026 07:28:00 GMT';
    sandbox.addFault({ status: 429, headers: { 'Retry-After': date } });
    const limited = await post({ data: [purchase()] });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe(date);
    sandbox.addFault({ status: 302, headers: { location: 'http://127.0.0.1:9/elsewhere' }, raw_body: '' });
    const moved = await call(`/v3/${PIXEL}/events?access_token=${TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: [purchase()] }),
      redirect: 'manual',
    });
    expect(moved.status).toBe(302);
    expect(moved.headers.get('location')).toBe('http://127.0.0.1:9/elsewhere');
    expect(sandbox.store.events()).toHaveLength(0);
  });

  it('drops the connection without answering, then serves the next request', async () => {
    await admin('/faults', 'POST', { drop_connection: true });
    await expect(post({ data: [purchase()] })).rejects.toThrow();
    expect(sandbox.store.events()).toHaveLength(0);
    expect((await post({ data: [purchase()] })).status).toBe(200);
  });

  it(
    'after_processing: stores the batch, loses the answer; the identical resend is counted as a ' + 'duplicate',
    async () => {
      sandbox.addFault({ drop_connection: true, after_processing: true });
      const body = { data: [purchase()] };
      await expect(post(body)).rejects.toThrow();
      expect(sandbox.store.events()).toHaveLength(1);
      expect((await post(body)).status).toBe(200);
      expect(sandbox.store.duplicates()).toEqual([{ pixel_id: PIXEL, event_id: 'ord-10042', count: 2 }]);
    },
  );

  it(
    'refuse_event_ids: HTTP 200 with one verdict per event; refused events are not stored, the others ' + 'are',
    async () => {
      const added = await admin('/faults', 'POST', { pixel_id: PIXEL, refuse_event_ids: ['ev-b'] });
      expect(added.status).toBe(201);
      const sent = await post({ data: [purchase(undefined, 'ev-a'), purchase(undefined, 'ev-b')] });
      expect(sent.status).toBe(200);
      expect(sent.body).toMatchObject({ status: 'INVALID', event: 1, errors: { codes: ['EVENT_REFUSED'] } });
      expect(sent.body.event_logs.map((l: Json) => l.status)).toEqual(['VALID', 'INVALID']);
      expect(sent.body.event_logs[1].errors.error_msgs[0]).toMatch(/refused/);
      expect(sandbox.store.events().map((e) => e.event_id)).toEqual(['ev-a']);
      // The rule is used up: the next request is answered normally.
      expect((await post({ data: [purchase(undefined, 'ev-b')] })).body.status).toBe('VALID');
      expect((await admin('/faults', 'POST', { refuse_event_ids: [], status: 200 })).status).toBe(400);
    },
  );

  it('delay_ms alone slows the normal answer down', async () => {
    sandbox.addFault({ delay_ms: 300 });
    const started = Date.now();
    const sent = await post({ data: [purchase()] });
    expect(sent.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  it('a pixel-scoped fault leaves other pixels and /validate alone', async () => {
    sandbox.addFault({ pixel_id: OTHER_PIXEL, status: 503 });
    expect((await post({ data: [purchase()] })).status).toBe(200);
    expect((await post({ data: [purchase()] }, { validate: true })).status).toBe(200);
    expect((await post({ data: [purchase()] }, { pixel: OTHER_PIXEL, token: OTHER_TOKEN })).status).toBe(503);
  });

  it(
    'stop() returns promptly while a delayed answer is pending, and the client sees the connection ' + 'close',
    async () => {
      const slow = await startSandbox({ strictPixels: false });
      slow.addFault({ delay_ms: 60_000 });
      const pending = fetch(`${slow.url}/v3/${PIXEL}/events?access_token=t`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ data: [purchase()] }),
      }).then(
        () => 'answered',
        () => 'failed',
      );
      await waitFor(() => slow.faults.list().length === 0); // the request has arrived and taken the fault
      const started = Date.now();
      await slow.stop();
      expect(Date.now() - started).toBeLessThan(2000);
      expect(await pending).toBe('failed');
    },
  );

  it('rejects an invalid fault spec; DELETE /__admin/faults clears the queue', async () => {
    const bad = await admin('/faults', 'POST', { status: 99, drop_connection: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.details.length).toBeGreaterThanOrEqual(2);

    await admin('/faults', 'POST', [{ status: 500 }, { status: 503, count: 3 }]);
    expect((await admin('/faults')).body.faults).toHaveLength(2);
    expect((await admin('/faults', 'DELETE')).body).toEqual({ cleared: 2 });
    expect((await post({ data: [purchase()] })).status).toBe(200);
  });
});

describe('admin and health', () => {
  it('GET /healthz', async () => {
    expect(await call('/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('POST /__admin/reset clears events, counters and faults', async () => {
    await post({ data: [purchase()] });
    sandbox.addFault({ status: 500 });
    expect((await admin('/reset', 'POST')).status).toBe(200);
    const stats = (await admin('/stats')).body;
    expect(stats.requests.total).toBe(0);
    expect(stats.events.accepted).toBe(0);
    expect(stats.faults_pending).toBe(0);
    expect((await post({ data: [purchase()] })).status).toBe(200);
  });

  it('unknown routes -> 404', async () => {
    expect((await call('/v2/conversion', { method: 'POST' })).status).toBe(404);
    expect((await call('/__admin/nope')).status).toBe(404);
  });
});

describe('traceparent', () => {
  it('records the W3C traceparent of the request with its events, and nothing for a malformed one', async () => {
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const traced = await call(`/v3/${PIXEL}/events?access_token=${TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: tp },
      body: JSON.stringify({ data: [purchase(() => undefined, 'ord-traced')] }),
    });
    expect(traced.status).toBe(200);
    const bad = await call(`/v3/${PIXEL}/events?access_token=${TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: 'not-a-traceparent' },
      body: JSON.stringify({ data: [purchase(() => undefined, 'ord-untraced')] }),
    });
    expect(bad.status).toBe(200);
    const listed = (await admin('/events')).body.events as Json[];
    expect(listed.find((e) => e.event_id === 'ord-traced')?.traceparent).toBe(tp);
    expect(listed.find((e) => e.event_id === 'ord-untraced')).not.toHaveProperty('traceparent');
  });
});
