import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ListOrder, paginateKeyset, type ConnectionPage, type PageArgs } from '@snaptrack/util-federation';
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
  /** Key ids authenticated since the last flushLastUsed (bounded by the number of keys). */
  private readonly usedKeys = new Set<string>();

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

  /**
   * The account and key id of a bearer key, or null (malformed, unknown, wrong secret, revoked). Always read from the
   * database: callers (the gateway) cache the answer; revocation is immediate here. `lastUsedAt` is written in batches
   * (see flushLastUsed).
   */
  async authenticate(apiKey: string | undefined): Promise<{ accountId: string; keyId: string } | null> {
    if (!apiKey) return null;
    const m = KEY_RE.exec(apiKey);
    if (!m) return null;
    const row = await this.ds.getRepository(ApiKey).findOne({ where: { id: m[1] } });
    if (!row || row.revokedAt) return null;
    const a = Buffer.from(sha256(m[2]));
    const b = Buffer.from(row.secretSha256);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
    this.usedKeys.add(row.id);
    return { accountId: row.accountId, keyId: row.id };
  }

  /** Account id for a bearer key, or null. */
  async verify(apiKey: string | undefined): Promise<string | null> {
    return (await this.authenticate(apiKey))?.accountId ?? null;
  }

  /** Writes `last_used_at = now()` for every key authenticated since the last flush, in one UPDATE. */
  async flushLastUsed(): Promise<number> {
    if (!this.usedKeys.size) return 0;
    const ids = [...this.usedKeys];
    this.usedKeys.clear();
    try {
      await this.ds.query(`UPDATE api_key SET last_used_at = now() WHERE id = ANY($1::text[])`, [ids]);
    } catch (e) {
      for (const id of ids) this.usedKeys.add(id); // retried at the next flush
      throw e;
    }
    return ids.length;
  }

  get(accountId: string): Promise<Account | null> {
    return this.ds.getRepository(Account).findOne({ where: { id: accountId } });
  }

  list(accountId: string): Promise<ApiKey[]> {
    return this.ds.getRepository(ApiKey).find({ where: { accountId }, order: { createdAt: 'ASC' } });
  }

  /** The account's keys as a page of the paging contract (docs/api.md): oldest first by default. */
  page(accountId: string, args: PageArgs, includeRevoked = true): Promise<ConnectionPage<ApiKey>> {
    const qb = this.ds.getRepository(ApiKey).createQueryBuilder('k').where('k.account_id = :accountId', { accountId });
    if (!includeRevoked) qb.andWhere('k.revoked_at IS NULL');
    return paginateKeyset(qb, args, {
      time: 'k.created_at',
      id: 'k.id',
      key: (k) => [k.createdAt, k.id],
      defaultOrder: ListOrder.OLDEST_FIRST,
    });
  }

  async revoke(accountId: string, keyId: string): Promise<boolean> {
    const res = await this.ds.query(
      `UPDATE api_key SET revoked_at = now() WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL RETURNING id`,
      [keyId, accountId],
    );
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
      return this.issueKey(accountId, rows[0].name, tx.getRepository(ApiKey));
    });
  }
}
