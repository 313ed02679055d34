import { CreateOutbox1764400000000 } from '@snaptrack/data-access-outbox';
import { createDataSource, openDatabase } from '@snaptrack/util-db';
import { createTestDatabase } from '@snaptrack/util-testing';
import type { DataSource } from 'typeorm';
import { CreateConfigSchema1764500000000 } from '../src/migrations/1764500000000-create-config-schema';
import { TrackingDomainVerification1796604900000 } from '../src/migrations/1796604900000-tracking-domain-verification';

/** Upgrading a database whose tracking domains were unique per account only, with no proof of ownership. */
describe('migration: tracking domain verification', () => {
  let db: { url: string; drop: () => Promise<void> };
  let ds: DataSource | undefined;
  beforeAll(async () => {
    db = await createTestDatabase('config_migration');
  });
  afterAll(async () => {
    if (ds?.isInitialized) await ds.destroy();
    await db?.drop();
  });

  it('makes existing domains PENDING with distinct tokens and releases later claims of a shared hostname', async () => {
    const before = await openDatabase(
      createDataSource({
        url: db.url,
        entities: [],
        migrations: [CreateOutbox1764400000000, CreateConfigSchema1764500000000],
      }),
    );
    const insert = (id: string, account: string, hostname: string, createdAt: string, isDefault = true) =>
      before.query(
        `INSERT INTO tracking_domain (id, account_id, hostname, is_default, created_at, updated_at, version)
         VALUES ($1, $2, $3, $5, $4, $4, 3)`,
        [id, account, hostname, createdAt, isDefault],
      );
    await insert('11111111-1111-4111-8111-111111111111', 'owner', 'trk.shared.example', '2026-01-01T00:00:00Z');
    await insert('22222222-2222-4222-8222-222222222222', 'attacker', 'trk.shared.example', '2026-02-01T00:00:00Z');
    await insert('33333333-3333-4333-8333-333333333333', 'owner', 'trk.alone.example', '2026-01-02T00:00:00Z', false);
    await before.destroy();

    ds = await openDatabase(
      createDataSource({
        url: db.url,
        entities: [],
        migrations: [
          CreateOutbox1764400000000,
          CreateConfigSchema1764500000000,
          TrackingDomainVerification1796604900000,
        ],
      }),
    );
    const rows: Array<Record<string, any>> = await ds.query(
      `SELECT id, account_id, hostname, verification_status, verification_token, verified_at, version
       FROM tracking_domain ORDER BY id`,
    );
    expect(rows.map((r) => [r.account_id, r.hostname, r.verification_status, r.verified_at, r.version])).toEqual([
      ['owner', 'trk.shared.example', 'PENDING', null, 3],
      ['attacker', '22222222-2222-4222-8222-222222222222.released.invalid', 'PENDING', null, 4],
      ['owner', 'trk.alone.example', 'PENDING', null, 3],
    ]);
    const tokens = rows.map((r) => r.verification_token);
    for (const t of tokens) expect(t).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(tokens).size).toBe(3);
    await expect(
      ds.query(
        `INSERT INTO tracking_domain (id, account_id, hostname, is_default, verification_token, created_at, updated_at,
           version) VALUES (gen_random_uuid(), 'late', 'Trk.Alone.Example', false, 't', now(), now(), 1)`,
      ),
    ).rejects.toThrow(/tracking_domain_hostname_global/);
  });
});
