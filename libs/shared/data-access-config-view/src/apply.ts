import type { ConfigChange, ConfigEntry, ConfigRecord, ConfigViewStore } from './config-view.types';
import { entryOf } from './config-view.types';

/**
 * The apply rules of a config view (a KTable over the compacted config.entity.v1):
 * - per key, records are applied in offset order, whatever order the batch lists them in;
 * - a value is applied only when its version is newer than the stored one (replays and reorderings are harmless);
 * - a `deleted: true` value is stored as a deleted entry with its version;
 * - a Kafka tombstone (null value) deletes the live entry and keeps its version, so an older value that arrives later
 *   cannot resurrect it; a tombstone for an unknown or already deleted key changes nothing.
 * Returns the changes the store accepted, in key order of first appearance.
 */
export async function applyRecords(store: ConfigViewStore, records: ConfigRecord[]): Promise<ConfigChange[]> {
  if (!records.length) return [];
  const ordered = [...records].sort((a, b) =>
    a.partition !== b.partition ? a.partition - b.partition : cmpOffset(a.offset, b.offset),
  );
  const keys = [...new Set(ordered.map((r) => r.key))];
  const before = await store.entries(keys);
  const state = new Map<string, ConfigEntry>(before);
  for (const r of ordered) {
    const current = state.get(r.key);
    if (r.value === null) {
      if (current && !current.deleted) state.set(r.key, { ...current, deleted: true, data: null });
      continue;
    }
    const next = entryOf(r.value);
    if (next.key !== r.key) continue; // the message key must name the entity it carries (checked before, kept here)
    if (!current || current.version < next.version) state.set(r.key, next);
  }
  const changed: ConfigEntry[] = [];
  for (const key of keys) {
    const after = state.get(key);
    if (after && after !== before.get(key)) changed.push(after);
  }
  if (!changed.length) return [];
  const written = await store.write(changed);
  return written.map((current) => ({ key: current.key, previous: before.get(current.key) ?? null, current }));
}

function cmpOffset(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
