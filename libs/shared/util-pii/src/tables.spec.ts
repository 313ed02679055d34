import { createHash } from 'node:crypto';
import { COUNTRIES, COUNTRY_CODES, toCountryCode } from './countries';
import { EMPTY_STRING_SHA256, isSha256Hex, sha256Hex } from './hash';
import { isPiiRole, PII_ROLES, ROLE_BY_SNAP_KEY, SNAP_USER_DATA_KEY } from './roles';
import { toUsStateCode, US_STATE_CODES, US_STATES } from './us-states';

describe('hash', () => {
  it.each<[string, string]>([
    ['', EMPTY_STRING_SHA256],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['raphaël', 'e74bb89e718fe1e19c422a48382870399f8bf7ca8dfa008739e75b0be76627b7'],
  ])('sha256Hex(%j) = %s', (input, digest) => {
    expect(sha256Hex(input)).toBe(digest);
  });

  it('hashes UTF-8 bytes', () => {
    const s = '王小明 ß 😀';
    expect(sha256Hex(s)).toBe(createHash('sha256').update(Buffer.from(s, 'utf8')).digest('hex'));
  });

  it.each<[string, boolean]>([
    ['a'.repeat(64), true],
    ['A'.repeat(64), true],
    [EMPTY_STRING_SHA256.toUpperCase(), true],
    ['a'.repeat(63), false],
    ['a'.repeat(65), false],
    [`${'a'.repeat(63)}g`, false],
    [` ${'a'.repeat(64)}`, false],
    ['', false],
  ])('isSha256Hex(%j) = %s', (value, expected) => {
    expect(isSha256Hex(value)).toBe(expected);
  });
});

describe('roles', () => {
  it('maps every role to its Snap user_data key', () => {
    expect(SNAP_USER_DATA_KEY).toEqual({
      email: 'em',
      phone: 'ph',
      first_name: 'fn',
      last_name: 'ln',
      zip: 'zp',
      city: 'ct',
      state: 'st',
      country: 'country',
      external_id: 'external_id',
    });
  });

  it('reverses the mapping', () => {
    for (const role of PII_ROLES) expect(ROLE_BY_SNAP_KEY[SNAP_USER_DATA_KEY[role]]).toBe(role);
    expect(Object.keys(ROLE_BY_SNAP_KEY)).toHaveLength(PII_ROLES.length);
  });

  it('isPiiRole', () => {
    expect(isPiiRole('email')).toBe(true);
    expect(isPiiRole('em')).toBe(false);
    expect(isPiiRole(undefined)).toBe(false);
  });
});

describe('country table', () => {
  it('holds the 249 ISO 3166-1 codes plus xk, each once, lowercase', () => {
    expect(COUNTRIES).toHaveLength(250);
    expect(COUNTRY_CODES.size).toBe(250);
    for (const c of COUNTRIES) {
      expect(c.alpha2).toMatch(/^[a-z]{2}$/);
      expect(c.alpha3).toMatch(/^[a-z]{3}$/);
      expect(c.names.length).toBeGreaterThan(0);
    }
    expect(new Set(COUNTRIES.map((c) => c.alpha3)).size).toBe(250);
  });

  it('every code and name resolves to its own row (no key is claimed by two countries)', () => {
    for (const c of COUNTRIES) {
      for (const key of [c.alpha2, c.alpha2.toUpperCase(), c.alpha3, c.alpha3.toUpperCase(), ...c.names]) {
        expect([key, toCountryCode(key)]).toEqual([key, c.alpha2]);
      }
    }
  });

  it.each<[string, string | undefined]>([
    ['India', 'in'],
    ['INDIA', 'in'],
    ['United Kingdom', 'gb'],
    ['UK', 'gb'],
    ['Great Britain', 'gb'],
    ['England', 'gb'],
    ['United States', 'us'],
    ['USA', 'us'],
    ['US', 'us'],
    ['the united states', 'us'],
    ['Viet Nam', 'vn'],
    ['Vietnam', 'vn'],
    ['Russian Federation', 'ru'],
    ['Macau', 'mo'],
    ['Congo', 'cg'],
    ['DR Congo', 'cd'],
    ['St Kitts and Nevis', 'kn'],
    ['São Tomé and Príncipe', 'st'],
    ['Åland Islands', 'ax'],
    ['Gambia, The', 'gm'],
    ['The Gambia', 'gm'],
    ['Korea', undefined],
    ['Georgia', 'ge'], // the country table knows only the country; US states are a separate table
    ['', undefined],
    ['xx', undefined],
  ])('toCountryCode(%j) = %s', (input, expected) => {
    expect(toCountryCode(input)).toBe(expected);
  });
});

describe('US state table', () => {
  it('has the 50 states, DC, 6 territory codes and 3 armed-forces codes, each once', () => {
    expect(US_STATES).toHaveLength(60);
    expect(US_STATE_CODES.size).toBe(60);
  });

  it('every code and name resolves to its own row', () => {
    for (const s of US_STATES) {
      for (const key of [s.code, s.code.toUpperCase(), `US-${s.code.toUpperCase()}`, ...s.names]) {
        expect([key, toUsStateCode(key)]).toEqual([key, s.code]);
      }
    }
  });

  it.each<[string, string | undefined]>([
    ['California', 'ca'],
    ['NEW HAMPSHIRE', 'nh'],
    ['north   carolina', 'nc'],
    ['N. Dakota', undefined], // abbreviated names are not guessed
    ['Hawaiʻi', 'hi'],
    ['us-ny', 'ny'],
    ['US-ZZ', undefined],
    ['Bavaria', undefined],
    ['', undefined],
  ])('toUsStateCode(%j) = %s', (input, expected) => {
    expect(toUsStateCode(input)).toBe(expected);
  });
});
