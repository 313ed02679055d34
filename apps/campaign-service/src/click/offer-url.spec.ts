import { fillOfferUrl, keepsTemplateOrigin, macroInOrigin, safeRedirectUrl } from './offer-url';

describe('fillOfferUrl', () => {
  const builtIns = {
    clickid: 'CLICK_id-1',
    click_id: 'CLICK_id-1',
    campaign_id: 'cmp-1',
    campaign_key: 'Key123',
    offer_id: 'of-1',
    sccid: 'sc 1',
  };

  it('fills built-in macros and tracking parameters, URL-encoded', () => {
    expect(
      fillOfferUrl('https://o.example/?c={clickid}&k={campaign_key}&s={sub1}&sc={sccid}&u={utm_source}', builtIns, {
        sub1: 'a&b=c',
        utm_source: 'snap',
      }),
    ).toBe('https://o.example/?c=CLICK_id-1&k=Key123&s=a%26b%3Dc&sc=sc%201&u=snap');
  });

  it('empties macros without a value and matches parameter names case-insensitively as a fallback', () => {
    expect(fillOfferUrl('https://o.example/?a={sub9}&b={SUB1}&c={click_id}', builtIns, { sub1: 'x' })).toBe(
      'https://o.example/?a=&b=x&c=CLICK_id-1',
    );
  });

  it('never lets a value inject URL structure or line breaks', () => {
    const filled = fillOfferUrl('https://o.example/{sub1}', builtIns, { sub1: '\r\nLocation: https://evil.example' });
    expect(filled).toBe('https://o.example/%0D%0ALocation%3A%20https%3A%2F%2Fevil.example');
  });
});

describe('safeRedirectUrl', () => {
  it.each([
    ['https://offer.example.com/go?x=1', 'https://offer.example.com/go?x=1'],
    ['HTTP://Offer.Example.com', 'http://offer.example.com/'],
  ])('accepts %s', (input, href) => {
    expect(safeRedirectUrl(input)).toEqual({ url: href });
  });

  it.each([
    ['javascript:alert(1)', 'javascript'],
    ['JavaScript:alert(1)//https://x', 'javascript'],
    ['data:text/html,<script>', 'data'],
    ['//evil.example/x', 'absolute'],
    ['/relative', 'absolute'],
    ['javascript%3Aalert(1)', 'absolute'],
    ['https://o.example/\r\nSet-Cookie: a=b', 'control'],
    ['https://o.example/\n', 'control'],
    ['https://o.example/a b', 'whitespace'],
    ['https://user:pass@o.example/', 'credentials'],
    [`https://o.example/${'a'.repeat(9000)}`, 'longer'],
  ])('refuses %s', (input, problem) => {
    const r = safeRedirectUrl(input);
    expect('problem' in r && r.problem).toEqual(expect.stringContaining(problem));
  });
});

describe('macroInOrigin (save-time check of offer, landing and fallback URLs)', () => {
  it.each([
    ['https://{sub1}/x?c={clickid}', 'host'],
    ['https://{sub1}.example.com/', 'host'],
    ['https://example.com{sub1}/', 'host'],
    ['https:{sub1}/x', 'host'],
    ['https:\\\\{sub1}\\x', 'host'],
    ['https://{sub1}@example.com/', 'user info'],
    ['https://example.com:{port}/', 'port'],
    ['{scheme}://example.com/', 'scheme'],
  ])('finds the macro in %s (%s)', (template, part) => {
    expect(macroInOrigin(template)).toBe(part);
  });

  it.each([
    'https://offer.example.com/lp?c={clickid}&s={sub1}',
    'https://offer.example.com/{sub1}/x#{sub2}',
    'http://[::1]:8080/?c={clickid}',
    'https://offer.example.com?c={clickid}',
  ])('allows macros in the path, query and fragment: %s', (template) => {
    expect(macroInOrigin(template)).toBeNull();
  });
});

describe('keepsTemplateOrigin (click-time defence in depth)', () => {
  const fill = (template: string, params: Record<string, string>) => fillOfferUrl(template, {}, params);

  it.each(['@evil.com', '//evil.com', '\\\\evil.com', '.evil.com', ':80@evil.com', 'x/../../@evil.com'])(
    'a query-string value %j cannot change the host',
    (value) => {
      for (const template of [
        'https://offer.example.com/{sub1}?c={clickid}',
        'https://offer.example.com{path}',
        'https://offer.example.com/x?u={sub1}',
      ]) {
        const filled = fill(template, { sub1: value, path: value });
        const safe = safeRedirectUrl(filled);
        const ok = 'url' in safe && keepsTemplateOrigin(template, safe.url);
        if (ok) expect(new URL((safe as { url: string }).url).host).toBe('offer.example.com');
        if (template.includes('{path}')) expect(ok).toBe(false); // a macro in the authority is never followed
      }
    },
  );

  it('refuses a stored template whose host came from a macro', () => {
    const template = 'https://{sub1}/x?c={clickid}';
    const filled = fill(template, { sub1: 'evil.com' });
    expect(filled).toBe('https://evil.com/x?c=');
    expect(keepsTemplateOrigin(template, filled)).toBe(false);
  });

  it('accepts a filled URL on the template host', () => {
    const template = 'https://Offer.example.com:8443/lp?c={clickid}';
    expect(keepsTemplateOrigin(template, fill(template, {}))).toBe(true);
    expect(keepsTemplateOrigin(template, 'http://offer.example.com:8443/lp')).toBe(false);
  });
});
