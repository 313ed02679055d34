import { signIdentity, verifyIdentity } from './identity';

describe('verifyIdentity', () => {
  const now = 1_800_000_000;

  it('answers the account of a header signed with the secret, and again on the same header', () => {
    const header = signIdentity('acc-1', 'secret-a', now);
    expect(verifyIdentity(header, 'secret-a', now)).toBe('acc-1');
    expect(verifyIdentity(header, 'secret-a', now + 1)).toBe('acc-1');
  });

  it('refuses a header it verified before once it is older than five minutes: the clock is checked every time', () => {
    const header = signIdentity('acc-2', 'secret-a', now);
    expect(verifyIdentity(header, 'secret-a', now)).toBe('acc-2');
    expect(verifyIdentity(header, 'secret-a', now + 301)).toBeNull();
  });

  it('refuses a header verified under another secret, and any change to a verified one', () => {
    const header = signIdentity('acc-3', 'secret-a', now);
    expect(verifyIdentity(header, 'secret-a', now)).toBe('acc-3');
    expect(verifyIdentity(header, 'secret-b', now)).toBeNull();
    const [, ts, mac] = header.split('.');
    expect(verifyIdentity(`acc-4.${ts}.${mac}`, 'secret-a', now)).toBeNull();
    expect(verifyIdentity(`acc-3.${Number(ts) + 1}.${mac}`, 'secret-a', now)).toBeNull();
    const flipped = mac.slice(0, -1) + (mac.endsWith('0') ? '1' : '0');
    expect(verifyIdentity(`acc-3.${ts}.${flipped}`, 'secret-a', now)).toBeNull();
  });

  it('refuses what is missing or malformed', () => {
    expect(verifyIdentity(undefined, 's', now)).toBeNull();
    expect(verifyIdentity('acc.1', 's', now)).toBeNull();
    expect(verifyIdentity(`.${now}.00`, 's', now)).toBeNull();
  });
});
