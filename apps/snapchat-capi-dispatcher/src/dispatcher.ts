import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { TOPICS, topicDeployment, topicName, topicSpecsWithPrefix } from '@snaptrack/contracts-events';
import { OutboxRelay } from '@snaptrack/data-access-outbox';
import { TokenCipher } from '@snaptrack/util-crypto';
import { RetentionJob, dbReachable, openDatabase } from '@snaptrack/util-db';
import { buildHandler, listen, readiness, sendJson } from '@snaptrack/util-http';
import { createKafka, createProducer, ensureTopics, kafkaReachable } from '@snaptrack/util-kafka';
import { createLogger } from '@snaptrack/util-logger';
import { ConsumerLagWatcher, METRIC_NAMES, createObservability, observeOutbox } from '@snaptrack/util-observability';
import type { DispatcherConfig } from './config';
import { ConfigViewService } from './config-view/config-view.service';
import { startConfigConsumer, startLedgerConsumer } from './consumer';
import { createDispatcherDataSource } from './data-source';
import { dispatcherRetentionRules } from './conversion/conversion.retention';
import { DeliveryService, INSTANCE_LOCK_CLASS } from './delivery/delivery.service';
import { acquireInstanceLock, type InstanceLock } from '@snaptrack/delivery-engine';
import { Sender } from './sender/sender';
import { SnapCapiClient } from './snap-capi/client';
import { snapEventIdFor } from './snap-capi/event-id';

export interface RunningDispatcher {
  /** Health server: GET /healthz, /readyz, /stats. */
  url: string;
  port: number;
  ds: DataSource;
  /** This instance's number at start (see `lock` for the current one). */
  instanceNo: number;
  lock: InstanceLock;
  service: DeliveryService;
  sender: Sender;
  relay: OutboxRelay;
  /** Deletes conversion copies older than CONVERSION_RETENTION_DAYS (no active delivery) periodically. */
  retention: RetentionJob;
  stop(): Promise<void>;
}

/**
 * Wires config → database (migrations) → Kafka topics → outbox relay → config view (caught up) → ledger consumer →
 * sender → health server. Tests call this in-process with PORT 0.
 */
