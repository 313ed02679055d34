import { buildSchema, parse, validate } from 'graphql';
import { queryLimitsRule } from './limits';

const schema = buildSchema(`type Q { a: Q b: Int } schema { query: Q }`);
const run = (q: string, limits = { maxDepth: 3, maxAliases: 2, maxFields: 10 }) =>
  validate(schema, parse(q), [queryLimitsRule(limits)]);

describe('queryLimitsRule', () => {
  it('accepts a small operation', () => {
    expect(run('{ a { a { b } } }')).toHaveLength(0);
  });
  it('rejects depth beyond the limit, also through fragments', () => {
    const errs = run('{ a { ...F } } fragment F on Q { a { a { b } } }');
    expect(errs[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(errs[0].message).toMatch(/depth is 4; the limit is 3/);
  });
  it('rejects too many aliases', () => {
    expect(run('{ x: b y: b z: b }')[0].message).toMatch(/alias count is 3/);
  });
  it('rejects too many fields', () => {
    expect(run('{ ' + Array.from({ length: 11 }, () => 'b').join(' ') + ' }')[0].message).toMatch(/field count is 11/);
  });
});
