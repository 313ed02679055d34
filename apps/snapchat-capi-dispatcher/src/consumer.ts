import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import {
  type ConfigEntityV1,
  ContractViolation,
  ConversionCreatedV1,
  DeliveryCommandV1,
  TOPICS,
  topicName,
} from '@snaptrack/contracts-events';
import { DeadLetters, createConsumer } from '@snaptrack/util-kafka';
import { ConfigViewConsumer } from '@snaptrack/data-access-config-view';
import type { Logger } from '@snaptrack/util-logger';
import { toPixelPlacement, type ConfigViewService, type PlacementChange } from './config-view/config-view.service';
import type { DeliveryService } from './delivery/delivery.service';
import { IngestCoalescer } from './ingest-coalescer';

/**
 * Two consumers:
 * - the config view (group `<group>.config`, config.entity.v1, from the beginning): upserts every entity state into
 *   this service's database; the conversion consumer starts only once it has caught up, so a conversion is never
 *   targeted against a half-loaded configuration after a restart;
 * - conversions and commands (group `<group>`): decode → validate the contract → write the ledger rows (the
 *   partitions handled at the same time share one transaction, see IngestCoalescer) → and only then resolve and
 *   commit the offsets. Sending happens in the sender loop, never here, so a slow Snapchat never
 *   holds a partition.
 * An undecodable or contract-violating message goes to dead-letter.v1 with the reason, and consumption goes on.
 */

export const CONSUMER_NAME = 'snapchat-capi-dispatcher';
const CHUNK = 500;
/**
 * Fetches wait at most 1 s for data. Sessions and heartbeats are util-kafka's (createConsumer): a 6 s session, the
 * broker's minimum, so a crashed member's partitions move on, and a join after a broker restart (kafkajs lost its
 * member id) waits, no longer than that; heartbeats every second, and after every ingest chunk (at most 2,000
 * conversions, about a second under load).
 */
const GROUP_TIMING = { maxWaitTimeInMs: 1000 };

export interface ConsumerDeps {
  kafka: Kafka;
  producer: Producer;
  log: Logger;
  topicPrefix: string;
  groupId: string;
  configView: ConfigViewService;
  service: DeliveryService;
  /** Ledger rows were written: the sender should look. */
  onLedgerChanged: () => void;
  /**
   * RETARGET_CLOCK_SKEW_MS: a new or changed placement re-targets conversions received since its creation minus this.
   */
  retargetSkewMs: number;
}

function problem(e: unknown): string {
  return e instanceof ContractViolation ? e.message : `undecodable: ${(e as Error)?.message ?? String(e)}`;
}

/** Contract checks the JSON schema cannot express. Returns a reason, or null when the conversion is usable. */
export function conversionProblem(v: ConversionCreatedV1.Value): string | null {
  if (v.status === 'attributed' && !v.attribution)
    return 'conversion.created.v1: an attributed conversion must carry its attribution';
  if (Number.isNaN(Date.parse(v.occurred_at))) return 'conversion.created.v1: occurred_at is not a date';
  return null;
}

/** Pixel entity data must match PixelData (the schema only says "object"). */
export function configProblem(v: ConfigEntityV1.Value): string | null {
  if (
    v.entity_type === 'pixel' &&
    !v.deleted &&
    !toPixelPlacement({ id: v.id, account_id: v.account_id, data: v.data })
  ) {
    return (
      'config.entity.v1: pixel data does not match PixelData (pixel_id, placement, token, test_mode, ' +
      'limited_data_use, event_mapping)'
    );
  }
  return null;
}

// -------------------------------------------------------------------------------------------------------- config

/**
 * A placement that appeared or changed what it targets re-targets recent conversions (the conversion may have been
 * consumed before the placement); one that went away skips the waiting deliveries it no longer justifies.
 */
async function applyPlacementChanges(deps: ConsumerDeps, changes: PlacementChange[]): Promise<void> {
  let changed = 0;
  for (const change of changes) {
    if (change.previous) changed += await deps.service.skipRemovedPlacement(change);
    if (change.current) changed += await deps.service.retargetPlacement(change, deps.retargetSkewMs);
  }
  if (changed) deps.onLedgerChanged();
}

export interface ConfigConsumer {
  /** The shared config view consumer (@snaptrack/data-access-config-view); `stop()` it on shutdown. */
  view: ConfigViewConsumer;
  /** Resolves once the consumer has joined its group and runs. */
  running: Promise<void>;
  /**
   * Resolves true once every partition has been read up to where it ended at start-up. It keeps waiting however long
   * that takes (logging a warning every `warnEveryMs`); it resolves false only when `signal` is aborted first.
   */
  caughtUp(warnEveryMs: number, signal?: AbortSignal): Promise<boolean>;
}

/**
 * The config view (group `<group>.config`): the shared projection of config.entity.v1 into `config_entity`; after each
 * chunk is stored, placement changes are applied to the ledger, before the offset moves (re-targeting is idempotent).
 */
