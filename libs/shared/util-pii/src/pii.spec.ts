import { createHash } from 'node:crypto';
import { EMPTY_STRING_SHA256 } from './hash';
import { hashUserData, normalizeAndHash, type PiiHashResult } from './pii';
import { PII_ROLES, type PiiRole } from './roles';

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hashed = (normalised: string): PiiHashResult => ({ hash: sha(normalised), prehashed: false });

const HEX_UPPER = 'ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789';
const HEX_LOWER = HEX_UPPER.toLowerCase();

describe('normalizeAndHash: pre-hashed input (docs/snap-capi.md "Normalisation and hashing", rule 1)', () => {
  it.each(PII_ROLES)('%s: an uppercase 64-hex value is lowercased and passed through', (role) => {
    expect(normalizeAndHash(role, HEX_UPPER)).toEqual({ hash: HEX_LOWER, prehashed: true });
  });

  it.each(PII_ROLES)('%s: a lowercase 64-hex value is passed through unchanged (never double-hashed)', (role) => {
    expect(normalizeAndHash(role, HEX_LOWER)).toEqual({ hash: HEX_LOWER, prehashed: true });
  });

  it('trims around a pre-hashed value', () => {
    expect(normalizeAndHash('email', `  ${HEX_UPPER}\n`)).toEqual({ hash: HEX_LOWER, prehashed: true });
  });

  it('a pre-hashed sha256("") is dropped as empty, in either case', () => {
    expect(normalizeAndHash('email', EMPTY_STRING_SHA256)).toEqual({ dropped: 'empty' });
    expect(normalizeAndHash('phone', EMPTY_STRING_SHA256.toUpperCase())).toEqual({ dropped: 'empty' });
  });

  it.each<[string, PiiRole, string, PiiHashResult]>([
    ['63 hex digits', 'external_id', HEX_UPPER.slice(1), hashed(HEX_LOWER.slice(1))],
    ['65 hex digits', 'external_id', `${HEX_UPPER}A`, hashed(`${HEX_LOWER}a`)],
    ['64 chars with a non-hex letter', 'external_id', `${HEX_UPPER.slice(1)}G`, hashed(`${HEX_LOWER.slice(1)}g`)],
    ['63 hex digits as an email', 'email', HEX_UPPER.slice(1), { dropped: 'invalid' }],
  ])('%s is not treated as a hash (%s)', (_what, role, raw, expected) => {
    expect(normalizeAndHash(role, raw)).toEqual(expected);
  });
});

describe('normalizeAndHash: drops (docs/snap-capi.md "Normalisation and hashing", rule 3)', () => {
  it.each<[PiiRole, string | null | undefined, 'empty' | 'invalid']>([
    ['email', '', 'empty'],
    ['email', '   ', 'empty'],
    ['email', 'not-an-email', 'invalid'],
    ['phone', '', 'empty'],
    ['phone', '447-234-2344', 'invalid'],
    ['phone', 'call me', 'invalid'],
    ['first_name', '', 'empty'],
    ['first_name', '***', 'empty'],
    ['last_name', ' - ', 'empty'],
    ['city', '...', 'empty'],
    ['state', '', 'empty'],
    ['zip', ' -- ', 'empty'],
    ['country', '', 'empty'],
    ['country', 'Atlantis', 'invalid'],
    ['external_id', '\t', 'empty'],
    ['email', null, 'empty'],
    ['email', undefined, 'empty'],
  ])('%s %j → dropped %s', (role, raw, reason) => {
    expect(normalizeAndHash(role, raw)).toEqual({ dropped: reason });
  });

  it('never produces sha256("") for any role', () => {
    for (const role of PII_ROLES) {
      for (const raw of ['', ' ', '\u200B', '\u00A0', '.', '-', '!!!', '\t\n']) {
        const r = normalizeAndHash(role, raw);
        expect('hash' in r ? r.hash : undefined).not.toBe(EMPTY_STRING_SHA256);
      }
    }
  });

  it.each(PII_ROLES)('%s: whitespace-only input is dropped', (role) => {
    for (const raw of ['', ' ', '\u00A0', '\t\n', '\u2003'])
      expect(normalizeAndHash(role, raw)).toHaveProperty('dropped');
  });

  // Roles whose rule strips punctuation drop punctuation-only input; `zip` (strips only spaces and dashes) and
  // `external_id` (trim + lowercase) hash whatever non-blank text is left, as
  // docs/snap-capi.md "Normalisation and hashing" says.
  it.each<PiiRole>(['email', 'phone', 'first_name', 'last_name', 'city', 'state', 'country'])(
    '%s: punctuation-only input is dropped',
    (role) => {
      for (const raw of ['.', '!!!', '\u200B', ' - ']) expect(normalizeAndHash(role, raw)).toHaveProperty('dropped');
    },
  );

  it('rejects non-string values from untyped callers, but hashes a finite number', () => {
    expect(normalizeAndHash('zip', {} as never)).toEqual({ dropped: 'invalid' });
    expect(normalizeAndHash('zip', 94025 as never)).toEqual(hashed('94025'));
  });
});

