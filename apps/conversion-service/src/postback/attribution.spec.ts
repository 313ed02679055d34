import {
  checkSecret,
  digestEquals,
  hashPii,
  hostnameOf,
  isExpired,
  resolveConversionType,
  sha256Hex,
} from './attribution';
import type { OfferSourceView } from '../config-view/config-view.service';
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
  it('checks secrets by digest', () => {
    expect(digestEquals(sha256Hex('t'), sha256Hex('t').toUpperCase())).toBe(true);
    expect(digestEquals(sha256Hex('u'), sha256Hex('t'))).toBe(false);
    expect(digestEquals(null, sha256Hex('t'))).toBe(false);
    expect(digestEquals(sha256Hex('t'), null)).toBe(false);
  });
  it('requires the secret unless the offer source opted out; a wrong secret is refused even then', () => {
    const at = new Date('2026-12-07T12:00:00Z');
    const source = (over: Partial<OfferSourceView>): OfferSourceView =>
      ({ id: 'os', accountId: 'a', postback_token_sha256: sha256Hex('cur'), ...over }) as OfferSourceView;
    const closed = source({ accept_unsigned_postbacks: false });
    expect(checkSecret(closed, null, at)).toMatchObject({ ok: false, http: 401, error: 'missing_secret' });
    expect(checkSecret(closed, sha256Hex('nope'), at)).toMatchObject({ ok: false, http: 403, error: 'bad_secret' });
    expect(checkSecret(closed, sha256Hex('cur'), at)).toEqual({ ok: true });
    const open = source({ accept_unsigned_postbacks: true });
    expect(checkSecret(open, null, at)).toEqual({ ok: true });
    expect(checkSecret(open, sha256Hex('nope'), at)).toMatchObject({ ok: false, http: 403 });
    // Published before the flag existed: no secret means open, a secret means required.
    expect(checkSecret(source({ postback_token_sha256: null }), null, at)).toEqual({ ok: true });
    expect(checkSecret(source({}), null, at)).toMatchObject({ ok: false, http: 401 });
    expect(checkSecret(null, null, at)).toMatchObject({ ok: false, http: 401 });
    const rotated = source({
      previous_postback_token_sha256: sha256Hex('old'),
      previous_postback_token_expires_at: '2026-12-07T13:00:00.000Z',
    });
    expect(checkSecret(rotated, sha256Hex('old'), at)).toEqual({ ok: true });
    expect(checkSecret(rotated, sha256Hex('old'), new Date('2026-12-07T13:00:00Z'))).toMatchObject({ http: 403 });
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
