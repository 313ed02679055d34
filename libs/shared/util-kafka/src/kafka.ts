import {
  Kafka,
  Partitioners,
  logLevel,
  type Admin,
  type Consumer,
  type ConsumerConfig,
  type Producer,
  type ITopicConfig,
} from 'kafkajs';
import type { Logger } from '@snaptrack/util-logger';
import './request-queue-timer';

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Connection timeout per attempt; keep low so readiness fails fast. */
  connectionTimeoutMs?: number;
  /**
   * Overrides kafkajs's retry policy (default: 8 retries, 200 ms → 5 s); e.g. a producer whose caller has its own
   * backoff.
   */
  retry?: { retries?: number; initialRetryTime?: number; maxRetryTime?: number };
}

/** Our only door to kafkajs, so the client could be swapped without touching services. */
export function createKafka(opts: KafkaOptions): Kafka {
  const log = opts.logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    connectionTimeout: opts.connectionTimeoutMs ?? 3000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000, ...opts.retry },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }) => {
        const { message, ...rest } = entry;
        const fields = { ...rest, timestamp: undefined, logger: undefined };
        if (level === logLevel.ERROR) log.error(message, fields);
        else if (level === logLevel.WARN) log.warn(message, fields);
        else log.debug(message, fields);
      },
  });
}

export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    idempotent: false,
    maxInFlightRequests: 5,
  });
}

/**
 * A kafkajs consumer that never restarts itself after `disconnect()` was asked for: kafkajs restarts a crashed
 * consumer on a timer, and a restart racing a shutdown would keep consuming in a process that is stopping. With `log`,
 * every join of the group is logged at info (how long it took, how many partitions it got): after a broker restart or
 * a crash, that line says when consumption resumed.
 */
export function createConsumer(kafka: Kafka, config: ConsumerConfig, log?: Logger): Consumer {
  let closing = false;
  const userRestart = config.retry?.restartOnFailure;
  const consumer = kafka.consumer({
    allowAutoTopicCreation: false,
    // A member that died is noticed within 6 s (the broker's minimum, group.min.session.timeout.ms), so a restarted
    // instance rejoins its group (and turns ready) in about that long instead of waiting out a 30 s session of its dead
    // predecessor; the same wait follows a broker restart, where kafkajs's crashed consumers lost their member ids.
    sessionTimeout: 6000,
    heartbeatInterval: 1000,
    ...config,
    retry: {
      ...config.retry,
      restartOnFailure: async (e: Error) => !closing && (userRestart ? userRestart(e) : true),
    },
  });
  if (log)
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
      log.info('kafka consumer joined its group', {
        groupId: payload.groupId,
        memberId: payload.memberId,
        leader: payload.isLeader,
        durationMs: payload.duration,
        partitions: Object.values(payload.memberAssignment).reduce((n, parts) => n + parts.length, 0),
      }),
    );
  const disconnect = consumer.disconnect.bind(consumer);
  consumer.disconnect = async () => {
    closing = true;
    await disconnect();
  };
  return consumer;
}

export interface TopicToCreate {
  name: string;
  partitions: number;
  /** Absent: the broker's default.replication.factor. */
  replicationFactor?: number;
  config?: Record<string, string>;
}

/**
 * Creates missing topics explicitly (brokers run with auto-creation off). Idempotent. An existing topic is left as it
 * is (partitions, replication and configs are changed by an operator, see docs/deployment.md).
 */
export async function ensureTopics(kafka: Kafka, topics: TopicToCreate[]): Promise<void> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing: ITopicConfig[] = topics
      .filter((t) => !existing.has(t.name))
      .map((t) => ({
        topic: t.name,
        numPartitions: t.partitions,
        replicationFactor: t.replicationFactor ?? -1,
        configEntries: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
      }));
    if (missing.length) {
      try {
        await admin.createTopics({ topics: missing, waitForLeaders: true });
      } catch (e) {
        // A concurrent creator may have won; anything else is real.
        if (String((e as Error).message).includes('already exists')) return;
        // kafkajs says only "Topic creation errors": name each topic's reason (e.g. a replication factor above the
        // number of brokers), or an operator cannot tell what to fix.
        const inner = (e as { errors?: Array<{ topic?: string; message?: string }> }).errors;
        if (inner?.length)
          throw new Error(`creating Kafka topics failed: ${inner.map((x) => `${x.topic}: ${x.message}`).join('; ')}`, {
            cause: e,
          });
        throw e;
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/** Readiness probe: can we fetch cluster metadata right now? */
export async function kafkaReachable(kafka: Kafka, timeoutMs = 2000): Promise<boolean> {
  const admin = kafka.admin({ retry: { retries: 0 } });
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const probe = (async () => {
    try {
      await admin.connect();
      await admin.describeCluster();
      return true;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  })();
  try {
    return await Promise.race([probe, t]);
  } finally {
    clearTimeout(timer);
  }
}
