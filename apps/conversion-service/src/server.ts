import 'reflect-metadata';
import { buildWiredSchema, startSubgraphHttp, type RunningSubgraph } from '@snaptrack/util-federation';
import { DeadLetters, createKafka, createProducer, ensureTopics, kafkaReachable } from '@snaptrack/util-kafka';
import { createLogger } from '@snaptrack/util-logger';
import { sendJson } from '@snaptrack/util-http';
import { RetentionJob, dbReachable, openDatabase } from '@snaptrack/util-db';
import { OutboxRelay } from '@snaptrack/data-access-outbox';
import { ConfigViewConsumer } from '@snaptrack/data-access-config-view';
import { ConsumerLagWatcher, createObservability, observeOutbox } from '@snaptrack/util-observability';
import {
  ClickRecordedV1,
  DeliveryResultV1,
  TOPICS,
  topicDeployment,
  topicName,
  topicSpecsWithPrefix,
} from '@snaptrack/contracts-events';
import type { DataSource } from 'typeorm';
import type { ConversionServiceConfig } from './config';
import { createConversionDataSource } from './data-source';
import { resolvers } from './schema';
import { ClickService } from './click/click.service';
import { conversionRetentionRules } from './click/click.retention';
import { ConfigViewService } from './config-view/config-view.service';
import { ConversionService } from './conversion/conversion.service';
import { ConversionResolver } from './conversion/conversion.resolver';
import { conversionReference } from './conversion/conversion.reference';
import { DeliveryService } from './delivery/delivery.service';
import { DeliveryCommandResolver } from './delivery/delivery.resolver';
import { PixelStatsResolver, PixelStatsService, pixelReference } from './delivery/pixel-stats';
import { ReportResolver } from './report/report.resolver';
import { ReportService } from './report/report.service';
import { PostbackReader } from './postback/postback.reader';
import { PostbackService } from './postback/postback.service';
import { PendingService } from './postback/pending.service';
import { postbackRoutes } from './postback/postback.route';
import { siteConversionRoutes } from './postback/site-conversion.route';
import { ViewConsumer } from './kafka/view-consumer';
import { LazyProducer } from './kafka/lazy-producer';

export interface RunningConversionService extends RunningSubgraph {
  ds: DataSource;
  relay: OutboxRelay;
  pending: PendingService;
  /** Deletes clicks of the click view older than CLICK_RETENTION_DAYS every RETENTION_INTERVAL_MS. */
  retention: RetentionJob;
  clicks: ClickService;
  conversions: ConversionService;
  reports: ReportService;
  configView: ConfigViewService;
  consumers: {
    clicks: ViewConsumer<ClickRecordedV1.Value>;
    config: ConfigViewConsumer;
    deliveries: ViewConsumer<DeliveryResultV1.Value>;
  };
}

/** Wires config → database → Kafka (views, relay) → schema → HTTP. Tests call this in-process with port 0. */
/** Seams for tests: `now` is the clock of the postback path and the pending job (secret overlap, TTL, replays). */
export interface ConversionServiceDeps {
  now?: () => Date;
}

