import { TrustedProxies, addressBucket, clientIp } from './client-ip';

describe('client IP for the gateway', () => {
  it('uses the socket peer unless the peer is a trusted proxy', () => {
    expect(clientIp('::ffff:10.0.0.5', '203.0.113.9', new TrustedProxies([]))).toBe('10.0.0.5');
    expect(clientIp('10.0.0.5', '198.51.100.1, 203.0.113.9', new TrustedProxies(['10.0.0.0/8']))).toBe('203.0.113.9');
    expect(clientIp('10.0.0.5', 'not-an-ip', new TrustedProxies(['10.0.0.5']))).toBe('10.0.0.5');
  });

  it('groups IPv6 clients by /64 and keeps IPv4 addresses as they are', () => {
    expect(addressBucket('203.0.113.9')).toBe('203.0.113.9');
    expect(addressBucket('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressBucket('::1')).toBe('0:0:0:0::/64');
    expect(addressBucket('fe80::1:2:3:4')).toBe('fe80:0:0:0::/64');
    expect(addressBucket('unknown')).toBe('unknown');
  });
});
