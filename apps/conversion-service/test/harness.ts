import { KAFKA_BROKERS, TEST_INTERNAL_SECRET, createTestDatabase, uniqueTopicPrefix } from '@snaptrack/util-testing';
import { loadConversionServiceConfig, type ConversionServiceConfig } from '../src/config';
import { startServer, type ConversionServiceDeps, type RunningConversionService } from '../src/server';

export type TestConversionService = RunningConversionService & {
  config: ConversionServiceConfig;
  dropDb: () => Promise<void>;
};

/**
 * Starts conversion-service in-process on port 0 with its own database, topic prefix and consumer groups.
 * Pass `databaseUrl` and `kafkaTopicPrefix` to start a second instance on the same state (restart tests).
 */
export async function startTestConversionService(
  overrides: Partial<ConversionServiceConfig> = {},
  deps: ConversionServiceDeps = {},
): Promise<TestConversionService> {
  const db = overrides.databaseUrl
    ? { url: overrides.databaseUrl, drop: async () => undefined }
    : await createTestDatabase('conversion');
  const config = loadConversionServiceConfig(
    { INTERNAL_AUTH_SECRET: TEST_INTERNAL_SECRET, LOG_LEVEL: 'warn' },
    {
      port: 0,
      databaseUrl: db.url,
      kafkaBrokers: KAFKA_BROKERS,
      kafkaTopicPrefix: uniqueTopicPrefix(),
      clickWaitMs: 300,
      pendingSweepIntervalMs: 250,
      ...overrides,
    },
  );
  const app = await startServer(config, deps);
  return { ...app, config, dropDb: db.drop };
}
