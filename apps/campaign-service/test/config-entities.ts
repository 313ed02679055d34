import { randomUUID } from 'node:crypto';
import { ConfigEntityV1, TOPICS, topicName } from '@snaptrack/contracts-events';
import { createKafka, createProducer } from '@snaptrack/util-kafka';
import { createLogger } from '@snaptrack/util-logger';
import { KAFKA_BROKERS } from '@snaptrack/util-testing';
import type { Producer } from 'kafkajs';

/**
 * Test factory for config-service's side of the contract: publishes config.entity.v1 messages to the suite's
 * prefixed topic the way config-service would (key `<entity_type>:<id>`, increasing versions). campaign-service
 * tests must not depend on config-service code, only on the contract.
 */
export class ConfigFixtures {
  private readonly producer: Producer;
  private readonly versions = new Map<string, number>();
  readonly topic: string;

  constructor(prefix: string) {
    this.topic = topicName(prefix, TOPICS.configEntityV1);
    this.producer = createProducer(
      createKafka({
        brokers: KAFKA_BROKERS,
        clientId: 'campaign-service-test-fixtures',
        logger: createLogger('test', 'error'),
      }),
    );
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  async publish<T extends ConfigEntityV1.EntityType>(
    type: T,
    accountId: string,
    id: string,
    data: ConfigEntityV1.DataByType[T] | null,
    opts: { deleted?: boolean; version?: number; partition?: number } = {},
  ): Promise<ConfigEntityV1.Value> {
    const key = `${type}:${id}`;
    const version = opts.version ?? (this.versions.get(key) ?? 0) + 1;
    this.versions.set(key, Math.max(version, this.versions.get(key) ?? 0));
    const value = {
      schema: 'config.entity.v1',
      entity_type: type,
      id,
      account_id: accountId,
      version,
      deleted: opts.deleted ?? false,
      updated_at: new Date().toISOString(),
      data,
    } as ConfigEntityV1.Value;
    await this.publishRaw(key, ConfigEntityV1.contract.encode(value), opts.partition);
    return value;
  }

  /** `partition` pins the message (to reason about ordering in a test); default: by key, as config-service does. */
  async publishRaw(key: string, value: string | null, partition?: number): Promise<void> {
    await this.producer.send({ topic: this.topic, acks: -1, messages: [{ key, value, partition }] });
  }

  async snapchatChannel(accountId: string, id = randomUUID()): Promise<string> {
    await this.publish('traffic_channel', accountId, id, {
      name: 'Snapchat',
      template: 'snapchat',
      click_id_param: 'ScCid',
      parameters: [
        { name: 'sub1', value: '{{campaign.id}}' },
        { name: 'sub2', value: '{{campaign.name}}' },
        { name: 'sub3', value: '{{adSet.id}}' },
        { name: 'sub4', value: '{{adSet.name}}' },
        { name: 'sub5', value: '{{ad.id}}' },
        { name: 'sub6', value: '{{creative.name}}' },
      ],
    });
    return id;
  }

  async customChannel(
    accountId: string,
    parameters: Array<{ name: string; value: string }> = [],
    id = randomUUID(),
  ): Promise<string> {
    await this.publish('traffic_channel', accountId, id, {
      name: 'Custom',
      template: 'custom',
      click_id_param: null,
      parameters,
    });
    return id;
  }

  async offer(
    accountId: string,
    url: string,
    opts: { id?: string; offerSourceId?: string; name?: string } = {},
  ): Promise<string> {
    const id = opts.id ?? randomUUID();
    await this.publish('offer', accountId, id, {
      name: opts.name ?? 'Offer',
      url,
      offer_source_id: opts.offerSourceId ?? `src-${id.slice(0, 8)}`,
    });
    return id;
  }

  /** An advertiser's website: an offer of kind `website` (its URL is the landing page, no macro). */
  async website(accountId: string, url: string, id = randomUUID()): Promise<string> {
    await this.publish('offer', accountId, id, {
      name: 'Shop',
      url,
      offer_source_id: `src-${id.slice(0, 8)}`,
      kind: 'website',
      domain: new URL(url).hostname,
      allowed_origins: [new URL(url).origin],
      conversion_secret_sha256: 'a'.repeat(64),
    });
    return id;
  }

  /** A tracking domain; verified unless `verified` says otherwise (`undefined` publishes no field, as before). */
  async trackingDomain(
    accountId: string,
    hostname: string,
    isDefault = false,
    opts: { id?: string; verified?: boolean | null | 'absent' } = {},
  ): Promise<string> {
    const id = opts.id ?? randomUUID();
    const verified = opts.verified === undefined ? true : opts.verified;
    await this.publish('tracking_domain', accountId, id, {
      hostname,
      is_default: isDefault,
      ...(verified === 'absent' ? {} : { verified }),
    });
    return id;
  }
}
