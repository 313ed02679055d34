import { REDACTED, anyReadingHoldsPii, looksLikePii, plainlyClean, scrubParams, scrubUrl, scrubValue } from './scrub';

const R = REDACTED;

describe('looksLikePii / scrubValue: e-mail addresses', () => {
  it.each<[string, string]>([
    ['plain', 'person@example.com'],
    ['mixed case, +tag, subdomain', 'First.Last+Tag@Mail.Example.CO.UK'],
    ['inside text', 'contact me at person@example.com please'],
    ['percent-encoded @', 'person%40example.com'],
    ['lower-case hex escapes', 'person%40example%2ecom'],
    ['double-encoded @', 'person%2540example.com'],
    ['triple-encoded @', 'person%252540example.com'],
    ['fully percent-encoded', '%70%65%72%73%6F%6E%40%65%78%61%6D%70%6C%65%2E%63%6F%6D'],
    ['HTML entity', 'person&#64;example.com'],
    ['hex HTML entity', 'person&#x40;example.com'],
    ['full-width at sign', 'person＠example.com'],
    ['non-ASCII', 'élodie@exemple.fr'],
    ['a URL holding one', 'https://shop.example.com/?email=person%40example.com'],
  ])('%s: %j is redacted', (_label, value) => {
    expect(looksLikePii(value)).toBe(true);
    expect(scrubValue(value)).toBe(R);
  });

  it.each<[string, string]>([
    ['a handle', '@snaptrack'],
    ['no TLD', 'user@localhost'],
    ['an at sign alone', 'a @ b'],
    ['a path with @', '/@creator/videos'],
  ])('%s: %j is kept', (_label, value) => {
    expect(looksLikePii(value)).toBe(false);
    expect(scrubValue(value)).toBe(value);
  });
});

describe('looksLikePii / scrubValue: phone numbers', () => {
  it.each<[string, string]>([
    ['E.164', '+447700900123'],
    ['+ with spaces', '+44 20 7946 0958'],
    ['+ with (0)', '+44 (0)20 7946 0958'],
    ['+ with dashes', '+1-415-555-0123'],
    ['+ percent-encoded', '%2B447700900123'],
    ['+ decoded to a space by the query parser', ' 447700900123'],
    ['form-encoded spaces', '+44+20+7946+0958'],
    ['national with spaces', '020 7946 0958'],
    ['national, two groups', '07700 900123'],
    ['US with parentheses', '(415) 555-0123'],
    ['US with dashes', '415-555-0123'],
    ['US with dots', '415.555.0123'],
    ['no-break spaces', '020\u00a07946\u00a00958'],
    ['inside text', 'call 020 7946 0958 today'],
    ['encoded spaces', '020%207946%200958'],
    ['tel: URI', 'tel:+14155550123'],
  ])('%s: %j is redacted', (_label, value) => {
    expect(looksLikePii(value)).toBe(true);
    expect(scrubValue(value)).toBe(R);
  });

  it.each<[string, string]>([
    ['a campaign UUID', '3f2b8a5e-1c4d-4b8e-9f10-426614174000'],
    ['a long numeric ad id (bare digits)', '120210000123456789'],
    ['a 10-digit numeric id (bare digits)', '4155550123'],
    ['a 13-digit timestamp', '1733539200000'],
    ['a short number', '12345'],
    ['a short number with a dash', '123-456'],
    ['a price', '1234567.89'],
    ['a date', '2026-12-07'],
    ['a European date', '07.12.2026'],
    ['a US date', '12/07/2026'],
    ['a timestamp', '2026-12-07 10:30:00'],
    ['an ISO timestamp', '2026-12-07T10:30:00Z'],
    ['an IPv4 address', '203.0.113.5'],
    ['an id with a letter prefix', 'ord-4155550123'],
    ['an id with digits glued to letters', 'a456-426614174000'],
    ['a too-long number with +', '+1234567890123456'],
    ['too few digits with +', '+123456'],
    ['a Snapchat click id', 'sc-989970a33b852847'],
    ['a campaign key', 'Wvs4whVip99Q'],
    ['words and small numbers', 'shoes size 10 12 2024'],
    ['empty', ''],
  ])('%s: %j is kept', (_label, value) => {
    expect(looksLikePii(value)).toBe(false);
    expect(scrubValue(value)).toBe(value);
  });

  it('a parameter named like a phone makes any 7–15 digit value a phone', () => {
    for (const key of ['phone', 'Phone_Number', 'mobile', 'tel', 'msisdn', 'ph', 'customer_phone'])
      expect([key, scrubValue('4155550123', key)]).toEqual([key, R]);
    expect(scrubValue('12345', 'phone')).toBe('12345');
    expect(scrubValue('4155550123', 'sub1')).toBe('4155550123');
  });

  it('a parameter named like an e-mail is redacted whatever it holds', () => {
    expect(scrubValue('not-an-address', 'email')).toBe(R);
    expect(scrubValue('x', 'user_email')).toBe(R);
    expect(scrubValue('', 'email')).toBe('');
    expect(scrubValue('x', 'emailing_campaign')).toBe('x');
  });

  it('keeps null', () => expect(scrubValue(null)).toBeNull());
});

