import type { DataSource, EntityManager } from 'typeorm';
import type { ConfigEntityV1 } from '@snaptrack/contracts-events';
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

/** The config view: upserts from config.entity.v1 (highest version wins) and the reads the dispatcher needs. */
export class ConfigViewService {
  constructor(
    private readonly ds: DataSource,
    private readonly log: Logger,
  ) {}

  /**
   * Applies a batch of entity states; an older or equal version never overwrites a newer one. Returns the pixel
   * placements whose targeting changed (new, changed pixel id / scope / mapping, removed).
   */
  async upsert(values: ConfigEntityV1.Value[], tx?: EntityManager): Promise<PlacementChange[]> {
    if (!values.length) return [];
    // Within one batch keep only the highest version per key, so one statement never touches a row twice.
    const latest = new Map<string, ConfigEntityV1.Value>();
    for (const v of values) {
      const k = `${v.entity_type}:${v.id}`;
      const prev = latest.get(k);
      if (!prev || prev.version < v.version) latest.set(k, v);
    }
    const rows = [...latest.values()].map((v) => ({
      entity_type: v.entity_type,
      id: v.id,
      account_id: v.account_id,
      version: v.version,
      deleted: v.deleted,
      data: v.data,
      updated_at: v.updated_at,
    }));
    const m = tx ?? this.ds.manager;
    const pixelIds = rows.filter((r) => r.entity_type === 'pixel').map((r) => r.id);
    const before: Array<{ id: string; account_id: string; deleted: boolean; data: unknown }> = pixelIds.length
      ? await m.query(
          `SELECT id, account_id, deleted, data FROM config_entity
            WHERE entity_type = 'pixel' AND id = ANY($1::text[])`,
          [pixelIds],
        )
      : [];
    const applied: Array<{
      entity_type: string;
      id: string;
      account_id: string;
      deleted: boolean;
      data: unknown;
      created_at: Date;
    }> = await m.query(
      `INSERT INTO config_entity (entity_type, id, account_id, version, deleted, data, updated_at, created_at)
         SELECT entity_type, id, account_id, version, deleted, data, updated_at, updated_at
           FROM jsonb_to_recordset($1::jsonb) AS x(entity_type text, id text, account_id text, version bigint,
                                                  deleted boolean, data jsonb, updated_at timestamptz)
         ON CONFLICT (entity_type, id) DO UPDATE
           SET account_id = EXCLUDED.account_id, version = EXCLUDED.version, deleted = EXCLUDED.deleted,
               data = EXCLUDED.data,
               updated_at = EXCLUDED.updated_at, received_at = now(),
               created_at = coalesce(config_entity.created_at, EXCLUDED.created_at)
         WHERE config_entity.version < EXCLUDED.version
         RETURNING entity_type, id, account_id, deleted, data, created_at`,
      [JSON.stringify(rows)],
    );
    const prev = new Map(before.map((b) => [b.id, b]));
    const changes: PlacementChange[] = [];
    for (const row of applied) {
      if (row.entity_type !== 'pixel') continue;
      const old = prev.get(row.id);
      const previous = old && !old.deleted ? toPixelPlacement(old) : null;
      const current = row.deleted ? null : toPixelPlacement(row);
      if (!current && !previous) continue;
      const backfillDays = current ? backfillDaysOf(row.data) : 0;
      if (current && previous && targetingKey(current) === targetingKey(previous) && !backfillDays) continue;
      changes.push({
        configId: row.id,
        accountId: row.account_id,
        current,
        previous,
        createdAt: new Date(row.created_at),
        backfillDays,
      });
    }
    return changes;
  }

  /** A compaction tombstone (null value) for `<entity_type>:<id>`: the entity is gone. Returns a removed placement. */
  async tombstone(entityType: string, id: string): Promise<PlacementChange | null> {
    const before: Array<{ id: string; account_id: string; deleted: boolean; data: unknown; created_at: Date | null }> =
      await this.ds.query(
        `SELECT id, account_id, deleted, data, created_at FROM config_entity WHERE entity_type = $1 AND id = $2`,
        [entityType, id],
      );
    await this.ds.query(
      `UPDATE config_entity SET deleted = true, received_at = now() WHERE entity_type = $1 AND id = $2`,
      [entityType, id],
    );
    const old = before[0];
    const previous = entityType === 'pixel' && old && !old.deleted ? toPixelPlacement(old) : null;
    if (!old || !previous) return null;
    return {
      configId: id,
      accountId: old.account_id,
      current: null,
      previous,
      createdAt: new Date(old.created_at ?? Date.now()),
      backfillDays: 0,
    };
  }

  /** Every live pixel placement of these accounts. */
  async pixelsFor(accountIds: string[], tx?: EntityManager): Promise<PixelPlacement[]> {
    if (!accountIds.length) return [];
    const rows: Array<{ id: string; account_id: string; data: unknown }> = await (tx ?? this.ds.manager).query(
      `SELECT id, account_id, data FROM config_entity WHERE entity_type = 'pixel' AND NOT deleted AND ` +
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
      `SELECT id, account_id, data FROM config_entity WHERE entity_type = 'pixel' AND NOT deleted AND id = $1`,
      [configId],
    );
    return rows[0] ? toPixelPlacement(rows[0]) : null;
  }

  /** Offer URL (event_source_url fallback) and its offer source's default currency, by offer id. */
  async offers(offerIds: string[]): Promise<Map<string, OfferInfo>> {
    const out = new Map<string, OfferInfo>();
    if (!offerIds.length) return out;
    const rows: Array<{ id: string; data: unknown; source: unknown }> = await this.ds.query(
      `SELECT o.id, o.data, s.data AS source
         FROM config_entity o
         LEFT JOIN config_entity s ON s.entity_type = 'offer_source' AND NOT s.deleted AND s.id =
           o.data->>'offer_source_id'
        WHERE o.entity_type = 'offer' AND NOT o.deleted AND o.id = ANY($1::text[])`,
      [[...new Set(offerIds)]],
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
