import { KAFKA_BROKERS, TEST_INTERNAL_SECRET, TEST_TOKEN_KEYS, createTestDatabase, uniqueTopicPrefix } from '@snaptrack/util-testing';
import { loadConfigServiceConfig, type ConfigServiceConfig } from '../src/config';
import { startServer, type RunningConfigService } from '../src/server';

/** Starts config-service in-process on port 0 with its own database and topic prefix. */
export async function startTestConfigService(overrides: Partial<ConfigServiceConfig> = {}): Promise<RunningConfigService & { config: ConfigServiceConfig; dropDb: () => Promise<void> }> {
  const db = await createTestDatabase('config');
  const config = loadConfigServiceConfig(
    { INTERNAL_AUTH_SECRET: TEST_INTERNAL_SECRET, TOKEN_ENCRYPTION_KEYS: TEST_TOKEN_KEYS, LOG_LEVEL: 'warn' },
    { port: 0, databaseUrl: db.url, kafkaBrokers: KAFKA_BROKERS, kafkaTopicPrefix: uniqueTopicPrefix(), ...overrides },
  );
  const app = await startServer(config);
  return { ...app, config, dropDb: db.drop };
}
