import { hashPii, hostnameOf, isExpired, resolveConversionType, tokenDigestMatches, sha256Hex } from './attribution';
import type { ConversionTypeView } from '../config-view/config-view.service';

const types: ConversionTypeView[] = [
  { id: 't1', accountId: 'a', name: 'Lead', duplicate_policy: 'ignore_same_click', is_default: false },
  { id: 't2', accountId: 'a', name: 'Purchase', duplicate_policy: 'create', is_default: true },
];

describe('resolveConversionType', () => {
  it('matches names exactly and case-sensitively', () => {
    expect(resolveConversionType(types, 'Lead')).toMatchObject({ ok: true, type: { id: 't1' } });
    expect(resolveConversionType(types, 'lead')).toMatchObject({ ok: false, error: 'unknown_type' });
    expect(resolveConversionType(types, 'Lead ')).toMatchObject({ ok: false, error: 'unknown_type' });
  });
  it('uses the default type when none is named, and says so when there is none', () => {
    expect(resolveConversionType(types, null)).toMatchObject({ ok: true, type: { id: 't2' } });
    expect(resolveConversionType([types[0]], null)).toMatchObject({ ok: false, error: 'missing_type' });
  });
  it('names the count of types, not their names', () => {
    const r = resolveConversionType(types, 'x');
    expect(!r.ok && r.reason).toContain('2 conversion types');
    expect(!r.ok && r.reason).not.toContain('Lead');
  });
});

describe('helpers', () => {
  it('checks tokens by digest', () => {
    expect(tokenDigestMatches(null, null)).toBe(true);
    expect(tokenDigestMatches(sha256Hex('t'), sha256Hex('t').toUpperCase())).toBe(true);
    expect(tokenDigestMatches(sha256Hex('u'), sha256Hex('t'))).toBe(false);
    expect(tokenDigestMatches(null, sha256Hex('t'))).toBe(false);
  });
  it('expires clicks older than the offer source allows; no setting, no expiry', () => {
    const now = new Date('2026-01-10T00:00:00Z');
    expect(isExpired({ clickedAt: new Date('2026-01-02T00:00:00Z') }, { click_expiration_days: 7 }, now)).toBe(true);
    expect(isExpired({ clickedAt: new Date('2026-01-04T00:00:00Z') }, { click_expiration_days: 7 }, now)).toBe(false);
    expect(isExpired({ clickedAt: new Date('2020-01-01T00:00:00Z') }, null, now)).toBe(false);
  });
  it('hashes by role into Snap keys, with the offer source country for national phone numbers', () => {
    expect(hashPii({ email: ' A@B.com ', phone: '(415) 555-0132' }, 'US')).toEqual({
      userData: { em: sha256Hex('a@b.com'), ph: sha256Hex('14155550132') },
      prehashed: [],
    });
    expect(hashPii({ phone: '(415) 555-0132' }, null).userData.ph).toBeUndefined();
    expect(hashPii({ external_id: sha256Hex('u') }, null)).toEqual({
      userData: { external_id: sha256Hex('u') },
      prehashed: ['external_id'],
    });
  });
  it('takes the hostname of a Host header', () => {
    expect(
      ['Track.Example.com:8080', 'track.example.com', '[::1]:4003', undefined, 'bad host!'].map((h) => hostnameOf(h)),
    ).toEqual(['track.example.com', 'track.example.com', '[::1]', null, null]);
  });
});
