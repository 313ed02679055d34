import { buildSchema, parse, validate, specifiedRules } from 'graphql';
import { fragmentBomb } from '../../test/documents';
import { queryLimitsRule } from './limits';

const schema = buildSchema(`type Q { a: Q b: Int c: Int } schema { query: Q }`);
const run = (q: string, limits = { maxDepth: 3, maxAliases: 2, maxFields: 10 }) =>
  validate(schema, parse(q), [queryLimitsRule(limits)]);

describe('queryLimitsRule', () => {
  it('accepts a small operation', () => {
    expect(run('{ a { a { b } } }')).toHaveLength(0);
  });
  it('rejects depth beyond the limit, also through fragments', () => {
    const errs = run('{ a { ...F } } fragment F on Q { a { a { b } } }');
    expect(errs).toHaveLength(1);
    expect(errs[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(errs[0].extensions).toMatchObject({ limit: 'depth', value: 4, max: 3 });
    expect(errs[0].message).toMatch(/depth is at least 4; the limit is 3/);
  });
  it('rejects too many aliases', () => {
    expect(run('{ x: b y: b z: b }')[0].message).toMatch(/alias count is at least 3/);
  });
  it('rejects too many fields', () => {
    const errs = run('{ ' + Array.from({ length: 11 }, () => 'b').join(' ') + ' }');
    expect(errs).toHaveLength(1);
    expect(errs[0].message).toMatch(/field count is at least 11; the limit is 10/);
  });
  it('counts fields of a fragment at every spread', () => {
    const frag = 'fragment F on Q { b c }';
    expect(run(`{ ...F ...F ...F ...F ...F } ${frag}`, { maxDepth: 3, maxAliases: 2, maxFields: 10 })).toHaveLength(0);
    const errs = run(`{ ...F ...F ...F ...F ...F ...F } ${frag}`);
    expect(errs[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'field count', value: 12 });
  });

  it('refuses a 30-level fragment bomb quickly, with one error, stopping at the first limit', () => {
    const doc = parse(fragmentBomb(30, 'Q', 'b c'));
    const started = performance.now();
    const errs = validate(schema, doc, [queryLimitsRule({ maxDepth: 12, maxAliases: 30, maxFields: 600 })]);
    const elapsed = performance.now() - started;
    expect(errs).toHaveLength(1);
    expect(errs[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'field count', max: 600 });
    expect(errs[0].extensions.value as number).toBeGreaterThan(600);
    expect(elapsed).toBeLessThan(20);
  });

  it('stays fast with the standard rules too (what the gateway runs)', () => {
    const doc = parse(fragmentBomb(30, 'Q', 'b c'));
    const started = performance.now();
    const errs = validate(schema, doc, [
      ...specifiedRules,
      queryLimitsRule({ maxDepth: 12, maxAliases: 30, maxFields: 600 }),
    ]);
    expect(performance.now() - started).toBeLessThan(50);
    expect(errs.map((e) => e.extensions.code)).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('computes each fragment once: the cost of a bomb within the limits is exact', () => {
    // F10 = 2^9 spreads of F1 (2 fields each) = 1024 fields.
    const doc = parse(fragmentBomb(10, 'Q', 'b c'));
    expect(validate(schema, doc, [queryLimitsRule({ maxDepth: 12, maxAliases: 30, maxFields: 1024 })])).toHaveLength(0);
    const errs = validate(schema, doc, [queryLimitsRule({ maxDepth: 12, maxAliases: 30, maxFields: 1023 })]);
    expect(errs[0].extensions).toMatchObject({ limit: 'field count', value: 1024 });
  });

  it('terminates on fragment cycles (reported by the standard rules, not by this one)', () => {
    const errs = run('{ ...A } fragment A on Q { a { ...B } } fragment B on Q { b ...A }');
    expect(errs).toHaveLength(0);
  });

  it('counts introspection fields like any other', () => {
    const introspection = buildSchema(`type Q { b: Int } schema { query: Q }`);
    const deep = '{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }';
    const errs = validate(introspection, parse(deep), [
      queryLimitsRule({ maxDepth: 5, maxAliases: 30, maxFields: 600 }),
    ]);
    expect(errs).toHaveLength(1);
    expect(errs[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'depth', max: 5 });
    const wide = `{ ${Array.from({ length: 11 }, (_, i) => `t${i}: __typename`).join(' ')} }`;
    expect(run(wide, { maxDepth: 3, maxAliases: 30, maxFields: 10 })[0].extensions).toMatchObject({
      limit: 'field count',
      value: 11,
    });
  });
});
