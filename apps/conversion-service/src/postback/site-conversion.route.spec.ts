import { refusalStatus } from './postback.http';
import { ParseError } from './postback.params';
import { siteConversionParams } from './site-conversion.parse';
import { PerKeyLimiter, bearerSecret, requestOrigin } from './site-conversion.route';
import type { IncomingMessage } from 'node:http';

const body = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
const rejection = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ParseError) return [refusalStatus(e.error), e.error];
    throw e;
  }
  return null;
};

describe('siteConversionParams', () => {
  it('maps the JSON fields onto the default postback names; the top level wins over customer', () => {
    const params = siteConversionParams(
      body({
        click_id: 'abc12345',
        type: 'Purchase',
        value: 49.9,
        currency: 'EUR',
        event_id: 'order-1',
        order_id: '1',
        email: 'top@example.com',
        customer: { email: 'nested@example.com', phone: '+44 844 412 4653', first_name: 'John', last_name: 'Smith' },
        secret: 'never-a-parameter',
        token: 'nor-this',
        unknown: { deep: true },
      }),
    );
    expect(Object.fromEntries(params)).toEqual({
      clickid: 'abc12345',
      type: 'Purchase',
      sum: '49.9',
      currency: 'EUR',
      eventid: 'order-1',
      txid: '1',
      email: 'top@example.com',
      phone: '+44 844 412 4653',
      fname: 'John',
      lname: 'Smith',
    });
  });

  it('skips null fields and refuses what is not a flat object of strings and numbers', () => {
    expect(Object.fromEntries(siteConversionParams(body({ click_id: 'abc12345', value: null })))).toEqual({
      clickid: 'abc12345',
    });
    for (const bad of ['[1]', 'null', '"x"', '{', '{"value": {"a": 1}}', '{"email": ["a"]}', '{"customer": [1]}'])
      expect([bad, rejection(() => siteConversionParams(body(bad)))]).toEqual([bad, [400, 'invalid_json']]);
    expect(rejection(() => siteConversionParams(Buffer.from([0x7b, 0xc3, 0x28, 0x7d])))).toEqual([400, 'invalid_json']);
  });
});

describe('bearerSecret', () => {
  it.each([
    ['Bearer wss_abc', 'wss_abc'],
    ['bearer   wss_abc  ', 'wss_abc'],
    ['Basic wss_abc', null],
    ['Bearer', null],
    ['Bearer a b', null],
    [undefined, null],
  ])('%s → %s', (header, secret) => expect(bearerSecret(header)).toBe(secret));
});

describe('requestOrigin', () => {
  const req = (origin?: string) => ({ headers: origin === undefined ? {} : { origin } }) as unknown as IncomingMessage;
  it.each([
    ['https://shop.example.com', 'https://shop.example.com'],
    ['HTTPS://Shop.Example.com:443', 'https://shop.example.com'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['null', null],
    ['https://shop.example.com/path', null],
    ['file://x', null],
    [undefined, null],
  ])('%s → %s', (origin, expected) => expect(requestOrigin(req(origin))).toBe(expected));
});

describe('PerKeyLimiter', () => {
  it('allows `limit` per key per minute, per key, and again after the minute', () => {
    let now = 0;
    const limiter = new PerKeyLimiter(2, () => now);
    expect([limiter.allow('a'), limiter.allow('a'), limiter.allow('a'), limiter.allow('b')]).toEqual([
      true,
      true,
      false,
      true,
    ]);
    now = 60_000;
    expect(limiter.allow('a')).toBe(true);
    expect(new PerKeyLimiter(0).allow('a')).toBe(true);
  });
});
