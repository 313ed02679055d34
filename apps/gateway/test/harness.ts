import { TEST_INTERNAL_SECRET, createTestDatabase } from '@snaptrack/util-testing';
import { loadGatewayConfig, type GatewayConfig } from '../src/config';
import { startGateway, type RunningGateway } from '../src/server';

export const ADMIN_KEY = 'admin-key-for-tests-0123456789';

/** The gateway in-process on port 0 with its own database; subgraph URLs default to closed ports. */
export async function startTestGateway(
  overrides: Partial<GatewayConfig> = {},
): Promise<RunningGateway & { dropDb: () => Promise<void> }> {
  const db = await createTestDatabase('gateway');
  const config = loadGatewayConfig(
    { INTERNAL_AUTH_SECRET: TEST_INTERNAL_SECRET, LOG_LEVEL: 'error', ADMIN_API_KEY: ADMIN_KEY },
    {
      port: 0,
      accountsPort: 0,
      databaseUrl: db.url,
      configServiceUrl: 'http://127.0.0.1:9/graphql',
      campaignServiceUrl: 'http://127.0.0.1:9/graphql',
      conversionServiceUrl: 'http://127.0.0.1:9/graphql',
      ...overrides,
    },
  );
  const gw = await startGateway(config);
  return { ...gw, dropDb: db.drop };
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
