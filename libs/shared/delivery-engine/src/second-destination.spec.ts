import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CredentialLimits } from './credential-limits';
import type { Destination, SendOutcome } from './destination';
import { deliverBatch } from './engine';

/**
 * The seam, proven: a second, minimal destination (a JSON webhook over real HTTP, nothing like Snap's API) runs
 * through the same engine as snapchat-capi. Only the Destination methods below are written for it.
 */
interface Order {
  id: string;
  amount: number;
}
interface Hook {
  url: string;
}
interface HookEvent {
  dedup: string;
  amount: number;
}
interface HookAnswer {
  status: number;
  body: { bad_index?: number } | null;
  retryAfter: string | null;
}

const webhook: Destination<Order, Hook, HookEvent, string, HookAnswer> = {
  name: 'webhook',
  limits: {
    maxEventsPerRequest: 3,
    maxBytesPerRequest: 64_000,
    envelopeBytes: 2,
    separatorBytes: 1,
    maxEventAgeMs: null,
  },
  eventId: (o) => `order-${o.id}`,
  buildEvent: (o, _t, eventId) => ({ dedup: eventId, amount: o.amount }),
  validate: (e) =>
    Number.isFinite(e.amount) ? null : { reasonCode: 'invalid_value', message: 'The amount is not a number.' },
  serialize: (e) => JSON.stringify(e),
  async send(events, token, hook) {
    const res = await fetch(hook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: `[${events.map((e) => JSON.stringify(e)).join(',')}]`,
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text ? (JSON.parse(text) as HookAnswer['body']) : null,
      retryAfter: res.headers.get('retry-after'),
    };
  },
  classify(result): SendOutcome {
    if ('error' in result) return { kind: 'retry', httpStatus: null, reasonCode: 'network', message: 'No answer.' };
    const { status, body, retryAfter } = result.ok;
    if (status === 200) return { kind: 'accepted', httpStatus: 200 };
    if (status === 401)
      return { kind: 'auth', httpStatus: 401, reasonCode: 'invalid_authentication', message: 'Bad token.' };
    if (status === 429) {
      const retryAfterMs = retryAfter ? Number(retryAfter) * 1000 : null;
      return {
        kind: 'retry',
        httpStatus: 429,
        reasonCode: 'rate_limited',
        message: 'Later.',
        retryAfterMs,
        credentialWide: true,
      };
    }
    if (status === 400) {
      const culprit = body?.bad_index ?? null;
      return {
        kind: 'rejected',
        httpStatus: 400,
        reasonCode: 'webhook_rejected',
        message: 'Refused.',
        splittable: true,
        culprit,
      };
    }
    return { kind: 'retry', httpStatus: status, reasonCode: 'upstream_unavailable', message: `HTTP ${status}` };
  },
  credentialKey: (token) => createHash('sha256').update(token).digest('hex').slice(0, 12),
};

describe('a second destination (HTTP webhook) through the same engine', () => {
  let server: Server;
  let url: string;
  const received: HookEvent[][] = [];
  let throttle = false;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const events = JSON.parse(raw) as HookEvent[];
        const reply = (status: number, body?: object, headers: Record<string, string> = {}) => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(body ? JSON.stringify(body) : '');
        };
        if (req.headers.authorization !== 'Bearer good-token') return reply(401, { error: 'unauthorized' });
        if (throttle) return reply(429, { error: 'slow down' }, { 'retry-after': '30' });
        const bad = events.findIndex((e) => e.amount < 0);
        if (bad >= 0) return reply(400, { bad_index: bad });
        received.push(events);
        reply(200, { ok: true });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/collect`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  const orders = (amounts: number[]) =>
    amounts.map((amount, i) => ({ key: `k${i}`, conversion: { id: `o${i}`, amount } }));

  it('delivers, validates, chunks and isolates a refused event over HTTP', async () => {
    received.length = 0;
    const r = await deliverBatch(
      webhook,
      { target: { url }, credential: 'good-token', items: orders([10, NaN, 20, -5, 30, 40]) },
      { limits: new CredentialLimits({ concurrencyPerCredential: 1 }) },
    );
    expect(r.outcomes.map((o) => [o.key, o.status, o.reasonCode])).toEqual([
      ['k0', 'delivered', null],
      ['k1', 'failed', 'invalid_value'],
      ['k2', 'delivered', null],
      ['k3', 'failed', 'webhook_rejected'],
      ['k4', 'delivered', null],
      ['k5', 'delivered', null],
    ]);
    expect(
      received
        .flat()
        .map((e) => e.dedup)
        .sort(),
    ).toEqual(['order-o0', 'order-o2', 'order-o4', 'order-o5']);
    expect(received.every((req) => req.length <= 3)).toBe(true);
  });

  it('a bad token fails the batch and is reported for the credential; a 429 defers with Retry-After', async () => {
    const lim = new CredentialLimits({ concurrencyPerCredential: 1 });
    const denied = await deliverBatch(
      webhook,
      { target: { url }, credential: 'old', items: orders([1, 2]) },
      { limits: lim },
    );
    expect(denied.outcomes.map((o) => o.status)).toEqual(['failed', 'failed']);
    expect(denied.credential).toMatchObject({ kind: 'auth', reasonCode: 'invalid_authentication' });

    throttle = true;
    const slowed = await deliverBatch(
      webhook,
      { target: { url }, credential: 'good-token', items: orders([1]) },
      { limits: lim },
    );
    throttle = false;
    expect(slowed.outcomes[0]).toMatchObject({ status: 'retrying', reasonCode: 'rate_limited', retryAfterMs: 30_000 });
  });
});
