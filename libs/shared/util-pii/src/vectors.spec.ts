import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { normalize, normalizeAndHash, ROLE_BY_SNAP_KEY, sha256Hex, type SnapUserDataKey } from './index';

/**
 * Every published Snap hash vector (`test/fixtures/snap-hash-vectors.json`, see docs/snap-capi.md "Test vectors") must
 * reproduce exactly. Each vector records where Snap published it. A missing file fails the suite; it is never skipped.
 */
const VECTORS_PATH = path.resolve(__dirname, '../test/fixtures/snap-hash-vectors.json');

interface Vector {
  field: string;
  input: string;
  normalised: string;
  sha256: string;
  source: string;
}

const vectors: Vector[] = JSON.parse(readFileSync(VECTORS_PATH, 'utf8'));

const independentSha256 = (s: string) => createHash('sha256').update(Buffer.from(s, 'utf8')).digest('hex');

describe('snap-hash-vectors.json', () => {
  it('is a non-empty array whose fields are all Snap user_data keys we handle', () => {
    expect(Array.isArray(vectors)).toBe(true);
    expect(vectors.length).toBeGreaterThan(0);
    for (const v of vectors) expect(Object.keys(ROLE_BY_SNAP_KEY)).toContain(v.field);
  });

  describe.each(vectors.map((v, i) => [i, v.field, JSON.stringify(v.input), v] as const))(
    'vector #%i %s %s',
    (_i, field, _input, v) => {
      const role = ROLE_BY_SNAP_KEY[field as SnapUserDataKey];

      it('normalises to the published value', () => {
        expect(normalize(role, v.input)).toEqual({ value: v.normalised });
      });

      it('the published digest is sha256 of the published normalised value', () => {
        expect(independentSha256(v.normalised)).toBe(v.sha256);
        expect(sha256Hex(v.normalised)).toBe(v.sha256);
      });

      it('normalizeAndHash gives the published digest, not pre-hashed', () => {
        expect(normalizeAndHash(role, v.input)).toEqual({ hash: v.sha256, prehashed: false });
      });
    },
  );
});