export async function startDispatcher(
  config: DispatcherConfig,
  opts: {
    /** Aborting it during start-up stops waiting for the config view (SIGTERM); nothing is consumed or sent then. */
    signal?: AbortSignal;
  } = {},
): Promise<RunningDispatcher> {
  const log = createLogger('snapchat-capi-dispatcher', config.logLevel);
  const obs = createObservability('snapchat-capi-dispatcher', config);
  const prefix = config.kafkaTopicPrefix ?? '';
  const ds = await openDatabase(createDispatcherDataSource(config.databaseUrl), { migrate: config.runMigrations });
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'snapchat-capi-dispatcher', logger: log });
  await ensureTopics(kafka, topicSpecsWithPrefix(prefix, topicDeployment(config)));
  const producer = createProducer(kafka);
  await producer.connect();
  // Two results per delivery go through this outbox; a published row is deleted at once (nothing reads sent rows).
  const relay = new OutboxRelay(ds, producer, log, { intervalMs: 250, retentionMs: 0 });
  relay.start();
  const lock = await acquireInstanceLock(ds, {
    log,
    lockClass: INSTANCE_LOCK_CLASS,
    instanceSequence: 'dispatcher_instance_seq',
  });

  const configView = new ConfigViewService(ds, log);
  const service = new DeliveryService(ds, configView, log, prefix, () => relay.wake(), snapEventIdFor);
  const client = new SnapCapiClient({ baseUrl: config.snapCapiBaseUrl, timeoutMs: config.requestTimeoutMs, log });
  const sender = new Sender({
    service,
    configView,
    client,
    cipher: new TokenCipher(config.tokenEncryptionKeys),
    log,
    config,
    lock,
    metrics: obs.metrics,
  });
  observeOutbox(obs.metrics, relay);
  obs.metrics.gaugeFrom(
    METRIC_NAMES.retryQueueDepth,
    'Deliveries waiting for a retry (status retrying)',
    [],
    async () => (await ds.query(`SELECT count(*)::int AS n FROM delivery WHERE status = 'retrying'`))[0].n,
  );
  obs.metrics.gaugeFrom(
    METRIC_NAMES.pausedTokens,
    'Access tokens paused after a 429 (a count; tokens are never named)',
    [],
    async () => sender.pausedTokens,
  );
  const lag = new ConsumerLagWatcher(kafka, () => [
    { groupId: `${config.kafkaGroupId}.config`, topic: topicName(prefix, TOPICS.configEntityV1), configView: true },
    { groupId: config.kafkaGroupId, topic: topicName(prefix, TOPICS.conversionCreatedV1) },
    { groupId: config.kafkaGroupId, topic: topicName(prefix, TOPICS.deliveryCommandV1) },
  ]).register(obs.metrics);

  const deps = {
    kafka,
    producer,
    log,
    topicPrefix: prefix,
    groupId: config.kafkaGroupId,
    configView,
    service,
    onLedgerChanged: () => sender.wake(),
    retargetSkewMs: config.retargetClockSkewMs,
  };
  // The config view catches up first; conversions are targeted, and deliveries sent, only after that (so a token fixed
  // while the service was down is used). Both groups join at the same time: after a crash each join waits for the
  // dead member's session to expire, and they should not wait one after the other.
  // However long the config view takes, nothing is consumed or sent before it has caught up (decision 0003); /readyz
  // answers 503 meanwhile, and CONFIG_CATCHUP_TIMEOUT_MS only paces the warnings.
  let stopped = false;
  const configConsumer = await startConfigConsumer(deps);
  let configCaughtUp = false;
  const configReady = configConsumer.caughtUp(config.configCatchUpTimeoutMs, opts.signal).then((ok) => {
    configCaughtUp = ok;
    if (ok && !stopped && config.senderEnabled) sender.start();
    else if (ok && !config.senderEnabled) log.warn('SENDER_ENABLED=false: the ledger fills, nothing is sent');
    return ok;
  });
  const ledger = await startLedgerConsumer(deps, configReady);
  const retention = new RetentionJob(ds, dispatcherRetentionRules(config), {
    intervalMs: config.retentionIntervalMs,
    batchSize: config.retentionBatchSize,
    log,
  });
  retention.start();

  // /readyz; drained (503 shutting_down) first thing in stop(), although the health server closes last.
  const ready = readiness([
    { name: 'database', check: () => dbReachable(ds) },
    { name: 'kafka', check: () => kafkaReachable(kafka), timeoutMs: 2500, cacheMs: 2000 },
    { name: 'config_view', check: async () => configCaughtUp, cacheMs: 0 },
  ]);
  const http = await listen(
    buildHandler(
      [
        {
          method: 'GET',
          path: '/stats',
          handler: async (_req, res) =>
            sendJson(res, 200, {
              instance: lock.instanceNo,
              instance_lock_held: lock.held,
              ledger: await service.counts(),
              sender: sender.stats,
              dead_letters: ledger.deadLetters.count,
            }),
        },
      ],
      {
        probes: ready,
        onError: (e) => log.error('health request failed', { err: e }),
        instrument: obs.http,
      },
    ),
    config.port,
    config.host,
  );
  await configReady;
  log.info('snapchat-capi-dispatcher listening', {
    url: http.url,
    instance: lock.instanceNo,
    snap_host: new URL(config.snapCapiBaseUrl).host,
  });

  let stopping: Promise<void> | null = null;
  return {
    url: http.url,
    port: http.port,
    ds,
    instanceNo: lock.instanceNo,
    lock,
    service,
    sender,
    relay,
    retention,
    stop: () =>
      (stopping ??= (async () => {
        stopped = true;
        ready.drain();
        // Consumers first (no new ledger rows), then the sender (in-flight requests answered and marked), then the
        // relay and producer, then the database.
        await Promise.all([
          ledger.consumer.disconnect().catch((e) => log.warn('ledger consumer disconnect failed', { err: e })),
          configConsumer.view.stop(),
        ]);
        await retention.stop();
        await lag.stop();
        await sender.stop();
        await relay.publishBatch().catch(() => 0);
        await relay.stop();
        await producer.disconnect().catch(() => undefined);
        await lock.release().catch(() => undefined);
        await ds.destroy();
        await http.close();
        log.info('snapchat-capi-dispatcher stopped');
      })()),
  };
}
