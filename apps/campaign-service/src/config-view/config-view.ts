import { ConfigEntityV1 } from '@snaptrack/contracts-events';
import {
  type ConfigChange,
  type ConfigEntry,
  MemoryConfigViewStore,
  applyRecords,
} from '@snaptrack/data-access-config-view';

export type TrafficChannelView = ConfigEntityV1.TrafficChannelData & { id: string; accountId: string };
export type OfferView = ConfigEntityV1.OfferData & { id: string; accountId: string };
export type TrackingDomainView = ConfigEntityV1.TrackingDomainData & { id: string; accountId: string };

/** Entity types this service keeps; everything else on config.entity.v1 is ignored. */
export const KEPT: ReadonlySet<ConfigEntityV1.EntityType> = new Set(['traffic_channel', 'offer', 'tracking_domain']);

/**
 * The lookups campaign-service needs over its in-memory config view. The view itself (a MemoryConfigViewStore) is
 * fed by the shared ConfigViewConsumer (@snaptrack/data-access-config-view) with its apply rules: per key the newest
 * `version` wins, a deleted entity stays as a deleted entry so an older version replayed later cannot resurrect it.
 */
export class ConfigView {
  readonly store = new MemoryConfigViewStore();
  /** Live tracking domains by lowercase hostname, across accounts; rebuilt on the next lookup after a change. */
  private hosts: Map<string, TrackingDomainView> | null = null;

  /** The consumer's after-apply hook: a changed tracking domain empties the host index. */
  readonly onApplied = (changes: ConfigChange[]): void => {
    if (changes.some((c) => c.current.entityType === 'tracking_domain')) this.hosts = null;
  };

  /**
   * Applies one decoded value with the shared rules (tools and tests; the consumer applies whole batches). Resolves
   * false when it was not kept or older than what the view holds.
   */
  async apply(value: ConfigEntityV1.Value): Promise<boolean> {
    if (!KEPT.has(value.entity_type)) return false;
    const changes = await applyRecords(this.store, [
      { key: ConfigEntityV1.keyOf(value), value, partition: 0, offset: '0' },
    ]);
    this.onApplied(changes);
    return changes.length > 0;
  }

  /** A Kafka tombstone (null value) on the compacted topic: the entity is gone (its version is remembered). */
  async forget(key: string): Promise<void> {
    this.onApplied(await applyRecords(this.store, [{ key, value: null, partition: 0, offset: '0' }]));
  }

  /** Entries held, deleted ones included. */
  get size(): number {
    return this.store.size;
  }

  private live<T extends ConfigEntityV1.EntityType>(type: T, id: string, accountId: string): ConfigEntry | undefined {
    const e = this.store.live(`${type}:${id}`);
    return e && e.entityType === type && e.data && e.accountId === accountId ? e : undefined;
  }

  trafficChannel(id: string, accountId: string): TrafficChannelView | undefined {
    const v = this.live('traffic_channel', id, accountId);
    return v ? { ...(v.data as ConfigEntityV1.TrafficChannelData), id: v.id, accountId: v.accountId } : undefined;
  }

  offer(id: string, accountId: string): OfferView | undefined {
    const v = this.live('offer', id, accountId);
    return v ? { ...(v.data as ConfigEntityV1.OfferData), id: v.id, accountId: v.accountId } : undefined;
  }

  trackingDomains(accountId: string): TrackingDomainView[] {
    const out: TrackingDomainView[] = [];
    for (const v of this.store.values()) {
      if (v.entityType === 'tracking_domain' && !v.deleted && v.data && v.accountId === accountId) {
        out.push({ ...(v.data as ConfigEntityV1.TrackingDomainData), id: v.id, accountId: v.accountId });
      }
    }
    return out;
  }

  trackingDomainByHost(hostname: string, accountId: string): TrackingDomainView | undefined {
    const wanted = hostname.toLowerCase();
    return this.trackingDomains(accountId).find((d) => d.hostname.toLowerCase() === wanted);
  }

  /**
   * The tracking domain a request's Host names, whatever the account (config-service keeps hostnames unique across
   * accounts; should a stale entry share a hostname, a verified one wins). Undefined when the host is no tracking
   * domain (e.g. the installation's PUBLIC_TRACKING_URL host).
   */
  trackingDomainForHost(hostname: string): TrackingDomainView | undefined {
    if (!this.hosts) {
      const hosts = new Map<string, TrackingDomainView>();
      for (const v of this.store.values()) {
        if (v.entityType !== 'tracking_domain' || v.deleted || !v.data) continue;
        const d = { ...(v.data as ConfigEntityV1.TrackingDomainData), id: v.id, accountId: v.accountId };
        const host = d.hostname.toLowerCase();
        const seen = hosts.get(host);
        if (!seen || (d.verified === true && seen.verified !== true)) hosts.set(host, d);
      }
      this.hosts = hosts;
    }
    return this.hosts.get(hostname.toLowerCase());
  }

  /**
   * Waits up to `timeoutMs` for `find()` to return something (a mutation may name an entity config-service has only
   * just published). Polls the in-memory view; no I/O.
   */
  async waitFor<T>(find: () => T | undefined, timeoutMs: number, intervalMs = 50): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined || Date.now() >= deadline) return found;
      await new Promise((r) => setTimeout(r, Math.min(intervalMs, Math.max(1, deadline - Date.now()))));
    }
  }
}

/** Checks the `data` shapes this service relies on beyond the generic envelope contract; returns a problem or null. */
export function dataProblem(value: ConfigEntityV1.Value): string | null {
  if (value.deleted) return null;
  if (!KEPT.has(value.entity_type)) return null;
  const d = value.data as Record<string, unknown> | null;
  if (!d) return `${value.entity_type} without data and not deleted`;
  switch (value.entity_type) {
    case 'traffic_channel': {
      if (typeof d.template !== 'string') return 'traffic_channel.data.template must be a string';
      if (d.click_id_param !== null && typeof d.click_id_param !== 'string')
        return 'traffic_channel.data.click_id_param must be a string or null';
      const params = d.parameters;
      if (
        !Array.isArray(params) ||
        !params.every((p) => p && typeof p.name === 'string' && typeof p.value === 'string')
      ) {
        return 'traffic_channel.data.parameters must be [{name, value}]';
      }
      return null;
    }
    case 'offer':
      if (typeof d.url !== 'string') return 'offer.data.url must be a string';
      if (typeof d.offer_source_id !== 'string') return 'offer.data.offer_source_id must be a string';
      return null;
    case 'tracking_domain':
      if (typeof d.hostname !== 'string' || !d.hostname)
        return 'tracking_domain.data.hostname must be a non-empty string';
      if (d.verified !== undefined && d.verified !== null && typeof d.verified !== 'boolean')
        return 'tracking_domain.data.verified must be a boolean when present';
      return null;
    default:
      return null;
  }
}
