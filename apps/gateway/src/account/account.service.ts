import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Account } from './account.entity';
import { ApiKey } from './api-key.entity';

export interface IssuedKey {
  accountId: string;
  keyId: string;
  /** Shown once; never stored. */
  apiKey: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const KEY_RE = /^stk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/** Accounts and API keys: issue, verify, list (hints only), revoke, rotate. */
export class AccountService {
  private cache = new Map<string, { accountId: string | null; until: number }>();

  constructor(private readonly ds: DataSource) {}

  async createAccount(name: string): Promise<{ account: Account; key: IssuedKey }> {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 200) throw new Error('account name must be 1-200 characters');
    return this.ds.transaction(async (tx) => {
      const account = await tx.save(tx.create(Account, { name: trimmed }));
      const key = await this.issueKey(account.id, 'default', tx.getRepository(ApiKey));
      return { account, key };
    });
  }

  async issue(accountId: string, name = 'default'): Promise<IssuedKey> {
    return this.issueKey(accountId, name, this.ds.getRepository(ApiKey));
  }

  private async issueKey(
    accountId: string,
    name: string,
    repo: ReturnType<DataSource['getRepository']>,
  ): Promise<IssuedKey> {
    const keyId = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12);
    const secret = randomBytes(32).toString('base64url');
    const apiKey = `stk_${keyId}_${secret}`;
    await repo.save({
      id: keyId,
      accountId,
      name,
      secretSha256: sha256(secret),
      hint: `stk_${keyId}_…${secret.slice(-4)}`,
      revokedAt: null,
      lastUsedAt: null,
    });
    return { accountId, keyId, apiKey };
  }

  /** Account id for a bearer key, or null. Cached for a few seconds; revocation applies within that window. */
  async verify(apiKey: string | undefined): Promise<string | null> {
    if (!apiKey) return null;
    const m = KEY_RE.exec(apiKey);
    if (!m) return null;
    const cached = this.cache.get(apiKey);
    if (cached && cached.until > Date.now()) return cached.accountId;
    const row = await this.ds.getRepository(ApiKey).findOne({ where: { id: m[1] } });
    let accountId: string | null = null;
    if (row && !row.revokedAt) {
      const a = Buffer.from(sha256(m[2]));
      const b = Buffer.from(row.secretSha256);
      if (a.length === b.length && timingSafeEqual(a, b)) accountId = row.accountId;
    }
    if (accountId)
      void this.ds.query(`UPDATE api_key SET last_used_at = now() WHERE id = $1`, [m[1]]).catch(() => undefined);
    if (this.cache.size > 10000) this.cache.clear();
    this.cache.set(apiKey, { accountId, until: Date.now() + 5000 });
    return accountId;
  }

  get(accountId: string): Promise<Account | null> {
    return this.ds.getRepository(Account).findOne({ where: { id: accountId } });
  }

  list(accountId: string): Promise<ApiKey[]> {
    return this.ds.getRepository(ApiKey).find({ where: { accountId }, order: { createdAt: 'ASC' } });
  }

  async revoke(accountId: string, keyId: string): Promise<boolean> {
    const res = await this.ds.query(
      `UPDATE api_key SET revoked_at = now() WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL RETURNING id`,
      [keyId, accountId],
    );
    this.cache.clear();
    return (res[0] ?? res).length > 0;
  }

  /** Issues a new key and revokes the old one in one transaction. */
  async rotate(accountId: string, keyId: string): Promise<IssuedKey | null> {
    return this.ds.transaction(async (tx) => {
      const res = await tx.query(
        `UPDATE api_key SET revoked_at = now() WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL RETURNING name`,
        [keyId, accountId],
      );
      const rows = res[0] ?? res;
      if (!rows.length) return null;
      const issued = await this.issueKey(accountId, rows[0].name, tx.getRepository(ApiKey));
      this.cache.clear();
      return issued;
    });
  }
}
