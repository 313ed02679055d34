import 'reflect-metadata';
import { buildFederatedSchema, startSubgraphHttp } from '@snaptrack/util-federation';
import { createKafka, createProducer, ensureTopics, kafkaReachable } from '@snaptrack/util-kafka';
import { createLogger } from '@snaptrack/util-logger';
import { dbReachable, openDatabase } from '@snaptrack/util-db';
import { OutboxRelay } from '@snaptrack/data-access-outbox';
import { topicSpecsWithPrefix } from '@snaptrack/contracts-events';
import type { DataSource } from 'typeorm';
import type { ConfigServiceConfig } from './config';
import { createConfigDataSource } from './data-source';
import { referenceResolvers, resolvers } from './schema';

export interface RunningConfigService {
  url: string;
  port: number;
  ds: DataSource;
  relay: OutboxRelay;
  stop(): Promise<void>;
}

/** Wires config → database → Kafka → schema → HTTP. Tests call this in-process with port 0. */
export async function startServer(config: ConfigServiceConfig): Promise<RunningConfigService> {
  const log = createLogger('config-service', config.logLevel);
  const ds = await openDatabase(createConfigDataSource(config.databaseUrl));
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'config-service', logger: log });
  await ensureTopics(kafka, topicSpecsWithPrefix(config.kafkaTopicPrefix ?? ''));
  const producer = createProducer(kafka);
  await producer.connect();
  const relay = new OutboxRelay(ds, producer, log);
  relay.start();

  const services = new Map<Function, unknown>();
  const schema = await buildFederatedSchema(
    { resolvers, container: { get: (cls) => services.get(cls) ?? new (cls as new () => unknown)() }, validate: false },
    referenceResolvers,
  );
  const http = await startSubgraphHttp({
    schema,
    log,
    port: config.port,
    host: config.host,
    internalAuthSecret: config.internalAuthSecret,
    introspection: config.introspection,
    probes: [
      { name: 'database', check: () => dbReachable(ds) },
      { name: 'kafka', check: () => kafkaReachable(kafka) },
    ],
  });
  log.info('config-service listening', { url: http.url });
  return {
    url: http.url,
    port: http.port,
    ds,
    relay,
    stop: async () => {
      await http.close();
      await relay.stop();
      await producer.disconnect();
      await ds.destroy();
      log.info('config-service stopped');
    },
  };
}
