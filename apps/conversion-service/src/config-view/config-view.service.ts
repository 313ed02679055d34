import type { DataSource } from 'typeorm';
import type { ConfigEntityV1 } from '@snaptrack/contracts-events';
import { PostgresConfigViewStore } from '@snaptrack/data-access-config-view';
import { type ConfigEntity } from './config-entity.entity';
import { ConfigViewCache } from './config-view.cache';

export interface ConversionTypeView extends ConfigEntityV1.ConversionTypeData {
  id: string;
  accountId: string;
}
export interface OfferSourceView extends ConfigEntityV1.OfferSourceData {
  id: string;
  accountId: string;
}
export interface OfferView extends ConfigEntityV1.OfferData {
  id: string;
  accountId: string;
}

export interface ConfigViewOptions {
  /** Lookups are served from memory for this long (0: no cache); see {@link ConfigViewCache}. */
  cacheTtlMs?: number;
}

/** The table of this service's config view (the shared row shape of @snaptrack/data-access-config-view). */
export const CONFIG_VIEW_TABLE = 'config_entity';

/**
 * The lookups attribution needs over the config view (config.entity.v1 in the `config_entity` table). The view is
 * written by the shared ConfigViewConsumer (@snaptrack/data-access-config-view) into {@link store} with the shared
 * apply rules (newest version per key; deletes and tombstones remembered). The lookups are memoised (they run on
 * every postback); every write goes through {@link aroundWrite}, which empties the memo, so a change this instance
 * applied is in effect as soon as it is stored, and one another instance applied within `cacheTtlMs`.
 */
export class ConfigViewService {
  private readonly cache: ConfigViewCache;
  readonly store: PostgresConfigViewStore;

  constructor(
    private readonly ds: DataSource,
    opts: ConfigViewOptions = {},
  ) {
    this.cache = new ConfigViewCache({ ttlMs: opts.cacheTtlMs ?? 0 });
    this.store = new PostgresConfigViewStore(ds, { table: CONFIG_VIEW_TABLE });
  }

  /** The consumer's `around` hook: lookups bypass the memo while a write is in flight, and it is emptied after. */
  readonly aroundWrite = <T>(write: () => Promise<T>): Promise<T> => this.cache.around(write);

  private live<T>(
    type: ConfigEntityV1.EntityType,
    id: string | null | undefined,
  ): Promise<(T & { id: string; accountId: string }) | null> {
    if (!id) return Promise.resolve(null);
    const key = `${type}:${id}`;
    return this.cache.get(key, async () => {
      const rows: Array<Pick<ConfigEntity, 'entityId' | 'accountId' | 'data'>> = await this.ds.query(
        `SELECT entity_id AS "entityId", account_id AS "accountId", data FROM config_entity WHERE key = ` +
          `$1 AND NOT deleted AND data IS NOT NULL`,
        [key],
      );
      const row = rows[0];
      return row ? { ...(row.data as T), id: row.entityId, accountId: row.accountId } : null;
    });
  }

  conversionTypes(accountId: string): Promise<ConversionTypeView[]> {
    return this.cache.get(`types|${accountId}`, async () => {
      const rows: Array<Pick<ConfigEntity, 'entityId' | 'accountId' | 'data'>> = await this.ds.query(
        `SELECT entity_id AS "entityId", account_id AS "accountId", data FROM config_entity
         WHERE entity_type = 'conversion_type' AND account_id = $1 AND NOT deleted AND data IS NOT NULL
         ORDER BY key`,
        [accountId],
      );
      return rows.map((r) => ({
        ...(r.data as unknown as ConfigEntityV1.ConversionTypeData),
        id: r.entityId,
        accountId: r.accountId,
      }));
    });
  }

  offerSource(id: string | null | undefined): Promise<OfferSourceView | null> {
    return this.live<ConfigEntityV1.OfferSourceData>('offer_source', id);
  }

  offer(id: string | null | undefined): Promise<OfferView | null> {
    return this.live<ConfigEntityV1.OfferData>('offer', id);
  }

  /**
   * Offer sources whose current or previous postback secret has this SHA-256 (the caller checks the overlap of a
   * previous one). Secrets are random, so there is at most one in practice; an index serves the lookup.
   */
  offerSourcesBySecret(secretSha256: string): Promise<OfferSourceView[]> {
    const sha = secretSha256.toLowerCase();
    return this.cache.get(`secret|${sha}`, async () => {
      const rows: Array<Pick<ConfigEntity, 'entityId' | 'accountId' | 'data'>> = await this.ds.query(
        `SELECT entity_id AS "entityId", account_id AS "accountId", data FROM config_entity
         WHERE entity_type = 'offer_source' AND NOT deleted AND data IS NOT NULL
           AND (data->>'postback_token_sha256' = $1 OR data->>'previous_postback_token_sha256' = $1)
         ORDER BY key LIMIT 5`,
        [sha],
      );
      return rows.map((r) => ({
        ...(r.data as unknown as ConfigEntityV1.OfferSourceData),
        id: r.entityId,
        accountId: r.accountId,
      }));
    });
  }

  /** The account whose pixel configuration this is, or null when unknown or deleted. */
  async pixelAccount(id: string): Promise<string | null> {
    return (await this.live<ConfigEntityV1.PixelData>('pixel', id))?.accountId ?? null;
  }

  /** The account a tracking domain belongs to (case-insensitive hostname, no port), or null. */
  async accountForHost(hostname: string | null): Promise<string | null> {
    return (await this.trackingDomainForHost(hostname))?.accountId ?? null;
  }

  /**
   * The tracking domain a request's Host names, whatever the account, with its verification (`verified` absent or
   * null on config.entity.v1 means not verified), or null when the host is no tracking domain. Hostnames are unique
   * across accounts in config-service; should a stale entry share one, a verified domain wins.
   */
  trackingDomainForHost(hostname: string | null): Promise<{ accountId: string; verified: boolean } | null> {
    const host = hostname
      ?.toLowerCase()
      .replace(/^\[(.*)\]$/, '$1')
      .replace(/\.$/, '');
    if (!host) return Promise.resolve(null);
    return this.cache.get(`host|${host}`, async () => {
      const rows: Array<{ account_id: string; verified: boolean }> = await this.ds.query(
        `SELECT account_id, coalesce(data->>'verified' = 'true', false) AS verified FROM config_entity
         WHERE entity_type = 'tracking_domain' AND NOT deleted AND lower(data->>'hostname') = lower($1)
         ORDER BY 2 DESC, version DESC LIMIT 1`,
        [host],
      );
      return rows[0] ? { accountId: rows[0].account_id, verified: rows[0].verified } : null;
    });
  }

  /** Click-id parameter names configured on offer sources (of one account, or all), besides the default. */
  clickIdParamNames(accountId: string | null): Promise<string[]> {
    return this.cache.get(`click-id-params|${accountId ?? ''}`, async () => {
      const rows: Array<{ name: string }> = await this.ds.query(
        `SELECT DISTINCT data->'params'->>'click_id' AS name FROM config_entity
         WHERE entity_type = 'offer_source' AND NOT deleted AND data->'params'->>'click_id' IS NOT NULL
           AND ($1::text IS NULL OR account_id = $1)
         LIMIT 50`,
        [accountId],
      );
      return rows.map((r) => r.name).filter(Boolean);
    });
  }
}
