import { randomBytes, randomUUID, createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import {
  ClickRecordedV1,
  ConfigEntityV1,
  DeliveryResultV1,
  TOPICS,
  topicName,
  type TopicName,
} from '@snaptrack/contracts-events';
import { createConsumer, createKafka, createProducer } from '@snaptrack/util-kafka';
import { createLogger } from '@snaptrack/util-logger';
import { KAFKA_BROKERS, uniqueName, waitFor } from '@snaptrack/util-testing';
import type { DataSource } from 'typeorm';

/** Small factories for the messages other services would publish; tests publish them to the suite's prefixed topics. */

export const randomId = (prefix = '') => `${prefix}${randomBytes(6).toString('hex')}`;

export function clickValue(accountId: string, overrides: Partial<ClickRecordedV1.Value> = {}): ClickRecordedV1.Value {
  return {
    schema: 'click.recorded.v1',
    click_id: randomId('clk'),
    account_id: accountId,
    campaign_id: 'cmp-1',
    traffic_channel_id: 'tc-1',
    traffic_channel_template: 'snapchat',
    offer_id: 'off-1',
    offer_source_id: 'os-1',
    tracking_method: 'direct',
    sc_click_id: 'sc-' + randomId(),
    ip: '203.0.113.7',
    user_agent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)',
    referrer: null,
    landing_url: 'https://shop.example.com/landing?sub1=abc',
    params: { sub1: 'abc', ScCid: 'sc' },
    clicked_at: new Date().toISOString(),
    ...overrides,
  };
}

export function entity<T extends ConfigEntityV1.EntityType>(
  type: T,
  id: string,
  accountId: string,
  data: ConfigEntityV1.DataByType[T] | null,
  version = 1,
  deleted = false,
): ConfigEntityV1.Value {
  return {
    schema: 'config.entity.v1',
    entity_type: type,
    id,
    account_id: accountId,
    version,
    deleted,
    updated_at: new Date().toISOString(),
    data,
  } as ConfigEntityV1.Value;
}

export const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export interface CollectedMessage {
  key: string | null;
  value: any;
  headers: Record<string, string>;
}

/** A producer and ad-hoc collectors on the suite's prefixed topics. */
export class TestBus {
  private consumers: Consumer[] = [];
  private constructor(
    readonly prefix: string,
    private readonly kafka: Kafka,
    private readonly producer: Producer,
  ) {}

  static async connect(prefix: string): Promise<TestBus> {
    const kafka = createKafka({
      brokers: KAFKA_BROKERS,
      clientId: 'conversion-service-test',
      logger: createLogger('test', 'error'),
    });
    const producer = createProducer(kafka);
    await producer.connect();
    return new TestBus(prefix, kafka, producer);
  }

  topic(t: TopicName): string {
    return topicName(this.prefix, t);
  }

  /** value: an object (JSON-encoded), a raw string/Buffer, or null (tombstone). */
  async publish(t: TopicName, key: string | null, value: unknown, headers?: Record<string, string>): Promise<void> {
    const encoded =
      value === null ? null : typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value);
    await this.producer.send({ topic: this.topic(t), acks: -1, messages: [{ key, value: encoded as any, headers }] });
  }

  publishClick(click: ClickRecordedV1.Value, headers?: Record<string, string>): Promise<void> {
    return this.publish(TOPICS.clickRecordedV1, click.click_id, ClickRecordedV1.contract.assert(click), headers);
  }

  async publishConfig(...values: ConfigEntityV1.Value[]): Promise<void> {
    await this.producer.send({
      topic: this.topic(TOPICS.configEntityV1),
      acks: -1,
      messages: values.map((v) => ({
        key: ConfigEntityV1.keyOf(v),
        value: JSON.stringify(ConfigEntityV1.contract.assert(v)),
      })),
    });
  }

  publishDeliveryResult(v: DeliveryResultV1.Value): Promise<void> {
    return this.publish(TOPICS.deliveryResultV1, v.conversion_id, DeliveryResultV1.contract.assert(v));
  }

  /** Collects every message of a topic from the beginning (own consumer group). */
  async collect(t: TopicName): Promise<CollectedMessage[]> {
    const out: CollectedMessage[] = [];
    const consumer = createConsumer(this.kafka, { groupId: uniqueName('collector') });
    this.consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic(t), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const raw = message.value?.toString('utf8') ?? null;
        let value: unknown = raw;
        try {
          value = raw === null ? null : JSON.parse(raw);
        } catch {
          /* keep the raw text */
        }
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        out.push({ key: message.key?.toString('utf8') ?? null, value, headers });
      },
    });
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.disconnect().catch(() => undefined)));
    await this.producer.disconnect();
  }
}

export interface SeededAccount {
  accountId: string;
  host: string;
  types: { lead: string; purchase: string; deposit: string };
  offerSourceId: string;
  offerId: string;
  tokenOfferSourceId: string;
  tokenOfferId: string;
  token: string;
  /** Postback secret of the first offer source (Network A). */
  secret: string;
  pixelConfigId: string;
}

/** An offer source entity with a postback secret required, as config-service publishes it since postback secrets. */
export function offerSourceData(
  over: Partial<ConfigEntityV1.OfferSourceData> & { secret?: string | null } = {},
): ConfigEntityV1.OfferSourceData {
  const { secret, ...rest } = over;
  return {
    name: 'Network',
    params: { click_id: 'clickid', payout: 'sum', type: 'type', event_id: 'eventid', currency: 'currency' },
    roles: [],
    postback_token_sha256: secret ? sha256(secret) : null,
    previous_postback_token_sha256: null,
    previous_postback_token_expires_at: null,
    accept_unsigned_postbacks: !secret,
    click_expiration_days: 30,
    default_currency: 'USD',
    default_phone_country: null,
    ...rest,
  };
}

