import { createTestDatabase } from '@snaptrack/util-testing';
import { openDatabase } from '@snaptrack/util-db';
import type { DataSource } from 'typeorm';
import { createAccountDataSource } from '../src/data-source';
import { AccountService } from '../src/account/account.service';

describe('AccountService (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;
  let accounts: AccountService;
  beforeAll(async () => {
    db = await createTestDatabase('account');
    ds = await openDatabase(createAccountDataSource(db.url));
    accounts = new AccountService(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('creates an account with a key that verifies, and stores only a hash', async () => {
    const { account, key } = await accounts.createAccount('Acme');
    expect(key.apiKey).toMatch(/^stk_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    expect(await accounts.verify(key.apiKey)).toBe(account.id);
    const rows = await ds.query('SELECT * FROM api_key');
    expect(JSON.stringify(rows)).not.toContain(key.apiKey.slice(17));
    const listed = await accounts.list(account.id);
    expect(listed[0].hint).toMatch(/…/);
  });

  it('rejects malformed, unknown and tampered keys', async () => {
    const { key } = await accounts.createAccount('Other');
    expect(await accounts.verify(undefined)).toBeNull();
    expect(await accounts.verify('nope')).toBeNull();
    expect(await accounts.verify(key.apiKey.slice(0, -1) + (key.apiKey.endsWith('A') ? 'B' : 'A'))).toBeNull();
  });

  it('revokes and rotates', async () => {
    const { account, key } = await accounts.createAccount('Rotator');
    const rotated = await accounts.rotate(account.id, key.keyId);
    expect(rotated).not.toBeNull();
    expect(await accounts.verify(key.apiKey)).toBeNull();
    expect(await accounts.verify(rotated!.apiKey)).toBe(account.id);
    expect(await accounts.revoke(account.id, rotated!.keyId)).toBe(true);
    expect(await accounts.verify(rotated!.apiKey)).toBeNull();
    expect(await accounts.revoke(account.id, rotated!.keyId)).toBe(false);
  });

  it("cannot revoke another account's key", async () => {
    const a = await accounts.createAccount('A');
    const b = await accounts.createAccount('B');
    expect(await accounts.revoke(b.account.id, a.key.keyId)).toBe(false);
    expect(await accounts.verify(a.key.apiKey)).toBe(a.account.id);
  });

  it('answers the account and key id, and writes lastUsedAt in one batch at the flush', async () => {
    const { account, key } = await accounts.createAccount('Batched');
    const second = await accounts.issue(account.id, 'second');
    expect(await accounts.authenticate(key.apiKey)).toEqual({ accountId: account.id, keyId: key.keyId });
    expect(await accounts.authenticate(second.apiKey)).toEqual({ accountId: account.id, keyId: second.keyId });
    expect((await accounts.list(account.id)).map((k) => k.lastUsedAt)).toEqual([null, null]);
    expect(await accounts.flushLastUsed()).toBeGreaterThanOrEqual(2);
    const used = await accounts.list(account.id);
    expect(used.map((k) => k.lastUsedAt instanceof Date)).toEqual([true, true]);
    expect(await accounts.flushLastUsed()).toBe(0);
  });

  it('refuses an empty account name', async () => {
    await expect(accounts.createAccount('  ')).rejects.toThrow(/1-200/);
  });
});
