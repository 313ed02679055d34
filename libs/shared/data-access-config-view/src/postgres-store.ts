import type { ConfigEntityV1 } from '@snaptrack/contracts-events';
import type { ConfigEntry, ConfigViewStore } from './config-view.types';

/** Anything that runs SQL: a TypeORM DataSource, EntityManager or QueryRunner. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** The default table of {@link PostgresConfigViewStore} (created by {@link CreateConfigView1797000000000}). */
export const CONFIG_VIEW_TABLE = 'config_view_entity';

/** The table shape every Postgres config view uses (see {@link configViewTableSql}). */
export interface ConfigViewRow {
  key: string;
  entity_type: string;
  entity_id: string;
  account_id: string;
  version: string;
  deleted: boolean;
  data: unknown;
  updated_at: Date | string;
}

/** DDL of a config view table named `table` (the shared shape; indexes for lookups by account and by type). */
export function configViewTableSql(table: string): string[] {
  const t = ident(table);
  return [
    `CREATE TABLE ${t} (
      key text PRIMARY KEY,
      entity_type text NOT NULL,
      entity_id text NOT NULL,
      account_id text NOT NULL,
      version bigint NOT NULL,
      deleted boolean NOT NULL,
      data jsonb NULL,
      updated_at timestamptz NOT NULL
    )`,
    `CREATE INDEX ${ident(`${table}_by_account`)} ON ${t} (entity_type, account_id) WHERE NOT deleted`,
  ];
}

/**
 * A config view in a Postgres table of the shape of {@link configViewTableSql}. `table` lets a service keep the
 * table it already had (conversion-service keeps `config_entity`).
 */
export class PostgresConfigViewStore implements ConfigViewStore {
  readonly table: string;

  constructor(
    private readonly db: Queryable,
    opts: { table?: string } = {},
  ) {
    this.table = opts.table ?? CONFIG_VIEW_TABLE;
    ident(this.table);
  }

  async entries(keys: string[]): Promise<Map<string, ConfigEntry>> {
    const out = new Map<string, ConfigEntry>();
    if (!keys.length) return out;
    const rows = (await this.db.query(
      `SELECT key, entity_type, entity_id, account_id, version, deleted, data, updated_at FROM ${ident(this.table)}
        WHERE key = ANY($1::text[])`,
      [keys],
    )) as ConfigViewRow[];
    for (const r of rows) out.set(r.key, entryOfRow(r));
    return out;
  }

  async write(entries: ConfigEntry[]): Promise<ConfigEntry[]> {
    if (!entries.length) return [];
    const t = ident(this.table);
    const rows = entries.map((e) => ({
      key: e.key,
      entity_type: e.entityType,
      entity_id: e.id,
      account_id: e.accountId,
      version: e.version,
      deleted: e.deleted,
      data: e.deleted ? null : e.data,
      updated_at: e.updatedAt,
    }));
    const written = (await this.db.query(
      `INSERT INTO ${t} AS t (key, entity_type, entity_id, account_id, version, deleted, data, updated_at)
       SELECT x.key, x.entity_type, x.entity_id, x.account_id, x.version, x.deleted, x.data, x.updated_at
         FROM jsonb_to_recordset($1::jsonb) AS x(key text, entity_type text, entity_id text, account_id text,
           version bigint, deleted boolean, data jsonb, updated_at timestamptz)
       ON CONFLICT (key) DO UPDATE SET entity_type = EXCLUDED.entity_type, entity_id = EXCLUDED.entity_id,
         account_id = EXCLUDED.account_id, version = EXCLUDED.version, deleted = EXCLUDED.deleted,
         data = EXCLUDED.data, updated_at = EXCLUDED.updated_at
       WHERE t.version < EXCLUDED.version OR (t.version = EXCLUDED.version AND EXCLUDED.deleted AND NOT t.deleted)
       RETURNING t.key`,
      [JSON.stringify(rows)],
    )) as Array<{ key: string }>;
    const stored = new Set(written.map((w) => w.key));
    return entries.filter((e) => stored.has(e.key));
  }
}

export function entryOfRow(r: ConfigViewRow): ConfigEntry {
  return {
    key: r.key,
    entityType: r.entity_type as ConfigEntityV1.EntityType,
    id: r.entity_id,
    accountId: r.account_id,
    version: Number(r.version),
    deleted: r.deleted,
    data: r.data ?? null,
    updatedAt: r.updated_at instanceof Date ? r.updated_at.toISOString() : String(r.updated_at),
  };
}

function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain table name: ${name}`);
  return name;
}
