import type { DataSource, EntityManager } from 'typeorm';
import { ConfigEntityV1 } from '@snaptrack/contracts-events';
import {
  type ConfigChange,
  type ConfigEntry,
  PostgresConfigViewStore,
  applyRecords,
} from '@snaptrack/data-access-config-view';
import type { Logger } from '@snaptrack/util-logger';
import type { PixelPlacement } from '../targets';

export interface OfferInfo {
  url: string | null;
  offerSourceId: string | null;
  defaultCurrency: string | null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const rowOf = (e: ConfigEntry) => ({ id: e.id, account_id: e.accountId, data: e.data });

/** Reads a pixel entity's data defensively: a malformed one is ignored (and logged), never half-used. */
export function toPixelPlacement(row: { id: string; account_id: string; data: unknown }): PixelPlacement | null {
  const d = row.data;
  if (!isRecord(d) || typeof d['pixel_id'] !== 'string' || !isRecord(d['placement'])) return null;
  const pl = d['placement'];
  let placement: PixelPlacement['placement'];
  if (pl['kind'] === 'channel' && typeof pl['traffic_channel_id'] === 'string')
    placement = { kind: 'channel', trafficChannelId: pl['traffic_channel_id'] };
  else if (pl['kind'] === 'offer' && typeof pl['offer_id'] === 'string')
    placement = { kind: 'offer', offerId: pl['offer_id'] };
  else return null;
  const tok = d['token'];
  const token =
    isRecord(tok) && typeof tok['key_id'] === 'string' && typeof tok['ciphertext'] === 'string'
      ? { key_id: tok['key_id'], ciphertext: tok['ciphertext'] }
      : null;
  const mapping: Record<string, string> = {};
  if (isRecord(d['event_mapping'])) {
    for (const [k, v] of Object.entries(d['event_mapping'])) if (typeof v === 'string') mapping[k] = v;
  }
  return {
    configId: row.id,
    accountId: row.account_id,
    pixelId: d['pixel_id'],
    placement,
    token,
    testMode: d['test_mode'] === true,
    limitedDataUse: d['limited_data_use'] === true,
    eventMapping: mapping,
  };
}

/**
 * A pixel placement that appeared, changed what it targets (Snap pixel id, channel/offer, event mapping), or went
 * away, as the config view applied it. The dispatcher re-targets recent conversions with `current`, and skips the
 * waiting deliveries that `previous` no longer justifies.
 */
export interface PlacementChange {
  configId: string;
  accountId: string;
  /** The placement now; null when it was removed. */
  current: PixelPlacement | null;
  /** The placement before this version; null when it is new (or was removed before). */
  previous: PixelPlacement | null;
  /** When the placement was created, as far as this view knows (`config_entity.created_at`). */
  createdAt: Date;
  /**
   * `backfill_days` of the version just applied (PixelInput.backfillDays, 1-37), else 0: the conversions of the last
   * that many days are re-targeted too, not only those received since the placement's creation.
   */
  backfillDays: number;
}

/** config.entity.v1 pixel `backfill_days` as a whole number of days from 0 to 37 (anything else counts as 0). */
function backfillDaysOf(data: unknown): number {
  const v = data && typeof data === 'object' ? (data as Record<string, unknown>)['backfill_days'] : undefined;
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? Math.min(v, 37) : 0;
}

/** What decides a placement's targets: a change of anything else (token, test mode, LDU) re-targets nothing. */
function targetingKey(p: PixelPlacement): string {
  const scope = p.placement.kind === 'channel' ? `c:${p.placement.trafficChannelId}` : `o:${p.placement.offerId}`;
  const mapping = Object.entries(p.eventMapping).sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify([p.pixelId.trim().toLowerCase(), scope, mapping]);
}

/** The table of this service's config view (the shared row shape of @snaptrack/data-access-config-view). */
export const CONFIG_VIEW_TABLE = 'config_entity';

/**
 * The config view: config.entity.v1 in `config_entity`, written by the shared ConfigViewConsumer
 * (@snaptrack/data-access-config-view) into {@link store} with the shared apply rules (newest version per key;
 * deletes and tombstones remembered, so an older value never brings an entity back), and the reads the dispatcher
 * needs. {@link placementChanges} is the consumer's after-apply hook.
 */
export class ConfigViewService {
  readonly store: PostgresConfigViewStore;

  constructor(
    private readonly ds: DataSource,
    private readonly log: Logger,
  ) {
    this.store = new PostgresConfigViewStore(ds, { table: CONFIG_VIEW_TABLE });
  }

