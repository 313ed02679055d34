/* Starts the dispatcher in-process against the real broker, a fresh database and an in-process Snap CAPI sandbox. */
import { Client } from 'pg';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import {
  TOPICS,
  topicName,
  topicSpecsWithPrefix,
  type ConfigEntityV1,
  type ConversionCreatedV1,
  type DeliveryCommandV1,
} from '@snaptrack/contracts-events';
import { createConsumer, createKafka, createProducer, ensureTopics } from '@snaptrack/util-kafka';
import { createLogger } from '@snaptrack/util-logger';
import {
  KAFKA_BROKERS,
  TEST_TOKEN_KEYS,
  createTestDatabase,
  uniqueName,
  uniqueTopicPrefix,
  waitFor,
} from '@snaptrack/util-testing';
import { startSandbox, type Sandbox, type SandboxOptions } from '@snaptrack/snap-capi-sandbox';
import { loadDispatcherConfig, type DispatcherConfig } from '../src/config';
import { startDispatcher, type RunningDispatcher } from '../src/dispatcher';

export interface LedgerRow {
  conversion_id: string;
  pixel_id: string;
  status: string;
  attempts: number;
  event_id: string;
  event_name: string | null;
  http_status: number | null;
  reason_code: string | null;
  message: string | null;
  placements: string[];
  test_mode: boolean;
  command_id: string | null;
  revision: number;
}

export interface Harness {
  config: DispatcherConfig;
  sandbox: Sandbox;
  kafka: Kafka;
  producer: Producer;
  prefix: string;
  databaseUrl: string;
  app: RunningDispatcher | null;
  start(overrides?: Partial<DispatcherConfig>): Promise<RunningDispatcher>;
  stopApp(): Promise<void>;
  publishConfig(...values: ConfigEntityV1.Value[]): Promise<void>;
  /** Publishes config and waits until the running dispatcher's view holds those versions. */
  applyConfig(...values: ConfigEntityV1.Value[]): Promise<void>;
  publishConversions(values: ConversionCreatedV1.Value[]): Promise<void>;
  publishCommand(value: DeliveryCommandV1.Value): Promise<void>;
  publishRaw(topic: string, key: string, value: string | null): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  ledger(where?: string, params?: unknown[]): Promise<LedgerRow[]>;
  waitForLedger(what: string, check: (rows: LedgerRow[]) => boolean, timeoutMs?: number): Promise<LedgerRow[]>;
  /** Waits until the dispatcher's group has committed everything published on a topic so far (consumed and handled). */
  waitForConsumed(topic: (typeof TOPICS)[keyof typeof TOPICS]): Promise<void>;
  /** Collects every message of a topic (from the beginning) into an array. */
  collect(
    topic: (typeof TOPICS)[keyof typeof TOPICS],
  ): Promise<{ messages: Array<{ key: string | null; value: unknown }>; stop(): Promise<void> }>;
  close(): Promise<void>;
}

