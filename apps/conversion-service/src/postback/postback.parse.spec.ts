import { refusalStatus } from './postback.http';
import { paramNamesFor, toRole } from './postback.names';
import {
  ParseError,
  checkSizes,
  parseBody,
  parseQueryFromRawUrl,
  parseUrlEncoded,
  type RawParams,
} from './postback.params';
import { isIsoCurrency, readPostback } from './postback.parse';

/** The error a parser threw, with the status the routes answer it with. */
const rejection = (fn: () => unknown): { status: number; error: string; reason: string } => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ParseError) return { status: refusalStatus(e.error), error: e.error, reason: e.reason };
    throw e;
  }
  throw new Error('expected a ParseError');
};
const params = (o: Record<string, string>): RawParams => new Map(Object.entries(o));
const defaults = paramNamesFor(null);

describe('parsing', () => {
  it('decodes + and percent-escapes; the first occurrence of a name wins', () => {
    expect([...parseUrlEncoded('a=1+2&b=%C3%AB&a=3&flag&=x')]).toEqual([
      ['a', '1 2'],
      ['b', 'ë'],
      ['flag', ''],
    ]);
  });

  it('reads the raw query of the request target, recovering UTF-8 bytes node kept as latin1', () => {
    const latin1 = Buffer.from('fname=Raphaël', 'utf8').toString('latin1');
    expect(parseQueryFromRawUrl(`/postback?${latin1}#frag`).get('fname')).toBe('Raphaël');
    expect(parseQueryFromRawUrl('/postback').size).toBe(0);
  });

  it.each([
    ['%ZZ', 'broken escape'],
    ['%C3%28', 'invalid UTF-8 sequence'],
    ['%FF', 'lone byte'],
  ])('rejects %s (%s) as invalid_encoding', (value) => {
    expect(rejection(() => parseQueryFromRawUrl(`/postback?clickid=abc&x=${value}`)).error).toBe('invalid_encoding');
  });

  it('rejects raw bytes that are not UTF-8', () => {
    const raw = Buffer.concat([Buffer.from('/postback?x='), Buffer.from([0xc3, 0x28])]).toString('latin1');
    expect(rejection(() => parseQueryFromRawUrl(raw)).error).toBe('invalid_encoding');
  });

  it('merges a JSON body over the query (numbers and booleans become strings)', () => {
    const p = parseBody(
      'application/json; charset=utf-8',
      Buffer.from(JSON.stringify({ sum: 12.5, flag: true, skip: null, clickid: 'b' })),
      params({ clickid: 'a' }),
    );
    expect(Object.fromEntries(p)).toEqual({ clickid: 'b', sum: '12.5', flag: 'true' });
  });

  it.each([
    ['application/json', '{"a":', 'invalid_json'],
    ['application/json', '[1,2]', 'invalid_json'],
    ['application/json', '{"a":[1]}', 'invalid_json'],
    ['multipart/form-data', 'x', 'unsupported_media_type'],
  ])('rejects a %s body %s', (ct, body, error) => {
    expect(rejection(() => parseBody(ct, Buffer.from(body), new Map())).error).toBe(error);
  });

  it('reads form bodies, also without a content type', () => {
    expect(parseBody(undefined, Buffer.from('clickid=abc&sum=1'), new Map()).get('sum')).toBe('1');
  });

  it('limits each value to 1 KB and all parameters to 10 KB (413)', () => {
    expect(() => checkSizes(params({ a: 'x'.repeat(1024) }))).not.toThrow();
    const one = rejection(() => checkSizes(params({ email: 'x'.repeat(1025) })));
    expect([one.status, one.error]).toEqual([413, 'parameter_too_large']);
    expect(one.reason).not.toContain('xxx');
    const all = rejection(() =>
      checkSizes(params(Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`p${i}`, 'y'.repeat(1000)])))),
    );
    expect([all.status, all.error]).toEqual([413, 'parameters_too_large']);
  });
});

