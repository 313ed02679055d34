import type { Logger } from '@snaptrack/util-logger';
import type { DataSource } from 'typeorm';
import { Campaign } from './campaign.entity';

/** What the click path needs about a campaign. */
export type CachedCampaign = Pick<
  Campaign,
  | 'id'
  | 'accountId'
  | 'key'
  | 'name'
  | 'status'
  | 'trafficChannelId'
  | 'offers'
  | 'trackingMethod'
  | 'fallbackUrl'
  | 'version'
  | 'updatedAt'
>;

const OVERLAP_MS = 10_000;
const FULL_RELOAD_EVERY = 30;
const TOMBSTONE_MS = 60_000;

/**
 * key → campaign for the click hot path, so a click never queries the database. Local mutations are applied at
 * once (`put`/`remove`); changes made by other instances arrive with the next refresh (every CAMPAIGN_REFRESH_MS:
 * rows updated since the last seen `updated_at` minus an overlap, and a full reload every 30th time). A row only
 * replaces a cached entry with a lower or equal version, and a local delete leaves a tombstone for a minute, so a
 * refresh that raced a mutation cannot bring back an older state.
 */
export class CampaignCache {
  private byKey = new Map<string, CachedCampaign>();
  private readonly tombstones = new Map<string, { version: number; at: number }>();
  private lastSeen = new Date(0);
  private refreshes = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly refreshMs: number,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    await this.refresh(true);
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.refresh(++this.refreshes % FULL_RELOAD_EVERY === 0)
        .catch((e) => this.log.warn('campaign cache refresh failed; serving the last known campaigns', { err: e }))
        .finally(() => {
          this.running = null;
        });
    }, this.refreshMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  get(key: string): CachedCampaign | undefined {
    return this.byKey.get(key);
  }

  get size(): number {
    return this.byKey.size;
  }

  /** After a local create/update/pause/resume. */
  put(c: Campaign): void {
    this.apply(c);
  }

  /** After a local delete. */
  remove(c: Pick<Campaign, 'key' | 'version'>): void {
    this.byKey.delete(c.key);
    this.tombstones.set(c.key, { version: c.version, at: Date.now() });
  }

  private apply(row: Campaign): void {
    const tomb = this.tombstones.get(row.key);
    if (tomb && row.version <= tomb.version) return;
    const current = this.byKey.get(row.key);
    if (current && current.version > row.version) return;
    if (row.deletedAt) {
      this.byKey.delete(row.key);
      return;
    }
    this.byKey.set(row.key, {
      id: row.id,
      accountId: row.accountId,
      key: row.key,
      name: row.name,
      status: row.status,
      trafficChannelId: row.trafficChannelId,
      offers: row.offers,
      trackingMethod: row.trackingMethod,
      fallbackUrl: row.fallbackUrl,
      version: row.version,
      updatedAt: row.updatedAt,
    });
    if (row.updatedAt > this.lastSeen) this.lastSeen = row.updatedAt;
  }

  private async refresh(full: boolean): Promise<void> {
    const repo = this.ds.getRepository(Campaign);
    const now = Date.now();
    for (const [k, t] of this.tombstones) if (now - t.at > TOMBSTONE_MS) this.tombstones.delete(k);
    if (full) {
      const startedAt = new Date();
      const rows = await repo.createQueryBuilder('c').where('c.deleted_at IS NULL').getMany();
      const previous = this.byKey;
      this.byKey = new Map();
      for (const row of rows) {
        const prev = previous.get(row.key);
        if (prev && prev.version > row.version) this.byKey.set(row.key, prev);
        this.apply(row);
      }
      // Entries put locally while the reload ran are newer than its snapshot: keep them.
      for (const [k, v] of previous)
        if (!this.byKey.has(k) && v.updatedAt >= new Date(startedAt.getTime() - 1000)) this.byKey.set(k, v);
      return;
    }
    const since = new Date(this.lastSeen.getTime() - OVERLAP_MS);
    const rows = await repo.createQueryBuilder('c').where('c.updated_at >= :since', { since }).getMany();
    for (const row of rows) this.apply(row);
  }
}