export async function startServer(
  config: ConversionServiceConfig,
  deps: ConversionServiceDeps = {},
): Promise<RunningConversionService> {
  const log = createLogger('conversion-service', config.logLevel);
  const obs = createObservability('conversion-service', config);
  const prefix = config.kafkaTopicPrefix ?? '';
  const ds = await openDatabase(createConversionDataSource(config.databaseUrl, config.databasePoolSize), {
    migrate: config.runMigrations,
  });
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'conversion-service', logger: log });
  await ensureTopics(kafka, topicSpecsWithPrefix(prefix, topicDeployment(config)));

  // The relay has its own client: it connects lazily and fails fast, so the postback path never waits for Kafka.
  const relayKafka = createKafka({
    brokers: config.outboxKafkaBrokers?.length ? config.outboxKafkaBrokers : config.kafkaBrokers,
    clientId: 'conversion-service-outbox',
    logger: log,
    retry: { retries: 2 },
  });
  const relayProducer = new LazyProducer(createProducer(relayKafka));
  // Every accepted postback wakes the relay; passes are coalesced so a burst shares a few passes (fewer claims,
  // fewer Kafka requests) instead of one each.
  const relay = new OutboxRelay(ds, relayProducer.asProducer(), log, { wakeDelayMs: config.outboxWakeDelayMs });

  const clicks = new ClickService(ds, config.clickRetentionDays);
  const configView = new ConfigViewService(ds, { cacheTtlMs: config.configCacheTtlMs });
  const conversions = new ConversionService(ds, prefix, relay);
  const deliveries = new DeliveryService(ds, prefix, conversions, configView, relay);
  const pending = new PendingService(
    ds,
    clicks,
    configView,
    conversions,
    {
      timeoutMs: config.pendingAttributionTimeoutMs,
      sweepIntervalMs: config.pendingSweepIntervalMs,
      defaultCurrency: config.defaultCurrency,
      ttlMs: config.pendingPostbackTtlHours * 3600 * 1000,
      now: deps.now,
    },
    log.child({ component: 'pending' }),
  );
  const postbackReader = new PostbackReader(
    configView,
    clicks,
    { clickWaitMs: config.clickWaitMs, now: deps.now },
    log.child({ component: 'postback' }),
  );
  const postbacks = new PostbackService(
    ds,
    configView,
    conversions,
    {
      defaultCurrency: config.defaultCurrency,
      pendingMaxPerAccount: config.pendingPostbacksMaxPerAccount,
    },
    log.child({ component: 'postback' }),
    (clickId) => pending.kick([clickId]),
  );

  // Views fed from Kafka. Dead letters go out directly (they are about input, not our state).
  const producer = createProducer(kafka);
  await producer.connect();
  const group = (name: string) => `${prefix}${config.kafkaGroupId}.${name}`;
  const consumers = {
    clicks: new ViewConsumer<ClickRecordedV1.Value>({
      name: 'conversion-service.clicks',
      kafka,
      groupId: group('clicks'),
      topic: topicName(prefix, TOPICS.clickRecordedV1),
      contract: ClickRecordedV1.contract,
      deadLetters: new DeadLetters(producer, prefix, 'conversion-service.clicks', log),
      log,
      apply: async (items) => {
        await clicks.applyClicks(items.map((i) => i.value));
        const ids = items.map((i) => i.value.click_id);
        clicks.notifyArrived(ids);
        await pending
          .onClicks(ids)
          .catch((e) => log.warn('attributing pending postbacks failed; the sweep retries', { err: e }));
      },
    }),
    // The config view (table config_entity): the shared projection; its writes empty the lookup cache around them.
    config: new ConfigViewConsumer({
      kafka,
      groupId: group('config'),
      topic: topicName(prefix, TOPICS.configEntityV1),
      store: configView.store,
      around: configView.aroundWrite,
      deadLetters: new DeadLetters(producer, prefix, 'conversion-service.config', log),
      log,
    }),
    deliveries: new ViewConsumer<DeliveryResultV1.Value>({
      name: 'conversion-service.deliveries',
      kafka,
      groupId: group('deliveries'),
      topic: topicName(prefix, TOPICS.deliveryResultV1),
      contract: DeliveryResultV1.contract,
      deadLetters: new DeadLetters(producer, prefix, 'conversion-service.deliveries', log),
      log,
      apply: (items) => deliveries.applyResults(items.map((i) => i.value)),
    }),
  };
  await Promise.all(Object.values(consumers).map((c) => c.start()));
  observeOutbox(obs.metrics, relay);
  const lag = new ConsumerLagWatcher(kafka, () => [
    { groupId: group('clicks'), topic: topicName(prefix, TOPICS.clickRecordedV1) },
    { groupId: group('config'), topic: topicName(prefix, TOPICS.configEntityV1), configView: true },
    { groupId: group('deliveries'), topic: topicName(prefix, TOPICS.deliveryResultV1) },
  ]).register(obs.metrics);
  relay.start();
  pending.start();
  const retention = new RetentionJob(ds, conversionRetentionRules(config), {
    intervalMs: config.retentionIntervalMs,
    batchSize: config.retentionBatchSize,
    log: log.child({ component: 'retention' }),
  });
  retention.start();

  const reports = new ReportService(ds);
  const services = new Map<Function, unknown>([
    [ConversionResolver, new ConversionResolver(conversions, deliveries)],
    [DeliveryCommandResolver, new DeliveryCommandResolver(deliveries)],
    [ReportResolver, new ReportResolver(reports)],
    [PixelStatsResolver, new PixelStatsResolver(new PixelStatsService(ds))],
  ]);
  const schema = await buildWiredSchema('conversion-service', resolvers, services, {
    ...conversionReference(conversions),
    ...pixelReference,
  });
  const http = await startSubgraphHttp({
    schema,
    log,
    config,
    routes: [
      ...postbackRoutes(postbackReader, postbacks, configView, obs.metrics),
      ...siteConversionRoutes(postbackReader, postbacks, configView, {
        browserPerClickPerMinute: config.browserConversionsPerClickPerMinute,
      }),
      {
        method: 'GET',
        path: '/healthz/kafka',
        handler: async (_req, res) => {
          const reachable = await kafkaReachable(kafka);
          sendJson(res, reachable ? 200 : 503, { kafka: reachable, outbox_pending: await relay.pending() });
        },
      },
    ],
    // Kafka is deliberately not a readiness condition (required: false, reported only): postbacks must keep being
    // accepted while it is down (the outbox holds them). /healthz/kafka also reports the outbox backlog.
    probes: [
      { name: 'database', check: () => dbReachable(ds) },
      { name: 'kafka', check: () => kafkaReachable(kafka), required: false, timeoutMs: 2500, cacheMs: 2000 },
      // Reported only as well: the view is a table every instance shares, kept by one shared group, so an instance
      // holding no partition of the config topic would never see "its" catch-up although the view is current.
      { name: 'config_view', check: async () => consumers.config.isReady, required: false, cacheMs: 0 },
    ],
    instrument: obs.http,
  });
  log.info('conversion-service listening', { url: http.url });
  return {
    url: http.url,
    port: http.port,
    ds,
    relay,
    pending,
    retention,
    clicks,
    conversions,
    reports,
    configView,
    consumers,
    stop: async () => {
      await http.close();
      await retention.stop();
      await pending.stop();
      await Promise.all(Object.values(consumers).map((c) => c.stop()));
      await lag.stop();
      // What the last postbacks wrote to the outbox goes out now (at most 3 s); the rest waits for the next start.
      await relay.publishLastAndStop(3000);
      await relayProducer.close();
      await producer.disconnect();
      await ds.destroy();
      log.info('conversion-service stopped');
    },
  };
}
