import path from 'node:path';
import { TEST_INTERNAL_SECRET } from '@snaptrack/util-testing';
import { loadGatewayConfig, type GatewayConfig } from '../src/config';
import { startGateway, type RunningGateway } from '../src/server';

/** What the gateway's tests use of account-service's test harness (apps/account-service/test/harness.ts). */
interface IssuedKey {
  accountId: string;
  keyId: string;
  apiKey: string;
}
export interface TestAccountService {
  url: string;
  accounts: {
    createAccount(name: string): Promise<{ account: { id: string; name: string }; key: IssuedKey }>;
    issue(accountId: string, name?: string): Promise<IssuedKey>;
    revoke(accountId: string, keyId: string): Promise<boolean>;
  };
  stop(): Promise<void>;
  dropDb(): Promise<void>;
}

/**
 * The real account-service, in-process from its sources. Apps never import apps (module boundaries), so it is loaded
 * by path at run time; the interface above is the part the gateway's tests rely on.
 */
const accountServiceHarness = require(path.join(__dirname, '../../account-service/test/harness')) as {
  ADMIN_KEY: string;
  startTestAccountService(overrides?: Record<string, unknown>): Promise<TestAccountService>;
};

export const ADMIN_KEY = accountServiceHarness.ADMIN_KEY;

export type TestGateway = RunningGateway & {
  accounts: TestAccountService['accounts'];
  accountService: TestAccountService;
  dropDb: () => Promise<void>;
};

/**
 * The gateway in-process on port 0, with an account-service of its own (own database, ADMIN_KEY as ADMIN_API_KEY);
 * other subgraph URLs default to closed ports. `stop` stops both; `dropDb` drops account-service's database.
 */
export async function startTestGateway(overrides: Partial<GatewayConfig> = {}): Promise<TestGateway> {
  const accountService = await accountServiceHarness.startTestAccountService();
  try {
    const config = loadGatewayConfig(
      { INTERNAL_AUTH_SECRET: TEST_INTERNAL_SECRET, LOG_LEVEL: 'error' },
      {
        port: 0,
        accountServiceUrl: `${accountService.url}/graphql`,
        configServiceUrl: 'http://127.0.0.1:9/graphql',
        campaignServiceUrl: 'http://127.0.0.1:9/graphql',
        conversionServiceUrl: 'http://127.0.0.1:9/graphql',
        ...overrides,
      },
    );
    const gw = await startGateway(config);
    return {
      ...gw,
      accounts: accountService.accounts,
      accountService,
      stop: async () => {
        await gw.stop();
        await accountService.stop();
      },
      dropDb: () => accountService.dropDb(),
    };
  } catch (e) {
    await accountService.stop();
    await accountService.dropDb();
    throw e;
  }
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}
