import { fillOfferUrl, safeRedirectUrl } from './offer-url';

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
