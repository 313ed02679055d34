import type { ConfigEntityV1 } from '@snaptrack/contracts-events';
import { startTestDnsServer, type TestDnsServer } from '@snaptrack/util-testing';
import { dbState, fails, ok } from './gql';
import { startTestConfigService, type TestConfigService } from './harness';

const FIELDS = `id hostname isDefault version verificationStatus verifiedAt verificationRecord { name type value }`;
const CREATE = `mutation($input: CreateTrackingDomainInput!) { createTrackingDomain(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateTrackingDomainInput!) {
  updateTrackingDomain(id: $id, input: $input) { ${FIELDS} } }`;
const VERIFY = `mutation($id: ID!) { verifyTrackingDomain(id: $id) { ${FIELDS} } }`;

/** Published tracking_domain states in the outbox, oldest first. */
async function published(app: TestConfigService, id: string): Promise<ConfigEntityV1.Value[]> {
  const rows: Array<{ payload: ConfigEntityV1.Value }> = await app.ds.query(
    `SELECT payload FROM outbox_message WHERE key = $1 ORDER BY id`,
    [`tracking_domain:${id}`],
  );
  return rows.map((r) => r.payload);
}

describe('tracking domains: one owner per hostname, proven by a DNS TXT record', () => {
  let app: TestConfigService;
  let dns: TestDnsServer;
  const acc = 'acc-domain-owner';
  const rival = 'acc-domain-rival';
  beforeAll(async () => {
    dns = await startTestDnsServer();
    app = await startTestConfigService({ dnsResolvers: [dns.server], environment: 'development' });
  });
  afterAll(async () => {
    await app?.stop();
    await app?.dropDb();
    await dns?.close();
  });

  it('a second account cannot claim a hostname another account added (DOMAIN_TAKEN, owner not revealed)', async () => {
    await ok(app.url, acc, CREATE, { input: { hostname: 'trk.claimed.example' } });
    const before = await dbState(app.ds);
    for (const hostname of ['trk.claimed.example', 'TRK.Claimed.Example.']) {
      const err = await fails(app.url, rival, CREATE, { input: { hostname } }, 'DOMAIN_TAKEN');
      expect(err.message).toContain('already used by another account');
      expect(err.extensions?.field).toBe('hostname');
      expect(JSON.stringify(err)).not.toContain(acc);
    }
    // Renaming one of its own domains onto the hostname is refused the same way.
    const own = (await ok(app.url, rival, CREATE, { input: { hostname: 'trk.rival.example' } })).createTrackingDomain;
    const mid = await dbState(app.ds);
    await fails(app.url, rival, UPDATE, { id: own.id, input: { hostname: 'trk.claimed.example' } }, 'DOMAIN_TAKEN');
    expect(await dbState(app.ds)).toEqual(mid);
    expect(before.tracking_domain).not.toEqual(mid.tracking_domain);
    // The owner adding it twice is still the account's own CONFLICT.
    await fails(app.url, acc, CREATE, { input: { hostname: 'trk.claimed.example' } }, 'CONFLICT');
  });

  it('the database refuses a second claim even when the service check is bypassed', async () => {
    await expect(
      app.ds.query(
        `INSERT INTO tracking_domain (id, account_id, hostname, is_default, verification_token, created_at, updated_at,
           version) VALUES (gen_random_uuid(), 'x', 'TRK.claimed.example', true, 't', now(), now(), 1)`,
      ),
    ).rejects.toThrow(/tracking_domain_hostname_global/);
  });

  it('a new domain is PENDING with a per-domain random TXT record to create', async () => {
    const a = (await ok(app.url, acc, CREATE, { input: { hostname: 'a.pending.example' } })).createTrackingDomain;
    const b = (await ok(app.url, acc, CREATE, { input: { hostname: 'b.pending.example' } })).createTrackingDomain;
    expect(a).toMatchObject({
      verificationStatus: 'PENDING',
      verifiedAt: null,
      verificationRecord: { name: '_snaptrack.a.pending.example', type: 'TXT' },
    });
    expect(a.verificationRecord.value).toMatch(/^snaptrack-verification=[0-9a-f]{32}$/);
    expect(b.verificationRecord.value).not.toBe(a.verificationRecord.value);
    await app.relay.drain();
    const [event] = await published(app, a.id);
    expect(event.data).toEqual({ hostname: 'a.pending.example', is_default: false, verified: false });
  });

  it('verify fails without the TXT record, and with a wrong one says what it expected and found', async () => {
    const d = (await ok(app.url, acc, CREATE, { input: { hostname: 'trk.verify.example' } })).createTrackingDomain;
    const before = await dbState(app.ds);
    const missing = await fails(app.url, acc, VERIFY, { id: d.id }, 'DOMAIN_VERIFICATION_FAILED');
    expect(missing.message).toContain('_snaptrack.trk.verify.example');
    expect(missing.message).toContain(d.verificationRecord.value);
    expect(missing.message).toContain('found no TXT record');
    expect(missing.extensions).toMatchObject({
      expected: { name: '_snaptrack.trk.verify.example', value: d.verificationRecord.value },
      found: [],
    });
    expect(dns.queries).toContain('_snaptrack.trk.verify.example');

    dns.setTxt('_snaptrack.trk.verify.example', ['snaptrack-verification=0000', 'v=spf1 -all']);
    const wrong = await fails(app.url, acc, VERIFY, { id: d.id }, 'DOMAIN_VERIFICATION_FAILED');
    expect(wrong.extensions?.found).toEqual(['snaptrack-verification=0000', 'v=spf1 -all']);
    // Another account's id is NOT_FOUND, whatever DNS says.
    dns.setTxt('_snaptrack.trk.verify.example', [d.verificationRecord.value]);
    await fails(app.url, rival, VERIFY, { id: d.id }, 'NOT_FOUND');
    expect(await dbState(app.ds)).toEqual(before);
  });

  it('verify succeeds with the TXT record and publishes verified: true', async () => {
    const d = (await ok(app.url, acc, CREATE, { input: { hostname: 'trk.ok.example' } })).createTrackingDomain;
    dns.setTxt('_snaptrack.trk.ok.example', ['unrelated', d.verificationRecord.value]);
    const v = (await ok(app.url, acc, VERIFY, { id: d.id })).verifyTrackingDomain;
    expect(v).toMatchObject({ verificationStatus: 'VERIFIED', version: d.version + 1 });
    expect(new Date(v.verifiedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    // Verifying again changes nothing.
    expect((await ok(app.url, acc, VERIFY, { id: d.id })).verifyTrackingDomain.version).toBe(v.version);
    await app.relay.drain();
    const events = await published(app, d.id);
    expect(events.map((e) => e.version)).toEqual([1, 2]);
    expect(events[1].data).toMatchObject({ hostname: 'trk.ok.example', verified: true });

    // A new hostname needs a new proof.
    const renamed = (await ok(app.url, acc, UPDATE, { id: d.id, input: { hostname: 'trk.ok2.example' } }))
      .updateTrackingDomain;
    expect(renamed).toMatchObject({ verificationStatus: 'PENDING', verifiedAt: null });
    expect(renamed.verificationRecord.name).toBe('_snaptrack.trk.ok2.example');
    await app.relay.drain();
    expect((await published(app, d.id))[2].data).toMatchObject({ hostname: 'trk.ok2.example', verified: false });
  });

  it.each(['localhost', '127.0.0.1', '::1'])('%s needs no proof in development', async (hostname) => {
    const d = (await ok(app.url, 'acc-dev-' + hostname.replace(/[.:]/g, '-'), CREATE, { input: { hostname } }))
      .createTrackingDomain;
    expect(d).toMatchObject({ hostname, verificationStatus: 'VERIFIED' });
    expect(d.verifiedAt).not.toBeNull();
  });
});

describe('tracking domains in production', () => {
  let app: TestConfigService;
  beforeAll(async () => {
    app = await startTestConfigService({ environment: 'production' });
  });
  afterAll(async () => {
    await app?.stop();
    await app?.dropDb();
  });

  it.each(['localhost', '127.0.0.1', '[::1]'])('refuses %s as unverifiable', async (hostname) => {
    const before = await dbState(app.ds);
    const err = await fails(app.url, 'acc-prod', CREATE, { input: { hostname } }, 'BAD_USER_INPUT');
    expect(err.message).toContain('cannot be verified in production');
    expect(err.extensions?.field).toBe('hostname');
    expect(await dbState(app.ds)).toEqual(before);
  });
});
