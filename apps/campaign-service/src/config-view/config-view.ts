import { ConfigEntityV1 } from '@snaptrack/contracts-events';

export type TrafficChannelView = ConfigEntityV1.TrafficChannelData & { id: string; accountId: string };
export type OfferView = ConfigEntityV1.OfferData & { id: string; accountId: string };
export type TrackingDomainView = ConfigEntityV1.TrackingDomainData & { id: string; accountId: string };

/** Entity types this service keeps; everything else on config.entity.v1 is ignored. */
const KEPT: ReadonlySet<ConfigEntityV1.EntityType> = new Set(['traffic_channel', 'offer', 'tracking_domain']);

/**
 * In-memory view of the config entities campaign-service needs, fed from the compacted config.entity.v1 topic.
 * Per key it keeps the value with the highest `version`; a `deleted: true` value stays as a tombstone so an older
 * version replayed later cannot resurrect the entity. Pure: no I/O, so it is unit-tested directly.
 */
export class ConfigView {
  private readonly entries = new Map<string, ConfigEntityV1.Value>();
  /** Live tracking domains by lowercase hostname, across accounts; rebuilt on the next lookup after a change. */
  private hosts: Map<string, TrackingDomainView> | null = null;

  /** Applies one decoded message; returns false when it was older than what the view already holds. */
  apply(value: ConfigEntityV1.Value): boolean {
    if (!KEPT.has(value.entity_type)) return false;
    const key = ConfigEntityV1.keyOf(value);
    const current = this.entries.get(key);
    if (current && current.version > value.version) return false;
    this.entries.set(key, value);
    if (value.entity_type === 'tracking_domain') this.hosts = null;
    return true;
  }

  /** A Kafka tombstone (null value) on the compacted topic: forget the key entirely. */
  forget(key: string): void {
    this.entries.delete(key);
    this.hosts = null;
  }

  get size(): number {
    return this.entries.size;
  }

  private live<T extends ConfigEntityV1.EntityType>(
    type: T,
    id: string,
    accountId: string,
  ): (ConfigEntityV1.Value & { entity_type: T }) | undefined {
    const v = this.entries.get(`${type}:${id}`);
    if (!v || v.entity_type !== type || v.deleted || !v.data || v.account_id !== accountId) return undefined;
    return v as ConfigEntityV1.Value & { entity_type: T };
  }

  trafficChannel(id: string, accountId: string): TrafficChannelView | undefined {
    const v = this.live('traffic_channel', id, accountId);
    return v ? { ...(v.data as ConfigEntityV1.TrafficChannelData), id: v.id, accountId: v.account_id } : undefined;
  }

  offer(id: string, accountId: string): OfferView | undefined {
    const v = this.live('offer', id, accountId);
    return v ? { ...(v.data as ConfigEntityV1.OfferData), id: v.id, accountId: v.account_id } : undefined;
  }

  trackingDomains(accountId: string): TrackingDomainView[] {
    const out: TrackingDomainView[] = [];
    for (const v of this.entries.values()) {
      if (v.entity_type === 'tracking_domain' && !v.deleted && v.data && v.account_id === accountId) {
        out.push({ ...(v.data as ConfigEntityV1.TrackingDomainData), id: v.id, accountId: v.account_id });
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
      for (const v of this.entries.values()) {
        if (v.entity_type !== 'tracking_domain' || v.deleted || !v.data) continue;
        const d = { ...(v.data as ConfigEntityV1.TrackingDomainData), id: v.id, accountId: v.account_id };
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
