import { TEST_INTERNAL_SECRET, createTestDatabase } from '@snaptrack/util-testing';
import { loadAccountServiceConfig, type AccountServiceConfig } from '../src/config';
import { startServer, type RunningAccountService } from '../src/server';

export const ADMIN_KEY = 'admin-key-for-tests-0123456789';

export type TestAccountService = RunningAccountService & {
  config: AccountServiceConfig;
  dropDb: () => Promise<void>;
};

/**
 * account-service in-process on port 0 with its own database and ADMIN_KEY as ADMIN_API_KEY. The gateway's tests
 * start it too (by path: apps never import apps), so keep this signature stable.
 */
export async function startTestAccountService(
  overrides: Partial<AccountServiceConfig> = {},
): Promise<TestAccountService> {
  const db = await createTestDatabase('account');
  const config = loadAccountServiceConfig(
    { INTERNAL_AUTH_SECRET: TEST_INTERNAL_SECRET, LOG_LEVEL: 'error', ADMIN_API_KEY: ADMIN_KEY },
    { port: 0, databaseUrl: db.url, ...overrides },
  );
  const app = await startServer(config);
  return { ...app, config, dropDb: db.drop };
}