describe('scrubParams', () => {
  it('redacts PII values, drops PII names, keeps the rest as they are', () => {
    expect(
      scrubParams({
        sub1: '3f2b8a5e-1c4d-4b8e-9f10-426614174000',
        sub2: 'Summer Sale 2026',
        sub3: 'person@example.com',
        sub4: ' 447700900123',
        sub5: '120210000123456789',
        phone: '4155550123',
        'person@example.com': '1',
        utm_source: 'snapchat',
      }),
    ).toEqual({
      sub1: '3f2b8a5e-1c4d-4b8e-9f10-426614174000',
      sub2: 'Summer Sale 2026',
      sub3: R,
      sub4: R,
      sub5: '120210000123456789',
      phone: R,
      utm_source: 'snapchat',
    });
  });
});

describe('scrubUrl', () => {
  it.each<[string, string, string]>([
    [
      'query e-mail (%40)',
      'https://shop.example.com/landing?cmpid=Wvs4whVip99Q&email=person%40example.com&sub1=123',
      `https://shop.example.com/landing?cmpid=Wvs4whVip99Q&email=${R}&sub1=123`,
    ],
    [
      'query phone with a literal +',
      'https://shop.example.com/?sub2=+447700900123&sub3=42',
      `https://shop.example.com/?sub2=${R}&sub3=42`,
    ],
    [
      'query phone with encoded spaces',
      'https://shop.example.com/?p=%2B44%2020%207946%200958',
      `https://shop.example.com/?p=${R}`,
    ],
    ['phone-named parameter', 'https://x.example/?tel=4155550123', `https://x.example/?tel=${R}`],
    [
      'double-encoded e-mail inside a nested URL',
      'https://www.google.com/url?q=https%3A%2F%2Fshop.com%2F%3Fe%3Dperson%2540example.com&sa=D',
      `https://www.google.com/url?q=${R}&sa=D`,
    ],
    ['path segment', 'https://shop.example.com/u/person@example.com/orders', `https://shop.example.com/u/${R}/orders`],
    ['e-mail as a parameter name', 'https://x.example/?person%40example.com&a=1', `https://x.example/?${R}&a=1`],
    [
      'e-mail as a parameter name with a value',
      'https://x.example/?person%40example.com=1&a=1',
      'https://x.example/?a=1',
    ],
    ['userinfo removed', 'https://person%40example.com:pw@shop.example.com/x', 'https://shop.example.com/x'],
    [
      'fragment route with a query',
      'https://app.example/#/signup?email=a%40b.co&x=1',
      `https://app.example/#/signup?email=${R}&x=1`,
    ],
    ['fragment parameters', 'https://app.example/#ph=%2B14155550123&x=1', `https://app.example/#ph=${R}&x=1`],
    ['relative URL', '/landing?sub1=person@example.com', `/landing?sub1=${R}`],
  ])('%s', (_label, input, expected) => {
    expect(scrubUrl(input)).toBe(expected);
    expect(scrubUrl(expected)).toBe(expected); // idempotent
  });

  it.each<string>([
    'https://shop.example.com/landing?cmpid=Wvs4whVip99Q&sub1=3f2b8a5e-1c4d-4b8e-9f10-426614174000&sub5=120210000123456789',
    'https://shop.example.com/p/4155550123?ts=1733539200000&d=2026-12-07&v=1.2.3',
    'https://203.0.113.5:8080/a%20b?q=shoes+size+10&ScCid=sc-989970a33b852847#top',
    'http://127.0.0.1:8080/Wvs4whVip99Q&ScCid=sc-1&sub1=x',
    'https://x.example/@creator',
    'not a url at all',
  ])('keeps %s byte for byte', (url) => {
    expect(scrubUrl(url)).toBe(url);
  });

  it('keeps null and empty', () => {
    expect(scrubUrl(null)).toBeNull();
    expect(scrubUrl('')).toBe('');
  });
});

describe('plainlyClean: the fast path of looksLikePii', () => {
  /** Deterministic pseudo-random values over the characters the phone and e-mail rules look at. */
  function* values(count: number): Generator<string> {
    const alphabet = '0123456789 +-().,/_=:abcxyzAZ';
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let n = 0; n < count; n++) {
      let v = '';
      const len = 1 + Math.floor(next() * 24);
      for (let i = 0; i < len; i++) v += alphabet[Math.floor(next() * alphabet.length)];
      yield v;
    }
  }

  it('never passes a value that a full reading finds PII in, with or without a phone-like name', () => {
    let clean = 0;
    for (const v of values(20000)) {
      if (!plainlyClean(v)) continue;
      clean++;
      expect([v, anyReadingHoldsPii(v, null)]).toEqual([v, false]);
      expect([v, anyReadingHoldsPii(v, 'phone')]).toEqual([v, false]);
    }
    expect(clean).toBeGreaterThan(2000);
  });

  it.each<string>(['+1 415 5550', '4155550', 'a@b.co', 'a%40b.co', 'a&#64;b.co', '\uff20', '１２３'])(
    'sends %s to the full check',
    (v) => expect(plainlyClean(v)).toBe(false),
  );

  it('still redacts any value of an e-mail-named parameter, however plain', () => {
    expect(scrubParams({ email: 'bob' })).toEqual({ email: REDACTED });
    expect(scrubUrl('https://x.example/?email=bob')).toBe(`https://x.example/?email=${REDACTED}`);
  });
});
