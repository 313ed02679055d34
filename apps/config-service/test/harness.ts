import {
  KAFKA_BROKERS,
  TEST_INTERNAL_SECRET,
  TEST_TOKEN_KEYS,
  createTestDatabase,
  uniqueTopicPrefix,
} from '@snaptrack/util-testing';
import { loadConfigServiceConfig, type ConfigServiceConfig } from '../src/config';
import { startServer, type RunningConfigService } from '../src/server';

export type TestConfigService = RunningConfigService & { config: ConfigServiceConfig; dropDb: () => Promise<void> };

/**
 * Starts config-service in-process on port 0 with its own database and topic prefix. Pass `databaseUrl` (and the
 * same `kafkaTopicPrefix`) in overrides to start a second instance on an existing database; its dropDb is then a no-op.
 */
export async function startTestConfigService(overrides: Partial<ConfigServiceConfig> = {}): Promise<TestConfigService> {
  const db = overrides.databaseUrl
    ? { url: overrides.databaseUrl, drop: async () => undefined }
    : await createTestDatabase('config');
  const config = loadConfigServiceConfig(
    { INTERNAL_AUTH_SECRET: TEST_INTERNAL_SECRET, TOKEN_ENCRYPTION_KEYS: TEST_TOKEN_KEYS, LOG_LEVEL: 'warn' },
    { port: 0, databaseUrl: db.url, kafkaBrokers: KAFKA_BROKERS, kafkaTopicPrefix: uniqueTopicPrefix(), ...overrides },
  );
  const app = await startServer(config);
  return { ...app, config, dropDb: db.drop };
}
