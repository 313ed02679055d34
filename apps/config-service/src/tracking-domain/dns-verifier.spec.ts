import { createSocket } from 'node:dgram';
import { startTestDnsServer } from '@snaptrack/util-testing';
import { DnsVerifier, dnsServersProblem, isLoopbackHost, txtRecordName, txtRecordValue } from './dns-verifier';

describe('DnsVerifier', () => {
  it('reads every TXT string of the name, and treats no record as found: []', async () => {
    const dns = await startTestDnsServer();
    try {
      dns.setTxt(txtRecordName('trk.example.com'), [txtRecordValue('abc'), 'v=spf1 -all']);
      dns.setTxt('empty.example.com', []);
      const v = new DnsVerifier([dns.server], 1000);
      expect(await v.txt('_snaptrack.TRK.example.com')).toEqual({
        found: ['snaptrack-verification=abc', 'v=spf1 -all'],
      });
      expect(await v.txt('missing.example.com')).toEqual({ found: [] });
      expect(await v.txt('empty.example.com')).toEqual({ found: [] });
    } finally {
      await dns.close();
    }
  });

  it('reports a server that never answers as a lookup error, not as "no record"', async () => {
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    try {
      const v = new DnsVerifier([`127.0.0.1:${silent.address().port}`], 200);
      expect(await v.txt('_snaptrack.trk.example.com')).toEqual({
        error: expect.stringContaining('DNS lookup failed'),
      });
    } finally {
      silent.close();
    }
  });

  it('validates resolver addresses and knows the loopback names', () => {
    expect(dnsServersProblem([])).toBeNull();
    expect(dnsServersProblem(['127.0.0.1:5353', '[::1]:53', '9.9.9.9'])).toBeNull();
    expect(dnsServersProblem(['dns.example.com'])).toMatch(/Invalid IP address/);
    expect(['localhost', '127.0.0.1', '::1', 'trk.example.com'].map(isLoopbackHost)).toEqual([true, true, true, false]);
  });
});