describe('readPostback', () => {
  it('reads the RedTrack parameters', () => {
    expect(
      readPostback(
        params({
          clickid: 'Ab_9-x',
          sum: '12.50',
          type: 'Lead',
          eventid: ' ev-1 ',
          currency: 'eur',
          token: 't',
          email: 'a@b.c',
          fname: 'A',
          last_name: 'B',
        }),
        defaults,
      ),
    ).toEqual({
      clickId: 'Ab_9-x',
      payout: '12.50',
      type: 'Lead',
      explicitEventId: 'ev-1',
      transactionId: 'ev-1',
      currency: 'EUR',
      token: 't',
      pii: { email: 'a@b.c', first_name: 'A', last_name: 'B' },
    });
  });

  it('takes txid as the transaction id (and not as the explicit event id)', () => {
    const r = readPostback(params({ clickid: 'abc', txid: 'T1' }), defaults);
    expect([r.explicitEventId, r.transactionId]).toEqual([null, 'T1']);
    const both = readPostback(params({ clickid: 'abc', txid: 'T1', eventid: 'E1' }), defaults);
    expect([both.explicitEventId, both.transactionId]).toEqual(['E1', 'T1']);
  });

  it('treats macros the network did not fill in as absent (except the click id)', () => {
    const r = readPostback(
      params({
        clickid: 'abc',
        sum: '{payout}',
        type: '{type}',
        eventid: '{eventid}',
        currency: '{currency}',
        email: '{email}',
      }),
      defaults,
    );
    expect(r).toMatchObject({
      payout: null,
      type: null,
      explicitEventId: null,
      transactionId: null,
      currency: null,
      pii: {},
    });
    expect(rejection(() => readPostback(params({ clickid: '{clickid}' }), defaults)).error).toBe('malformed_click_id');
  });

  it('keeps the type exactly as sent; empty means the default type', () => {
    expect(readPostback(params({ clickid: 'abc', type: 'lead ' }), defaults).type).toBe('lead ');
    expect(readPostback(params({ clickid: 'abc', type: '' }), defaults).type).toBeNull();
  });

  it.each([
    [{}, 'missing_click_id'],
    [{ clickid: '  ' }, 'missing_click_id'],
    [{ clickid: '{clickid}' }, 'malformed_click_id'],
    [{ clickid: 'a b' }, 'malformed_click_id'],
    [{ clickid: 'x'.repeat(65) }, 'malformed_click_id'],
    [{ clickid: 'abc', sum: 'abc' }, 'malformed_payout'],
    [{ clickid: 'abc', sum: '-1' }, 'malformed_payout'],
    [{ clickid: 'abc', sum: 'NaN' }, 'malformed_payout'],
    [{ clickid: 'abc', sum: 'Infinity' }, 'malformed_payout'],
    [{ clickid: 'abc', sum: '1e5' }, 'malformed_payout'],
    [{ clickid: 'abc', sum: '1,5' }, 'malformed_payout'],
    [{ clickid: 'abc', sum: '1.123456789' }, 'malformed_payout'],
    [{ clickid: 'abc', currency: 'US' }, 'malformed_currency'],
    [{ clickid: 'abc', currency: 'XYZ' }, 'malformed_currency'],
    [{ clickid: 'abc', currency: 'HRK' }, 'withdrawn_currency'],
    [{ clickid: 'abc', currency: 'zwl' }, 'withdrawn_currency'],
    [{ clickid: 'abc', eventid: 'e'.repeat(257) }, 'malformed_event_id'],
    [{ clickid: 'abc', eventid: 'ord\u00001' }, 'malformed_event_id'],
    [{ clickid: 'abc', txid: '\u0000' }, 'malformed_event_id'],
    [{ clickid: 'abc', type: 'Lead\u0000' }, 'unknown_type'],
  ])('rejects %j as %s', (p, error) => {
    const r = rejection(() => readPostback(params(p as Record<string, string>), defaults));
    expect([r.status, r.error]).toEqual([400, error]);
  });

  it('follows the offer source parameter names and role mapping; configured roles win over default names', () => {
    const names = paramNamesFor({
      params: { click_id: 'cid', payout: 'amount', type: 'goal', event_id: 'oid', currency: 'cur' },
      roles: [
        { param: 'sub5', role: 'Email' },
        { param: 'sub6', role: 'First Name' },
        { param: 'sub7', role: 'zip_code' },
        { param: 'sub8', role: 'Event ID' },
        { param: 'sub9', role: 'something else' },
      ],
    });
    const r = readPostback(
      params({
        cid: 'abc',
        amount: '3',
        goal: 'Sale',
        sub8: 'E-9',
        cur: 'GBP',
        sub5: 'x@y.z',
        email: 'other@y.z',
        sub6: 'Ann',
        sub7: '12345',
        sub9: 'ignored',
      }),
      names,
    );
    expect(r).toMatchObject({
      clickId: 'abc',
      payout: '3',
      type: 'Sale',
      explicitEventId: 'E-9',
      currency: 'GBP',
      pii: { email: 'x@y.z', first_name: 'Ann', zip: '12345' },
    });
  });

  it('maps role labels', () => {
    expect(['Phone', 'Email', 'First Name', 'Last Name', 'Zip Code', 'external-id', 'nope'].map(toRole)).toEqual([
      'phone',
      'email',
      'first_name',
      'last_name',
      'zip',
      'external_id',
      null,
    ]);
  });

  it('a withdrawn currency is refused with what to send instead, never echoing the raw value', () => {
    const r = rejection(() => readPostback(params({ clickid: 'abc', currency: 'hrk' }), defaults));
    expect(r.reason).toBe(
      '"currency" is HRK, a withdrawn ISO 4217 code (Croatia adopted the euro on 2023-01-01) that Snapchat ' +
        'refuses; send EUR instead',
    );
    for (const code of ['ANG', 'BGN', 'CUC', 'SLL']) expect(isIsoCurrency(code)).toBe(false);
    for (const code of ['XCG', 'ZWG', 'SLE', 'XAU']) expect(isIsoCurrency(code)).toBe(true);
  });

  it('knows ISO 4217 codes', () => {
    expect(['USD', 'EUR', 'JPY', 'usd', 'XYZ', 'US'].map(isIsoCurrency)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
