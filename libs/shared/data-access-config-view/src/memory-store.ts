import type { ConfigEntry, ConfigViewStore } from './config-view.types';
import { replaces } from './config-view.types';

/** A config view in this process's memory (rebuilt by replay at every start). Reads are synchronous. */
export class MemoryConfigViewStore implements ConfigViewStore {
  private readonly map = new Map<string, ConfigEntry>();

  entries(keys: string[]): Promise<Map<string, ConfigEntry>> {
    const out = new Map<string, ConfigEntry>();
    for (const k of keys) {
      const e = this.map.get(k);
      if (e) out.set(k, e);
    }
    return Promise.resolve(out);
  }

  write(entries: ConfigEntry[]): Promise<ConfigEntry[]> {
    const written: ConfigEntry[] = [];
    for (const e of entries) {
      if (!replaces(this.map.get(e.key), e)) continue;
      this.map.set(e.key, Object.freeze({ ...e }));
      written.push(e);
    }
    return Promise.resolve(written);
  }

  /** The entry of a key, deleted or not. */
  get(key: string): ConfigEntry | undefined {
    return this.map.get(key);
  }

  /** The live (not deleted) entry of a key. */
  live(key: string): ConfigEntry | undefined {
    const e = this.map.get(key);
    return e && !e.deleted ? e : undefined;
  }

  /** Every entry, deleted ones too. */
  values(): IterableIterator<ConfigEntry> {
    return this.map.values();
  }

  get size(): number {
    return this.map.size;
  }
}