export async function startConfigConsumer(deps: ConsumerDeps): Promise<ConfigConsumer> {
  const { kafka, log, configView } = deps;
  const view = new ConfigViewConsumer({
    kafka,
    topic: topicName(deps.topicPrefix, TOPICS.configEntityV1),
    groupId: `${deps.groupId}.config`,
    store: configView.store,
    deadLetters: new DeadLetters(deps.producer, deps.topicPrefix, CONSUMER_NAME, log),
    log,
    check: configProblem,
    onApplied: async (changes) => applyPlacementChanges(deps, await configView.placementChanges(changes)),
    consumerConfig: GROUP_TIMING,
    partitionsConsumedConcurrently: 3,
    chunkSize: CHUNK,
  });
  // Joining is not awaited: it can take up to a session timeout after a crash, and the caller waits on caughtUp().
  await view.start({ waitForJoin: false });

  return {
    view,
    running: view.running,
    caughtUp: async (warnEveryMs, signal) => {
      // Decision 0003: conversions are never targeted against a half-loaded configuration, so there is no "carry on
      // anyway": the conversion consumer and the sender wait (and /readyz says so) until the view has caught up.
      const started = Date.now();
      let warnAt = started + warnEveryMs;
      while (!signal?.aborted) {
        if (view.isReady) return true;
        if (Date.now() >= warnAt) {
          warnAt = Date.now() + warnEveryMs;
          log.warn('config view has not caught up yet; conversions and sending wait for it', {
            waited_ms: Date.now() - started,
            partitions_behind: view.behind,
          });
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      return false;
    },
  };
}

// -------------------------------------------------------------------------------------------------------- conversions
// + commands

/**
 * Waits for `ready` while keeping the group session alive. False when the consumer stops first, or `ready` resolves
 * to false (start-up was abandoned): then nothing of the batch may be handled.
 */
async function gate(
  ready: Promise<unknown>,
  heartbeat: () => Promise<void>,
  isRunning: () => boolean,
): Promise<boolean> {
  let done = false;
  let ok = false;
  void ready.then(
    (v) => {
      ok = v !== false;
      done = true;
    },
    () => (done = true),
  );
  while (!done) {
    await Promise.race([ready, new Promise((r) => setTimeout(r, 1000))]);
    if (!isRunning()) return false;
    if (!done) await heartbeat();
  }
  return ok;
}

/**
 * `configReady` resolves (true) once the config view has caught up: no conversion or command is handled before that,
 * however long it takes, so a restart never delivers against a half-loaded configuration (decision 0003). A false
 * resolution (start-up abandoned) handles nothing.
 */
export async function startLedgerConsumer(
  deps: ConsumerDeps,
  configReady: Promise<unknown> = Promise.resolve(),
): Promise<{ consumer: Consumer; deadLetters: DeadLetters }> {
  const { kafka, log, service } = deps;
  const conversionTopic = topicName(deps.topicPrefix, TOPICS.conversionCreatedV1);
  const commandTopic = topicName(deps.topicPrefix, TOPICS.deliveryCommandV1);
  const deadLetters = new DeadLetters(deps.producer, deps.topicPrefix, CONSUMER_NAME, log);
  // The partitions of one fetch are handled at once (the conversion topic has 6) and share ledger transactions.
  const ledger = new IngestCoalescer((values, tps) => service.ingestConversions(values, tps), 4 * CHUNK);

  const consumer = createConsumer(kafka, { groupId: deps.groupId, ...GROUP_TIMING }, log);
  await consumer.connect();
  await consumer.subscribe({ topics: [conversionTopic, commandTopic], fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: false,
    autoCommitInterval: 1000,
    partitionsConsumedConcurrently: 6,
    eachBatch: async ({
      batch,
      resolveOffset,
      heartbeat,
      commitOffsetsIfNecessary,
      isRunning,
      isStale,
    }: EachBatchPayload) => {
      if (!(await gate(configReady, heartbeat, isRunning))) return;
      if (batch.topic === conversionTopic) {
        for (let i = 0; i < batch.messages.length; i += CHUNK) {
          if (!isRunning() || isStale()) return;
          const chunk = batch.messages.slice(i, i + CHUNK);
          const values: ConversionCreatedV1.Value[] = [];
          const traceParents = new Map<string, string>();
          for (const m of chunk) {
            try {
              const v = ConversionCreatedV1.contract.decode(m.value);
              const p = conversionProblem(v);
              if (p) await deadLetters.park({ topic: batch.topic, partition: batch.partition, message: m, reason: p });
              else values.push(v);
              const tp = m.headers?.traceparent?.toString();
              if (!p && tp && /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/.test(tp))
                traceParents.set(v.conversion_id, tp);
            } catch (e) {
              await deadLetters.park({
                topic: batch.topic,
                partition: batch.partition,
                message: m,
                reason: problem(e),
              });
            }
          }
          // The ledger rows are durable before the offset moves: a crash here means the chunk is read again, and
          // its inserts are no-ops (unique conversion id and (conversion, pixel)).
          const created = values.length ? await ledger.submit(values, traceParents) : 0;
          resolveOffset(chunk[chunk.length - 1]!.offset);
          await heartbeat();
          if (created) deps.onLedgerChanged();
        }
        await commitOffsetsIfNecessary();
        return;
      }
      for (const m of batch.messages) {
        if (!isRunning() || isStale()) return;
        let cmd: DeliveryCommandV1.Value | null = null;
        try {
          cmd = DeliveryCommandV1.contract.decode(m.value);
        } catch (e) {
          await deadLetters.park({ topic: batch.topic, partition: batch.partition, message: m, reason: problem(e) });
        }
        if (cmd) {
          const r = await service.applyCommand(cmd, heartbeat);
          if (r.created + r.reset) deps.onLedgerChanged();
        }
        resolveOffset(m.offset);
        await commitOffsetsIfNecessary();
        await heartbeat();
      }
    },
  });
  return { consumer, deadLetters };
}
