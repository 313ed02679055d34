import {
  ConfigError,
  commonKeys,
  databaseKeys,
  defineConfig,
  introspectionKeys,
  listenKeys,
  loadConfig,
  migrationKeys,
  type ConfigOf,
} from '@snaptrack/util-config';
import { observabilityKeys } from '@snaptrack/util-observability';

export const accountServiceKeys = defineConfig({
  logLevel: commonKeys.logLevel,
  ...migrationKeys,
  ...observabilityKeys,
  ...listenKeys('4005', 'HTTP port of the subgraph (0 = any free port)'),
  ...databaseKeys('snaptrack_account', 'account database (accounts, API keys)'),
  internalAuthSecret: {
    env: 'INTERNAL_AUTH_SECRET',
    doc: 'Shared secret: gateway-signed identities and the signed POST /internal/authenticate calls',
    format: 'string',
    secret: true,
  },
  adminApiKey: {
    env: 'ADMIN_API_KEY',
    doc: 'Bearer key allowed to run adminCreateAccount through the gateway (unset = accounts only via the CLI)',
    format: 'string',
    secret: true,
    optional: true,
  },
  ...introspectionKeys,
  lastUsedFlushMs: {
    env: 'LAST_USED_FLUSH_MS',
    doc: 'How often the keys seen by POST /internal/authenticate get their lastUsedAt written (one batched UPDATE)',
    format: 'int',
    default: '10000',
  },
});
export type AccountServiceConfig = ConfigOf<typeof accountServiceKeys>;

export function loadAccountServiceConfig(
  env = process.env,
  overrides: Partial<AccountServiceConfig> = {},
): AccountServiceConfig {
  const config = loadConfig(accountServiceKeys, env, overrides);
  if (config.lastUsedFlushMs < 10 || config.lastUsedFlushMs > 3_600_000)
    throw new ConfigError(['LAST_USED_FLUSH_MS must be between 10 and 3600000']);
  return config;
}
