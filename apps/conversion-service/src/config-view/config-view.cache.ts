export interface ConfigViewCacheOptions {
  /** How long an entry is served; 0 disables the cache (every lookup reads the view). */
  ttlMs: number;
  /** Oldest entries are dropped beyond this (keys include request hostnames, so the size must be bounded). */
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  value: Promise<unknown>;
  expiresAt: number;
}

/**
 * Memoises reads of the config view for the postback path. Correctness rules:
 * - {@link around} wraps every write to the view: while a write is in flight lookups bypass the cache, and the cache
 *   is emptied before and after it. A load that started before a write finished is never stored (generation check),
 *   so once a write has returned, no lookup on this instance answers from older data.
 * - A change applied by another instance (its config consumer, its partitions) is seen here within `ttlMs`.
 * - Concurrent misses of one key share one read; a failed read is not kept.
 * Values are frozen: callers share them.
 */
export class ConfigViewCache {
  private readonly entries = new Map<string, Entry>();
  private generation = 0;
  private writing = 0;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(private readonly opts: ConfigViewCacheOptions) {
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (this.opts.ttlMs <= 0 || this.writing > 0) return load();
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) return hit.value as Promise<T>;
    if (hit) this.entries.delete(key);
    const generation = this.generation;
    const value = load().then(deepFreeze);
    const entry: Entry = { value, expiresAt: now + this.opts.ttlMs };
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    const drop = () => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    };
    value.then(() => {
      if (generation !== this.generation) drop();
    }, drop);
    return value;
  }

  /** Runs a write to the config view; see the class comment. */
  async around<T>(write: () => Promise<T>): Promise<T> {
    this.writing++;
    this.invalidate();
    try {
      return await write();
    } finally {
      this.invalidate();
      this.writing--;
    }
  }

  invalidate(): void {
    this.generation++;
    this.entries.clear();
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}
