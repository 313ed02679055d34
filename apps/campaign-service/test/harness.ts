import { KAFKA_BROKERS, TEST_INTERNAL_SECRET, createTestDatabase, uniqueTopicPrefix } from '@snaptrack/util-testing';
import { loadCampaignServiceConfig, type CampaignServiceConfig } from '../src/config';
import { startServer, type RunningCampaignService } from '../src/server';

export type TestCampaignService = RunningCampaignService & {
  config: CampaignServiceConfig;
  dropDb: () => Promise<void>;
};

/** Starts campaign-service in-process on port 0 with its own database and topic prefix. */
export async function startTestCampaignService(
  overrides: Partial<CampaignServiceConfig> = {},
): Promise<TestCampaignService> {
  const db = await createTestDatabase('campaign');
  const config = loadCampaignServiceConfig(
    { INTERNAL_AUTH_SECRET: TEST_INTERNAL_SECRET, LOG_LEVEL: 'warn' },
    {
      port: 0,
      databaseUrl: db.url,
      kafkaBrokers: KAFKA_BROKERS,
      kafkaTopicPrefix: uniqueTopicPrefix(),
      publicTrackingUrl: 'http://track.example.test',
      ...overrides,
    },
  );
  const app = await startServer(config);
  return { ...app, config, dropDb: db.drop };
}
