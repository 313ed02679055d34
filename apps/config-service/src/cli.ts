import 'reflect-metadata';
import { TOPICS, topicDeployment, topicName, topicSpecsWithPrefix } from '@snaptrack/contracts-events';
import { OutboxRelay } from '@snaptrack/data-access-outbox';
import { ConfigError } from '@snaptrack/util-config';
import { openDatabase } from '@snaptrack/util-db';
import { createKafka, createProducer, ensureTopics } from '@snaptrack/util-kafka';
import { createLogger } from '@snaptrack/util-logger';
import { UnitOfWork } from './common/transaction';
import { loadConfigServiceConfig, type ConfigServiceConfig } from './config';
import { createConfigDataSource } from './data-source';
import { republishConfig, type RepublishCounts } from './publishing/republish';

const USAGE = `usage: node apps/config-service/dist/cli.js <command>

commands:
  republish-config   publish every configuration entity in the config database to config.entity.v1 again (through
                     the outbox), so a lost or wiped topic is rebuilt; safe while config-service runs

Reads the same environment as config-service (DATABASE_URL, KAFKA_BROKERS, KAFKA_TOPIC_PREFIX, the KAFKA_* topic
settings, ...).`;

/**
 * Republishes the config topic and waits until the outbox holds nothing unsent. Exported for the flow test; the
 * command line below calls it.
 */
export async function runRepublishConfig(config: ConfigServiceConfig): Promise<RepublishCounts> {
  const log = createLogger('config-service', config.logLevel).child({ command: 'republish-config' });
  const ds = await openDatabase(createConfigDataSource(config.databaseUrl), { migrate: config.runMigrations });
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'config-service-cli', logger: log });
  const prefix = config.kafkaTopicPrefix ?? '';
  const producer = createProducer(kafka);
  try {
    // A wiped topic is created again first (with this deployment's settings).
    await ensureTopics(kafka, topicSpecsWithPrefix(prefix, topicDeployment(config)));
    await producer.connect();
    const relay = new OutboxRelay(ds, producer, log);
    const uow = new UnitOfWork(
      ds,
      { config: topicName(prefix, TOPICS.configEntityV1), placement: topicName(prefix, TOPICS.placementV1) },
      () => undefined,
    );
    const counts = await republishConfig(uow, {
      onProgress: (entityType, written) => log.info('entities written to the outbox', { entityType, written }),
    });
    // Publish here rather than wait for a running config-service's relay (there may be none); several relays share
    // the rows safely (FOR UPDATE SKIP LOCKED), so this only ends when every row is on the topic.
    for (;;) {
      await relay.drain();
      if ((await relay.pending()) === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    log.info('config topic republished', { topic: topicName(prefix, TOPICS.configEntityV1), counts });
    return counts;
  } finally {
    await producer.disconnect().catch(() => undefined);
    await ds.destroy();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (command === 'republish-config') {
    const counts = await runRepublishConfig(loadConfigServiceConfig());
    process.stdout.write(`${JSON.stringify({ republished: counts })}\n`);
    return 0;
  }
  process.stderr.write(`${USAGE}\n`);
  return command === undefined || command === '--help' || command === 'help' ? 0 : 2;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(
        `${e instanceof ConfigError ? e.message : `config-service cli failed: ${(e as Error).stack ?? String(e)}`}\n`,
      );
      process.exit(1);
    },
  );
}
