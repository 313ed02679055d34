import { HttpError } from '@snaptrack/util-http';
import { paramCaseInsensitive, paramsRecord, parseQuery, splitTarget } from './query';

const status = (fn: () => unknown): number | null => {
  try {
    fn();
    return null;
  } catch (e) {
    return e instanceof HttpError ? e.status : -1;
  }
};

describe('splitTarget', () => {
  it.each([
    ['/Abc123XYZ0?sub1=a', '/Abc123XYZ0', 'sub1=a'],
    ['/Abc123XYZ0', '/Abc123XYZ0', ''],
    ['/Abc123XYZ0&ScCid=z', '/Abc123XYZ0', 'ScCid=z'],
    ['/Abc123XYZ0&ScCid=z?sub1=a', '/Abc123XYZ0', 'ScCid=z&sub1=a'],
    ['/Abc123XYZ0?sub1=a#frag', '/Abc123XYZ0', 'sub1=a'],
  ])('%s → path %s, query %s', (target, path, query) => {
    expect(splitTarget(target)).toEqual({ path, query });
  });

  it('refuses raw characters that must be percent-encoded', () => {
    expect(status(() => splitTarget('/k?x=é'))).toBe(400);
    expect(status(() => splitTarget('/k?x=a b'))).toBe(400);
  });
});

describe('parseQuery', () => {
  it('decodes %XX and + and keeps order and duplicates', () => {
    expect(parseQuery('sub1=snap%20camp&sub2=a+b&x=%E2%9C%93&sub1=again&flag&=novalue')).toEqual([
      ['sub1', 'snap camp'],
      ['sub2', 'a b'],
      ['x', '✓'],
      ['sub1', 'again'],
      ['flag', ''],
    ]);
  });

  it.each([
    ['invalid UTF-8', 'sub1=%C3%28'],
    ['a lone continuation byte', 'sub1=%80'],
    ['an encoded surrogate', 'sub1=%ED%A0%80'],
    ['a broken escape', 'sub1=%ZZ'],
    ['a truncated escape', 'sub1=%E2%9C'],
    ['CR/LF', 'sub1=a%0d%0aSet-Cookie:x'],
    ['a NUL', 'sub1=%00'],
    ['DEL', 'sub1=%7F'],
    ['a control character in a name', 'su%0Ab1=x'],
  ])('refuses %s with 400', (_label, q) => {
    expect(status(() => parseQuery(q))).toBe(400);
  });

  it('refuses absurd parameter counts', () => {
    expect(status(() => parseQuery(Array.from({ length: 101 }, (_, i) => `p${i}=1`).join('&')))).toBe(400);
  });
});

describe('params helpers', () => {
  const pairs: Array<[string, string]> = [
    ['format', 'json'],
    ['sub1', 'a'],
    ['sub1', 'b'],
    ['sccid', 'x'],
  ];
  it('keeps the first value per name and drops reserved names', () => {
    expect(paramsRecord(pairs, new Set(['format']))).toEqual({ sub1: 'a', sccid: 'x' });
  });
  it('finds ScCid case-insensitively', () => {
    expect(paramCaseInsensitive(pairs, 'ScCid')).toBe('x');
    expect(paramCaseInsensitive(pairs, 'missing')).toBeNull();
  });
});