  /**
   * Applies entity states with the shared rules (tools and tests; the consumer applies whole batches). Returns the
   * pixel placements whose targeting changed.
   */
  async upsert(values: ConfigEntityV1.Value[]): Promise<PlacementChange[]> {
    const records = values.map((value, i) => ({
      key: ConfigEntityV1.keyOf(value),
      value,
      partition: 0,
      offset: String(i),
    }));
    return this.placementChanges(await applyRecords(this.store, records));
  }

  /**
   * After a batch is stored: stamps `created_at` (the `updated_at` of the first version this view applied, kept by
   * later versions) and `received_at` on the changed rows, and returns the pixel placements whose targeting changed
   * (new, changed pixel id / scope / mapping, removed).
   */
  async placementChanges(changes: ConfigChange[]): Promise<PlacementChange[]> {
    if (!changes.length) return [];
    const stamped: Array<{ key: string; created_at: Date }> = await this.ds.query(
      // A CTE, so the driver answers rows (TypeORM answers an UPDATE with [rows, count]).
      `WITH stamped AS (
         UPDATE config_entity c SET created_at = coalesce(c.created_at, x.updated_at), received_at = now()
           FROM jsonb_to_recordset($1::jsonb) AS x(key text, updated_at timestamptz)
          WHERE c.key = x.key
          RETURNING c.key, c.created_at
       )
       SELECT key, created_at FROM stamped`,
      [JSON.stringify(changes.map((c) => ({ key: c.key, updated_at: c.current.updatedAt })))],
    );
    const createdAt = new Map(stamped.map((r) => [r.key, new Date(r.created_at)]));
    const out: PlacementChange[] = [];
    for (const { key, previous: old, current: row } of changes) {
      if (row.entityType !== 'pixel') continue;
      const previous = old && !old.deleted ? toPixelPlacement(rowOf(old)) : null;
      const current = row.deleted ? null : toPixelPlacement(rowOf(row));
      if (!current && !previous) continue;
      const backfillDays = current ? backfillDaysOf(row.data) : 0;
      if (current && previous && targetingKey(current) === targetingKey(previous) && !backfillDays) continue;
      out.push({
        configId: row.id,
        accountId: row.accountId,
        current,
        previous,
        createdAt: createdAt.get(key) ?? new Date(row.updatedAt),
        backfillDays,
      });
    }
    return out;
  }

  /** Every live pixel placement of these accounts. */
  async pixelsFor(accountIds: string[], tx?: EntityManager): Promise<PixelPlacement[]> {
    if (!accountIds.length) return [];
    const rows: Array<{ id: string; account_id: string; data: unknown }> = await (tx ?? this.ds.manager).query(
      `SELECT entity_id AS id, account_id, data FROM config_entity WHERE entity_type = 'pixel' AND NOT deleted AND ` +
        `account_id = ANY($1::text[])`,
      [[...new Set(accountIds)]],
    );
    const out: PixelPlacement[] = [];
    for (const r of rows) {
      const p = toPixelPlacement(r);
      if (p) out.push(p);
      else this.log.warn('ignoring a malformed pixel entity', { config_id: r.id, account_id: r.account_id });
    }
    return out;
  }

  async pixelPlacement(configId: string, tx?: EntityManager): Promise<PixelPlacement | null> {
    const rows: Array<{ id: string; account_id: string; data: unknown }> = await (tx ?? this.ds.manager).query(
      `SELECT entity_id AS id, account_id, data FROM config_entity WHERE key = 'pixel:' || $1 AND NOT deleted`,
      [configId],
    );
    return rows[0] ? toPixelPlacement(rows[0]) : null;
  }

  /** Offer URL (event_source_url fallback) and its offer source's default currency, by offer id. */
  async offers(offerIds: string[]): Promise<Map<string, OfferInfo>> {
    const out = new Map<string, OfferInfo>();
    if (!offerIds.length) return out;
    const rows: Array<{ id: string; data: unknown; source: unknown }> = await this.ds.query(
      `SELECT o.entity_id AS id, o.data, s.data AS source
         FROM config_entity o
         LEFT JOIN config_entity s ON s.key = 'offer_source:' || (o.data->>'offer_source_id') AND NOT s.deleted
        WHERE o.key = ANY($1::text[]) AND NOT o.deleted`,
      [[...new Set(offerIds)].map((id) => `offer:${id}`)],
    );
    for (const r of rows) {
      const d = isRecord(r.data) ? r.data : {};
      const s = isRecord(r.source) ? r.source : {};
      out.set(r.id, {
        url: typeof d['url'] === 'string' ? d['url'] : null,
        offerSourceId: typeof d['offer_source_id'] === 'string' ? d['offer_source_id'] : null,
        defaultCurrency: typeof s['default_currency'] === 'string' ? s['default_currency'] : null,
      });
    }
    return out;
  }
}