describe('normalizeAndHash: hashes the normalised value', () => {
  it.each<[PiiRole, string, string | undefined, string]>([
    ['email', ' Person@Example.com ', undefined, 'person@example.com'],
    ['phone', '020 7946 0958', 'GB', '442079460958'],
    ['first_name', 'Raphaël', undefined, 'raphaël'],
    ['last_name', "O'Neil-Smith", undefined, 'oneilsmith'],
    ['city', 'Menlo Park', undefined, 'menlopark'],
    ['state', 'California', undefined, 'ca'],
    ['zip', '94025-1234', undefined, '94025'],
    ['zip', 'SW1A 1AA', 'GB', 'sw1a1aa'],
    ['country', 'India', undefined, 'in'],
    ['external_id', 'User1234', undefined, 'user1234'],
  ])('%s %j (country %s) → sha256(%j)', (role, raw, defaultCountry, normalised) => {
    expect(normalizeAndHash(role, raw, { defaultCountry })).toEqual(hashed(normalised));
  });

  it('hashes the ISO code of a country name, not the name (docs/snap-capi.md "Normalisation and hashing")', () => {
    const r = normalizeAndHash('country', 'India');
    expect(r).toEqual({ hash: '582967534d0f909d196b97f9e6921342777aea87b46fa52df165389db1fb8ccf', prehashed: false });
    expect(r).not.toEqual(hashed('india')); // fb54e906…
  });

  it('hashes NFC: precomposed and decomposed input give the same digest', () => {
    expect(normalizeAndHash('first_name', 'Rapha\u0065\u0308l')).toEqual(
      normalizeAndHash('first_name', 'Rapha\u00ebl'),
    );
    expect(normalizeAndHash('first_name', 'Raphaël')).toEqual({
      hash: 'e74bb89e718fe1e19c422a48382870399f8bf7ca8dfa008739e75b0be76627b7',
      prehashed: false,
    });
  });
});

describe('hashUserData', () => {
  it('reproduces the user_data of the example web purchase (docs/snap-capi.md "Request envelope")', () => {
    const r = hashUserData({
      email: 'Person@Example.com',
      phone: '+44 844 412 4653',
      first_name: 'John',
      country: 'GB',
    });
    expect(r).toEqual({
      hashed: {
        email: '542d240129883c019e106e3b1b2d3f3cb3537c43c425364de8e951d5a3083345',
        phone: 'dc008fda46e2e64002cf2f82a4906236282d431c4f75e5b60bfe79fc48546383',
        first_name: '96d9632f363564cc3032521409cf22a852f2032eec099ed5967c0d000cec607a',
        country: '0b407281768f0e833afef47ed464b6571d01ca4d53c12ce5c51d1462f4ad6677',
      },
      prehashed: [],
      dropped: [],
    });
  });

  it('reports pre-hashed and dropped roles, and ignores absent ones', () => {
    const r = hashUserData({
      email: 'no-at-sign',
      phone: HEX_UPPER,
      first_name: '   ',
      last_name: 'Doe',
      zip: undefined,
      country: 'Narnia',
      external_id: HEX_LOWER,
    });
    expect(r).toEqual({
      hashed: { phone: HEX_LOWER, last_name: sha('doe'), external_id: HEX_LOWER },
      prehashed: ['phone', 'external_id'],
      dropped: [
        { role: 'email', reason: 'invalid' },
        { role: 'first_name', reason: 'empty' },
        { role: 'country', reason: 'invalid' },
      ],
    });
  });

  it('uses the record’s own country as context for phone and zip when no defaultCountry is given', () => {
    const r = hashUserData({ phone: '020 7946 0958', zip: '12345-6789', country: 'United Kingdom' });
    expect(r.hashed).toEqual({ phone: sha('442079460958'), zip: sha('123456789'), country: sha('gb') });
  });

  it('prefers opts.defaultCountry over the record’s country as context', () => {
    const r = hashUserData({ phone: '0170 1234567', country: 'gb' }, { defaultCountry: 'DE' });
    expect(r.hashed).toEqual({ phone: sha('491701234567'), country: sha('gb') });
  });

  it('falls back to the record’s country when opts.defaultCountry does not map', () => {
    const r = hashUserData({ phone: '020 7946 0958', country: 'GB' }, { defaultCountry: 'Atlantis' });
    expect(r.hashed.phone).toBe(sha('442079460958'));
  });

  it('drops a national phone number when no country context exists', () => {
    expect(hashUserData({ phone: '020 7946 0958' })).toEqual({
      hashed: {},
      prehashed: [],
      dropped: [{ role: 'phone', reason: 'invalid' }],
    });
  });

  it('returns nothing for an empty record', () => {
    expect(hashUserData({})).toEqual({ hashed: {}, prehashed: [], dropped: [] });
  });

  it('is deterministic and does not mutate its input', () => {
    const input = Object.freeze({ email: 'A@B.C', city: 'Menlo Park', zip: '94025-1234' });
    expect(hashUserData(input)).toEqual(hashUserData({ ...input }));
  });
});

describe('logging', () => {
  it('writes nothing to the console or stdout/stderr, whatever the input', () => {
    const spies = [
      ...(['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((m) =>
        jest.spyOn(console, m).mockImplementation(() => undefined),
      ),
      jest.spyOn(process.stdout, 'write').mockImplementation(() => true),
      jest.spyOn(process.stderr, 'write').mockImplementation(() => true),
    ];
    try {
      hashUserData(
        {
          email: 'bad',
          phone: '12',
          first_name: 'Ana',
          last_name: '',
          zip: 'x',
          city: 'y',
          state: 'z',
          country: 'nowhere',
          external_id: 'e',
        },
        { defaultCountry: '??' },
      );
      normalizeAndHash('phone', 'garbage', { defaultCountry: 'XX' });
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});
