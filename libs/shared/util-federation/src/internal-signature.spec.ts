import { signInternalRequest, verifyInternalRequest } from './identity';

const SECRET = 'secret-0123456789abcdef0123456789';
const BODY = JSON.stringify({ apiKey: 'stk_abc' });

describe('internal request signature', () => {
  it('verifies the method, path and body it was made for', () => {
    const sig = signInternalRequest('POST', '/internal/authenticate', BODY, SECRET);
    expect(verifyInternalRequest(sig, 'POST', '/internal/authenticate', BODY, SECRET)).toBe(true);
  });

  it('refuses another body, path, method, secret, a stale timestamp or garbage', () => {
    const now = 1_800_000_000;
    const sig = signInternalRequest('POST', '/internal/authenticate', BODY, SECRET, now);
    const ok = (h: string | undefined, body = BODY, p = '/internal/authenticate', m = 'POST', s = SECRET, t = now) =>
      verifyInternalRequest(h, m, p, body, s, t);
    expect(ok(sig)).toBe(true);
    expect(ok(sig, JSON.stringify({ apiKey: 'stk_abd' }))).toBe(false);
    expect(ok(sig, BODY, '/internal/other')).toBe(false);
    expect(ok(sig, BODY, '/internal/authenticate', 'GET')).toBe(false);
    expect(ok(sig, BODY, '/internal/authenticate', 'POST', `${SECRET}x`)).toBe(false);
    expect(ok(sig, BODY, '/internal/authenticate', 'POST', SECRET, now + 301)).toBe(false);
    for (const bad of [undefined, '', 'x', `${now}.`, `${now}.${'0'.repeat(64)}`, `${sig}.x`])
      expect(ok(bad)).toBe(false);
  });
});
