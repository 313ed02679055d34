import { TrustedProxies, clientIp, normalizeIp } from './client-ip';

describe('clientIp', () => {
  const trusted = new TrustedProxies(['127.0.0.1', '::1', '10.0.0.0/8']);

  it.each([
    ['an untrusted peer: its own address, header ignored', '203.0.113.5', '198.51.100.1', '203.0.113.5'],
    ['a trusted peer without header', '127.0.0.1', undefined, '127.0.0.1'],
    ['a trusted peer: the rightmost untrusted hop', '127.0.0.1', '198.51.100.1, 203.0.113.9', '203.0.113.9'],
    ['trusted hops are skipped', '10.1.2.3', '203.0.113.9, 10.0.0.7, 127.0.0.1', '203.0.113.9'],
    ['all hops trusted: the leftmost', '127.0.0.1', '10.0.0.2, 10.0.0.3', '10.0.0.2'],
    ['IPv4-mapped peer', '::ffff:127.0.0.1', '203.0.113.9', '203.0.113.9'],
    ['IPv6 client through ::1', '::1', '2001:db8::1', '2001:db8::1'],
    ['a malformed hop stops the walk', '127.0.0.1', 'evil, <script>', '127.0.0.1'],
    ['spoofed left part is not believed', '127.0.0.1', '1.2.3.4, 203.0.113.9', '203.0.113.9'],
  ])('%s', (_label, peer, xff, expected) => {
    expect(clientIp(peer, xff, trusted)).toBe(expected);
  });

  describe(
    'as deployed by docker/compose.yml (TRUSTED_PROXIES = the nginx address; nginx sets XFF = ' + '$remote_addr)',
    () => {
      const nginx = '172.28.0.10';
      const composeTrust = new TrustedProxies([nginx]);

      it.each([
        ['a forged X-Forwarded-For from an untrusted peer is ignored', '203.0.113.5', '1.2.3.4', '203.0.113.5'],
        ['another container on the compose network is not trusted', '172.28.0.11', '1.2.3.4', '172.28.0.11'],
        ['from nginx: the address nginx set', nginx, '198.51.100.7', '198.51.100.7'],
        ['from nginx as an IPv4-mapped peer', `::ffff:${nginx}`, '198.51.100.7', '198.51.100.7'],
        ['from nginx: only its own (last) hop counts', nginx, '1.2.3.4, 198.51.100.7', '198.51.100.7'],
        ['from nginx with a forged IPv6 hop before it', nginx, '2001:db8::66, 198.51.100.7', '198.51.100.7'],
      ])('%s', (_label, peer, xff, expected) => {
        expect(clientIp(peer, xff, composeTrust)).toBe(expected);
      });

      it('trusting every peer (0.0.0.0/0) would let a visitor pick its IP: why compose no longer does', () => {
        expect(clientIp(nginx, '1.2.3.4, 198.51.100.7', new TrustedProxies(['0.0.0.0/0']))).toBe('1.2.3.4');
      });
    },
  );

  it('trusts nobody with an empty list', () => {
    expect(clientIp('127.0.0.1', '203.0.113.9', new TrustedProxies([]))).toBe('127.0.0.1');
  });

  it('refuses a malformed TRUSTED_PROXIES entry', () => {
    expect(() => new TrustedProxies(['localhost'])).toThrow(/TRUSTED_PROXIES/);
    expect(() => new TrustedProxies(['10.0.0.0/40'])).toThrow(/prefix/);
  });

  it('normalises mapped and bracketed addresses', () => {
    expect(normalizeIp('::FFFF:192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeIp('[2001:db8::1]')).toBe('2001:db8::1');
  });
});