/** A random postback secret like config-service makes. */
export const newSecret = () => `pbs_${randomBytes(24).toString('base64url')}`;

/**
 * One account's configuration as config-service would publish it: three conversion types (one per duplicate
 * policy; "Lead" is the default), an offer source with default parameter names plus a configured role parameter
 * and a required postback secret, a second offer source that requires a postback token (published before postback
 * secrets: no accept_unsigned_postbacks field), offers, a tracking domain and a pixel.
 */
export async function seedAccount(bus: TestBus, ds: DataSource, accountId = randomId('acc-')): Promise<SeededAccount> {
  const s: SeededAccount = {
    accountId,
    host: `${randomId('trk')}.example.com`,
    types: { lead: randomId('ct-'), purchase: randomId('ct-'), deposit: randomId('ct-') },
    offerSourceId: randomId('os-'),
    offerId: randomId('off-'),
    tokenOfferSourceId: randomId('os-'),
    tokenOfferId: randomId('off-'),
    token: 'secret-' + randomId(),
    secret: newSecret(),
    pixelConfigId: randomId('px-'),
  };
  const params = { click_id: 'clickid', payout: 'sum', type: 'type', event_id: 'eventid', currency: 'currency' };
  const values = [
    entity('conversion_type', s.types.lead, accountId, {
      name: 'Lead',
      duplicate_policy: 'ignore_same_click',
      is_default: true,
    }),
    entity('conversion_type', s.types.purchase, accountId, {
      name: 'Purchase',
      duplicate_policy: 'ignore_same_event_id',
      is_default: false,
    }),
    entity('conversion_type', s.types.deposit, accountId, {
      name: 'Deposit',
      duplicate_policy: 'create',
      is_default: false,
    }),
    entity('offer_source', s.offerSourceId, accountId, {
      name: 'Network A',
      params,
      roles: [{ param: 'p_city', role: 'city' }],
      postback_token_sha256: sha256(s.secret),
      accept_unsigned_postbacks: false,
      click_expiration_days: 7,
      default_currency: 'EUR',
      default_phone_country: 'US',
    }),
    entity('offer', s.offerId, accountId, {
      name: 'Offer A',
      url: 'https://shop.example.com/',
      offer_source_id: s.offerSourceId,
    }),
    entity('offer_source', s.tokenOfferSourceId, accountId, {
      name: 'Network B',
      params,
      roles: [],
      postback_token_sha256: sha256(s.token),
      click_expiration_days: 30,
      default_currency: 'USD',
      default_phone_country: null,
    }),
    entity('offer', s.tokenOfferId, accountId, {
      name: 'Offer B',
      url: 'https://shop.example.com/b',
      offer_source_id: s.tokenOfferSourceId,
    }),
    entity('tracking_domain', randomId('td-'), accountId, { hostname: s.host, is_default: true, verified: true }),
    entity('pixel', s.pixelConfigId, accountId, {
      pixel_id: randomUUID(),
      placement: { kind: 'channel', traffic_channel_id: 'tc-1' },
      token: null,
      test_mode: true,
      limited_data_use: false,
      event_mapping: {},
    }),
  ];
  await bus.publishConfig(...values);
  await waitFor(
    async () => {
      const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM config_entity WHERE account_id = $1`, [accountId]);
      return n === values.length;
    },
    { what: `config view of ${accountId}` },
  );
  return s;
}

/** A click of the seeded account, published and waited for in the view. */
export async function publishClickAndWait(
  bus: TestBus,
  ds: DataSource,
  click: ClickRecordedV1.Value,
): Promise<ClickRecordedV1.Value> {
  await bus.publishClick(click);
  await waitFor(
    async () => (await ds.query(`SELECT 1 FROM click_view WHERE click_id = $1`, [click.click_id])).length > 0,
    { what: `click ${click.click_id} in the view` },
  );
  return click;
}

/** A raw HTTP request (node:http, so the Host header and the exact request target are ours to choose). */
export function rawRequest(
  baseUrl: string,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string },
): Promise<{ status: number; body: any }> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: u.hostname,
        port: u.port,
        method: opts.method ?? 'GET',
        path: opts.path,
        headers: {
          ...(opts.body !== undefined ? { 'content-length': String(Buffer.byteLength(opts.body)) } : {}),
          ...opts.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** A postback; `params` carries the secret (`secret: acc.secret`) like the network's URL does. */
export function postback(
  baseUrl: string,
  params: Record<string, string>,
  opts: { method?: 'GET' | 'POST'; json?: boolean; host?: string } = {},
) {
  const headers: Record<string, string> = opts.host ? { host: opts.host } : {};
  if ((opts.method ?? 'GET') === 'GET')
    return rawRequest(baseUrl, { path: `/postback?${new URLSearchParams(params)}`, headers });
  if (opts.json)
    return rawRequest(baseUrl, {
      method: 'POST',
      path: '/postback',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
  return rawRequest(baseUrl, {
    method: 'POST',
    path: '/postback',
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
}

/** Row counts of every table a postback may write. */
export async function stateCounts(ds: DataSource): Promise<Record<string, number>> {
  const [row] = await ds.query(`SELECT
    (SELECT count(*)::int FROM conversion) AS conversion,
    (SELECT count(*)::int FROM pending_postback) AS pending_postback,
    (SELECT count(*)::int FROM outbox_message) AS outbox_message,
    (SELECT count(*)::int FROM postback_request) AS postback_request`);
  return row;
}
