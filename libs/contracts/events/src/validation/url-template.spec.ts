import { macroInOrigin } from './url-template';

describe('macroInOrigin', () => {
  it.each([
    ['{scheme}://example.com/', 'scheme'],
    ['https://{user}@example.com/', 'user info'],
    ['https://{host}/path', 'host'],
    ['https://example.com:{port}/', 'port'],
    ['https:\\\\{host}/', 'host'],
  ])('%s: a placeholder in the %s', (template, part) => {
    expect(macroInOrigin(template)).toBe(part);
  });

  it('is null when placeholders are only in the path, query or fragment', () => {
    expect(macroInOrigin('https://example.com/{sub1}?c={clickid}#{utm_source}')).toBeNull();
    expect(macroInOrigin('https://[::1]:8080/{sub1}')).toBeNull();
  });
});
