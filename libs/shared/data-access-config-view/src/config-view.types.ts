import type { ConfigEntityV1 } from '@snaptrack/contracts-events';

/**
 * What a config view holds per key (`<entity_type>:<id>`): the newest version applied. A removed entity stays as a
 * deleted entry with the version that removed it, so an older value replayed later cannot bring it back.
 */
export interface ConfigEntry {
  key: string;
  entityType: ConfigEntityV1.EntityType;
  id: string;
  accountId: string;
  version: number;
  deleted: boolean;
  /** Null when deleted. */
  data: unknown;
  /** ISO 8601 (`updated_at` of the version applied). */
  updatedAt: string;
}

/** One record of config.entity.v1 as it reaches the apply rules; `value: null` is a Kafka tombstone. */
export interface ConfigRecord {
  key: string;
  value: ConfigEntityV1.Value | null;
  partition: number;
  offset: string;
}

/** A key whose stored entry changed; `current.deleted` means the entity was removed. */
export interface ConfigChange {
  key: string;
  /** The entry before (deleted ones included), or null when the key was unknown. */
  previous: ConfigEntry | null;
  current: ConfigEntry;
}

/**
 * Storage port of a config view. The apply rules (see `applyRecords`) decide; the store only reads entries and writes
 * them conditionally, so two writers racing on one key still keep the newest.
 */
export interface ConfigViewStore {
  /** The stored entries of these keys (deleted ones too); unknown keys are absent from the map. */
  entries(keys: string[]): Promise<Map<string, ConfigEntry>>;
  /**
   * Stores each entry unless the stored one is at least as new: a higher version replaces, and an equal version
   * replaces only to delete a live entry (a Kafka tombstone keeps the version it removed). Returns those stored.
   */
  write(entries: ConfigEntry[]): Promise<ConfigEntry[]>;
}

export const entryOf = (v: ConfigEntityV1.Value): ConfigEntry => ({
  key: `${v.entity_type}:${v.id}`,
  entityType: v.entity_type,
  id: v.id,
  accountId: v.account_id,
  version: v.version,
  deleted: v.deleted,
  data: v.deleted ? null : v.data,
  updatedAt: v.updated_at,
});

/** Whether `next` may replace `stored` under the rule of {@link ConfigViewStore.write}. */
export const replaces = (stored: ConfigEntry | undefined | null, next: ConfigEntry): boolean =>
  !stored || stored.version < next.version || (stored.version === next.version && next.deleted && !stored.deleted);