export async function startHarness(
  opts: { sandbox?: SandboxOptions; config?: Partial<DispatcherConfig> } = {},
): Promise<Harness> {
  const db = await createTestDatabase('dispatcher');
  const prefix = uniqueTopicPrefix();
  const sandbox = await startSandbox({ port: 0, strictPixels: true, ...opts.sandbox });
  const log = createLogger('dispatcher-test', 'error');
  const kafka = createKafka({ brokers: KAFKA_BROKERS, clientId: 'dispatcher-test', logger: log });
  await ensureTopics(kafka, topicSpecsWithPrefix(prefix));
  const producer = createProducer(kafka);
  await producer.connect();
  const pg = new Client({ connectionString: db.url });
  let pgConnected = false;
  const collectors: Consumer[] = [];

  const config = loadDispatcherConfig(
    { TOKEN_ENCRYPTION_KEYS: TEST_TOKEN_KEYS, LOG_LEVEL: 'error' },
    {
      port: 0,
      databaseUrl: db.url,
      kafkaBrokers: KAFKA_BROKERS,
      kafkaTopicPrefix: prefix,
      kafkaGroupId: uniqueName('dispatcher'),
      snapCapiBaseUrl: sandbox.url,
      retryBaseMs: 200,
      retryMaxDelayMs: 2000,
      senderPollMs: 100,
      requestTimeoutMs: 3000,
      sendLeaseMs: 10000,
      configCatchUpTimeoutMs: 20000,
      ...opts.config,
    },
  );

  const send = async (topic: string, messages: Array<{ key: string | null; value: string | null }>) => {
    for (let i = 0; i < messages.length; i += 500) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 500) });
    }
  };
  const query = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
    if (!pgConnected) {
      await pg.connect();
      pgConnected = true;
    }
    return (await pg.query(sql, params)).rows as T[];
  };

  const h: Harness = {
    config,
    sandbox,
    kafka,
    producer,
    prefix,
    databaseUrl: db.url,
    app: null,
    async start(overrides = {}) {
      h.app = await startDispatcher({ ...config, ...overrides });
      return h.app;
    },
    async stopApp() {
      await h.app?.stop();
      h.app = null;
    },
    async publishConfig(...values) {
      await send(
        topicName(prefix, TOPICS.configEntityV1),
        values.map((v) => ({ key: `${v.entity_type}:${v.id}`, value: JSON.stringify(v) })),
      );
    },
    async applyConfig(...values) {
      await h.publishConfig(...values);
      await waitFor(
        async () => {
          const rows = await query<{ n: number }>(
            `SELECT count(*)::int AS n FROM config_entity x
               JOIN jsonb_to_recordset($1::jsonb) AS v(entity_type text, id text, version bigint)
                 ON x.entity_type = v.entity_type AND x.entity_id = v.id
              WHERE x.version >= v.version`,
            [JSON.stringify(values.map((v) => ({ entity_type: v.entity_type, id: v.id, version: v.version })))],
          );
          return rows[0]!.n === values.length;
        },
        { what: 'config view to apply the published entities', timeoutMs: 20000 },
      );
    },
    async publishConversions(values) {
      await send(
        topicName(prefix, TOPICS.conversionCreatedV1),
        values.map((v) => ({ key: v.conversion_id, value: JSON.stringify(v) })),
      );
    },
    async publishCommand(value) {
      await send(topicName(prefix, TOPICS.deliveryCommandV1), [
        { key: value.account_id, value: JSON.stringify(value) },
      ]);
    },
    async publishRaw(topic, key, value) {
      await send(topic, [{ key, value }]);
    },
    query,
    async ledger(where = 'true', params = []) {
      return query<LedgerRow>(
        `SELECT conversion_id, pixel_id, status, attempts, event_id, event_name, http_status, reason_code, message,
           placements, test_mode, command_id, revision
           FROM delivery WHERE ${where} ORDER BY id`,
        params,
      );
    },
    async waitForLedger(what, check, timeoutMs = 30000) {
      let last: LedgerRow[] = [];
      try {
        await waitFor(
          async () => {
            last = await h.ledger();
            return check(last);
          },
          { what, timeoutMs, intervalMs: 100 },
        );
      } catch (e) {
        const summary = last.reduce<Record<string, number>>(
          (acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }),
          {},
        );
        throw new Error(`${(e as Error).message}; ledger: ${JSON.stringify(summary)}`);
      }
      return last;
    },
    async waitForConsumed(topic) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const name = topicName(prefix, topic);
        await waitFor(
          async () => {
            const ends = await admin.fetchTopicOffsets(name);
            const [committed] = await admin.fetchOffsets({ groupId: config.kafkaGroupId, topics: [name] });
            const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
            return ends.every((e) => Number(e.high) === Number(e.low) || (at.get(e.partition) ?? -1) >= Number(e.high));
          },
          { what: `${topic} consumed`, timeoutMs: 20000, intervalMs: 200 },
        );
      } finally {
        await admin.disconnect();
      }
    },
    async collect(topic) {
      const messages: Array<{ key: string | null; value: unknown }> = [];
      const consumer = createConsumer(kafka, { groupId: uniqueName('collector') });
      collectors.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topics: [topicName(prefix, topic)], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          messages.push({
            key: message.key?.toString() ?? null,
            value: message.value ? JSON.parse(message.value.toString()) : null,
          });
        },
      });
      return { messages, stop: () => consumer.disconnect() };
    },
    async close() {
      await h.app?.stop().catch(() => undefined);
      for (const c of collectors) await c.disconnect().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      if (pgConnected) await pg.end().catch(() => undefined);
      await sandbox.stop().catch(() => undefined);
      await db.drop().catch(() => undefined);
    },
  };
  return h;
}

/** Counts at the sandbox: accepted events per pixel, distinct (pixel, event_id), raw duplicates. */
export function sandboxCounts(sandbox: Sandbox, pixelId?: string) {
  const events = sandbox.store.events(pixelId ? { pixelId: pixelId.toLowerCase() } : {});
  const distinct = new Set(events.map((e) => `${e.pixel_id}|${e.event_id}`));
  return { accepted: events.length, distinct: distinct.size, duplicates: events.length - distinct.size, events };
}
