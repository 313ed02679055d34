import 'reflect-metadata';
import { buildWiredSchema, startSubgraphHttp, type RunningSubgraph } from '@snaptrack/util-federation';
import { createKafka, createProducer, ensureTopics, kafkaReachable } from '@snaptrack/util-kafka';
import { createLogger } from '@snaptrack/util-logger';
import { dbReachable, openDatabase } from '@snaptrack/util-db';
import { TokenCipher } from '@snaptrack/util-crypto';
import { OutboxRelay } from '@snaptrack/data-access-outbox';
import { createObservability, observeOutbox } from '@snaptrack/util-observability';
import { TOPICS, topicDeployment, topicName, topicSpecsWithPrefix } from '@snaptrack/contracts-events';
import type { DataSource } from 'typeorm';
import type { ConfigServiceConfig } from './config';
import { createConfigDataSource } from './data-source';
import { referenceResolvers, resolvers } from './schema';
import { bindServices, type ConfigServices } from './services';
import { UnitOfWork } from './common/transaction';
import { ConversionTypeResolver } from './conversion-type/conversion-type.resolver';
import { ConversionTypeService } from './conversion-type/conversion-type.service';
import { OfferSourceResolver, PostbackUrlBase } from './offer-source/offer-source.resolver';
import { OfferSourceService } from './offer-source/offer-source.service';
import { OfferResolver } from './offer/offer.resolver';
import { OfferService } from './offer/offer.service';
import { PixelEventMappingResolver, PixelResolver } from './pixel/pixel.resolver';
import { PixelService } from './pixel/pixel.service';
import { TemplateResolver } from './template/template.resolver';
import { TrackingDomainResolver } from './tracking-domain/tracking-domain.resolver';
import { TrackingDomainService } from './tracking-domain/tracking-domain.service';
import { DnsVerifier } from './tracking-domain/dns-verifier';
import { TrafficChannelResolver } from './traffic-channel/traffic-channel.resolver';
import { TrafficChannelService } from './traffic-channel/traffic-channel.service';

export interface RunningConfigService extends RunningSubgraph {
  ds: DataSource;
  relay: OutboxRelay;
  services: ConfigServices;
}

/** Wires config → database → Kafka → services → schema → HTTP. Tests call this in-process with port 0. */
export async function startServer(config: ConfigServiceConfig): Promise<RunningConfigService> {
  const log = createLogger('config-service', config.logLevel);
  const obs = createObservability('config-service', config);
  const cipher = new TokenCipher(config.tokenEncryptionKeys);
  const ds = await openDatabase(createConfigDataSource(config.databaseUrl), { migrate: config.runMigrations });
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'config-service', logger: log });
  const prefix = config.kafkaTopicPrefix ?? '';
  await ensureTopics(kafka, topicSpecsWithPrefix(prefix, topicDeployment(config)));
  const producer = createProducer(kafka);
  await producer.connect();
  const relay = new OutboxRelay(ds, producer, log);
  relay.start();

  const uow = new UnitOfWork(
    ds,
    { config: topicName(prefix, TOPICS.configEntityV1), placement: topicName(prefix, TOPICS.placementV1) },
    () => relay.wake(),
  );
  const services: ConfigServices = {
    channels: new TrafficChannelService(uow, log),
    conversionTypes: new ConversionTypeService(uow, log),
    pixels: new PixelService(uow, cipher, log),
    offerSources: new OfferSourceService(uow, log, { secretOverlapHours: config.postbackSecretOverlapHours }),
    offers: new OfferService(uow, log),
    trackingDomains: new TrackingDomainService(uow, log, {
      environment: config.environment,
      dns: new DnsVerifier(config.dnsResolvers ?? []),
    }),
  };
  if (config.tokenRotateOnStart) await services.pixels.rotateTokens(null);

  // Constructor injection by hand; type-graphql asks this map for resolver instances.
  const instances = new Map<Function, unknown>([
    [TemplateResolver, new TemplateResolver()],
    [TrafficChannelResolver, new TrafficChannelResolver(services.channels, services.pixels)],
    [ConversionTypeResolver, new ConversionTypeResolver(services.conversionTypes)],
    [PixelResolver, new PixelResolver(services.pixels, services.channels, services.offers)],
    [PixelEventMappingResolver, new PixelEventMappingResolver(services.conversionTypes)],
    [
      OfferSourceResolver,
      new OfferSourceResolver(
        services.offerSources,
        services.trackingDomains,
        new PostbackUrlBase(config.postbackBaseUrl),
      ),
    ],
    [OfferResolver, new OfferResolver(services.offers, services.offerSources, services.pixels)],
    [TrackingDomainResolver, new TrackingDomainResolver(services.trackingDomains)],
  ]);
  const schema = await buildWiredSchema('config-service', resolvers, instances, referenceResolvers);
  bindServices(schema, services);
  const http = await startSubgraphHttp({
    schema,
    log,
    config,
    probes: [
      { name: 'database', check: () => dbReachable(ds) },
      { name: 'kafka', check: () => kafkaReachable(kafka) },
    ],
    instrument: obs.http,
  });
  observeOutbox(obs.metrics, relay);
  log.info('config-service listening', { url: http.url, activeTokenKeyId: cipher.activeKeyId });
  return {
    url: http.url,
    port: http.port,
    ds,
    relay,
    services,
    stop: async () => {
      await http.close();
      // What the last mutations wrote to the outbox goes out now (at most 3 s); the rest waits for the next start.
      await relay.publishLastAndStop(3000);
      await producer.disconnect();
      await ds.destroy();
      log.info('config-service stopped');
    },
  };
}
