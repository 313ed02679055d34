import { offerUrl } from './offer.input';

describe('offerUrl', () => {
  it.each([
    'https://offer.example.com/lp?click={clickid}',
    'http://o.example.com/{clickid}/landing',
    '  https://o.example.com/?a=1&c={clickid}&b={sub1}  ',
  ])('accepts %s', (url) => {
    expect(offerUrl(url)).toBe(url.trim());
  });

  it.each([
    ['/lp?c={clickid}', 'absolute http(s) URL'],
    ['offer.example.com/?c={clickid}', 'absolute http(s) URL'],
    ['ftp://offer.example.com/?c={clickid}', 'http:// or https://'],
    ['javascript:alert({clickid})', 'http:// or https://'],
    ['data:text/html,{clickid}', 'http:// or https://'],
    ['https://offer.example.com/?c={click_id}', '{clickid} macro'],
    ['https://offer.example.com/?c={clickid} x', 'spaces'],
    ['', 'must not be empty'],
    ['https://{sub1}/x?c={clickid}', 'must not contain a macro ({…}) in its host'],
    ['https://{sub1}.example.com/?c={clickid}', 'must not contain a macro ({…}) in its host'],
    ['https://offer.example.com{sub1}/?c={clickid}', 'in its host'],
    ['https:{sub1}/x?c={clickid}', 'in its host'],
    ['https://{sub1}@offer.example.com/?c={clickid}', 'in its user info'],
    ['https://offer.example.com:{sub1}/?c={clickid}', 'in its port'],
    ['{sub1}://offer.example.com/?c={clickid}', 'in its scheme'],
  ])('rejects %j (%s)', (url, message) => {
    expect(() => offerUrl(url)).toThrow(
      expect.objectContaining({
        message: expect.stringContaining(message),
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
      }),
    );
  });
});
