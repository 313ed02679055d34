import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { buildWiredSchema, startSubgraphHttp, type RunningSubgraph } from '@snaptrack/util-federation';
import {
  BatchingProducer,
  DeadLetters,
  createKafka,
  createProducer,
  ensureTopics,
  kafkaReachable,
} from '@snaptrack/util-kafka';
import { ConfigViewConsumer } from '@snaptrack/data-access-config-view';
import { createLogger } from '@snaptrack/util-logger';
import { ConsumerLagWatcher, createObservability, traceHeaders } from '@snaptrack/util-observability';
import { RetentionJob, dbReachable, openDatabase } from '@snaptrack/util-db';
import { ConfigError } from '@snaptrack/util-config';
import { TOPICS, topicDeployment, topicName, topicSpecsWithPrefix } from '@snaptrack/contracts-events';
import type { DataSource } from 'typeorm';
import type { Producer } from 'kafkajs';
import type { CampaignServiceConfig } from './config';
import { createCampaignDataSource } from './data-source';
import { resolvers } from './schema';
import { ConfigView, KEPT, dataProblem } from './config-view/config-view';
import { CampaignCache } from './campaign/campaign.cache';
import { CampaignService } from './campaign/campaign.service';
import { CampaignResolver } from './campaign/campaign.resolver';
import { campaignReference } from './campaign/campaign.reference';
import { ClickService } from './click/click.service';
import { clickReference } from './click/click.reference';
import { ClickStore } from './click/click.store';
import { ClickPublisher } from './click/click.publisher';
import { ClickCapture } from './click/click.capture';
import { clickRoutes } from './click/click.routes';
import { TrustedProxies } from '@snaptrack/util-http';
import { campaignRetentionRules } from './click/click.retention';

export interface RunningCampaignService extends RunningSubgraph {
  ds: DataSource;
  view: ConfigView;
  cache: CampaignCache;
  clickStore: ClickStore;
  /** Deletes clicks older than CLICK_RETENTION_DAYS every RETENTION_INTERVAL_MS. */
  retention: RetentionJob;
  /** The Kafka producer (clicks, dead letters); exposed so tests can take the broker away from the hot path. */
  producer: Producer;
}

/**
 * Wires config → database → Kafka (config view, click producer, click store) → schema → HTTP. Tests call this with port
 * 0.
 */
export async function startServer(config: CampaignServiceConfig): Promise<RunningCampaignService> {
  const log = createLogger('campaign-service', config.logLevel);
  const obs = createObservability('campaign-service', config);
  let trusted: TrustedProxies;
  try {
    trusted = new TrustedProxies(config.trustedProxies);
  } catch (e) {
    throw new ConfigError([(e as Error).message]);
  }
  const prefix = config.kafkaTopicPrefix ?? '';
  const ds = await openDatabase(createCampaignDataSource(config.databaseUrl), { migrate: config.runMigrations });
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'campaign-service', logger: log });
  await ensureTopics(kafka, topicSpecsWithPrefix(prefix, topicDeployment(config)));
  const producer = createProducer(kafka);
  await producer.connect();
  const batching = new BatchingProducer(producer, {
    lingerMs: config.clickLingerMs,
    maxBatch: 500,
    timeoutMs: config.clickPublishTimeoutMs,
  });

  const view = new ConfigView();
  // Every instance replays the whole compacted topic into memory with a group of its own, deleted again on stop.
  const viewConsumer = new ConfigViewConsumer({
    kafka,
    topic: topicName(prefix, TOPICS.configEntityV1),
    groupId: `${prefix}campaign-service.config-view.${randomBytes(6).toString('hex')}`,
    store: view.store,
    deadLetters: new DeadLetters(producer, prefix, 'campaign-service.config-view', log),
    log,
    keep: KEPT,
    check: dataProblem,
    onApplied: view.onApplied,
    deleteGroupOnStop: true,
  });
  await viewConsumer.start();
  if (await viewConsumer.whenReady(config.configCatchUpMs)) log.info('config view caught up', { entries: view.size });
  else log.warn('config view not caught up yet; going on with what it has', { entries: view.size });
  const cache = new CampaignCache(ds, config.campaignRefreshMs, log);
  await cache.start();
  const clickTopic = topicName(prefix, TOPICS.clickRecordedV1);
  const clickStore = new ClickStore(
    kafka,
    ds,
    clickTopic,
    `${prefix}campaign-service.click-store`,
    new DeadLetters(producer, prefix, 'campaign-service.click-store', log),
    log,
  );
  await clickStore.start();

  const campaigns = new CampaignService(ds, view, cache, {
    publicTrackingUrl: config.publicTrackingUrl,
    configWaitMs: config.configWaitMs,
  });
  const clicks = new ClickService(ds);
  const services = new Map<Function, unknown>([[CampaignResolver, new CampaignResolver(campaigns, clicks)]]);
  const schema = await buildWiredSchema('campaign-service', resolvers, services, {
    ...campaignReference(campaigns),
    ...clickReference(clicks),
  });

  const capture = new ClickCapture(
    cache,
    view,
    new ClickPublisher(
      // The click request's trace context travels in the message headers (conversion-service's click view).
      (topic, message) => batching.send(topic, { ...message, headers: { ...message.headers, ...traceHeaders() } }),
      clickTopic,
      config.clickPublishTimeoutMs,
    ),
    () => viewConsumer.isReady,
    log,
  );
  const http = await startSubgraphHttp({
    schema,
    log,
    config,
    routes: clickRoutes({
      capture,
      trusted,
      maxUrlBytes: config.maxClickUrlBytes,
      cookieDays: config.clickCookieDays,
      log,
      metrics: obs.metrics,
    }),
    probes: [
      { name: 'database', check: () => dbReachable(ds) },
      { name: 'kafka', check: () => kafkaReachable(kafka) },
      { name: 'config_view', check: async () => viewConsumer.isReady },
    ],
    instrument: obs.http,
  });
  const lag = new ConsumerLagWatcher(kafka, () => [
    { groupId: viewConsumer.groupId, topic: topicName(prefix, TOPICS.configEntityV1), configView: true },
    { groupId: `${prefix}campaign-service.click-store`, topic: clickTopic },
  ]).register(obs.metrics);
  const retention = new RetentionJob(ds, campaignRetentionRules(config), {
    intervalMs: config.retentionIntervalMs,
    batchSize: config.retentionBatchSize,
    log,
  });
  retention.start();
  log.info('campaign-service listening', { url: http.url });
  return {
    url: http.url,
    port: http.port,
    ds,
    view,
    cache,
    clickStore,
    retention,
    producer,
    stop: async () => {
      await retention.stop();
      await http.close();
      await batching.drain();
      await clickStore.stop();
      await viewConsumer.stop();
      await lag.stop();
      await cache.stop();
      await producer.disconnect();
      await ds.destroy();
      log.info('campaign-service stopped');
    },
  };
}
