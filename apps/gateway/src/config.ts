import { ConfigError, commonKeys, defineConfig, loadConfig, type ConfigOf } from '@snaptrack/util-config';
import { observabilityKeys } from '@snaptrack/util-observability';
import { TrustedProxies } from '@snaptrack/util-http';
import { isExactOrigin } from './protection/cors';

export const gatewayKeys = defineConfig({
  logLevel: commonKeys.logLevel,
  ...observabilityKeys,
  port: { env: 'PORT', doc: 'HTTP port of the gateway (0 = any free port)', format: 'port', default: '4000' },
  host: { env: 'HOST', doc: 'Interface to listen on', format: 'string', default: '127.0.0.1' },
  internalAuthSecret: {
    env: 'INTERNAL_AUTH_SECRET',
    doc: 'Shared secret used to sign the caller identity for subgraphs and the key checks sent to account-service',
    format: 'string',
    secret: true,
  },
  configServiceUrl: {
    env: 'CONFIG_SERVICE_URL',
    doc: 'GraphQL URL of config-service',
    format: 'url',
    default: 'http://127.0.0.1:4001/graphql',
  },
  campaignServiceUrl: {
    env: 'CAMPAIGN_SERVICE_URL',
    doc: 'GraphQL URL of campaign-service',
    format: 'url',
    default: 'http://127.0.0.1:4002/graphql',
  },
  conversionServiceUrl: {
    env: 'CONVERSION_SERVICE_URL',
    doc: 'GraphQL URL of conversion-service',
    format: 'url',
    default: 'http://127.0.0.1:4003/graphql',
  },
  accountServiceUrl: {
    env: 'ACCOUNT_SERVICE_URL',
    doc: 'GraphQL URL of account-service (accounts subgraph); keys are checked at /internal/authenticate there',
    format: 'url',
    default: 'http://127.0.0.1:4005/graphql',
  },
  apiKeyCacheTtlMs: {
    env: 'API_KEY_CACHE_TTL_MS',
    doc: 'How long a key check answer is cached (a revoked key keeps working at most this long; 0 = no cache)',
    format: 'int',
    default: '30000',
  },
  apiKeyCacheMaxEntries: {
    env: 'API_KEY_CACHE_MAX_ENTRIES',
    doc: 'Most key check answers kept in the cache (least recently used dropped beyond it)',
    format: 'int',
    default: '10000',
  },
  environment: {
    env: 'NODE_ENV',
    doc: 'development enables introspection and the explorer; production disables both',
    format: 'string',
    default: 'development',
  },
  maxDepth: {
    env: 'GRAPHQL_MAX_DEPTH',
    doc: 'Maximum selection depth of an operation, introspection included (the standard introspection query is 15)',
    format: 'int',
    default: '15',
  },
  maxAliases: { env: 'GRAPHQL_MAX_ALIASES', doc: 'Maximum aliases in an operation', format: 'int', default: '30' },
  maxFields: {
    env: 'GRAPHQL_MAX_FIELDS',
    doc: 'Maximum field selections in an operation (a cost bound)',
    format: 'int',
    default: '600',
  },
  maxBodyBytes: { env: 'GRAPHQL_MAX_BODY_BYTES', doc: 'Maximum request body size', format: 'int', default: '102400' },
  rateLimitKeyPerSecond: {
    env: 'RATE_LIMIT_KEY_PER_SECOND',
    doc: 'Requests per second per API key (token bucket refill, per gateway instance; 0 = no limit)',
    format: 'int',
    default: '20',
  },
  rateLimitKeyBurst: {
    env: 'RATE_LIMIT_KEY_BURST',
    doc: 'Burst per API key (token bucket size)',
    format: 'int',
    default: '40',
  },
  rateLimitAccountPerSecond: {
    env: 'RATE_LIMIT_ACCOUNT_PER_SECOND',
    doc: 'Requests per second per account, all its keys together (per gateway instance; 0 = no limit)',
    format: 'int',
    default: '50',
  },
  rateLimitAccountBurst: {
    env: 'RATE_LIMIT_ACCOUNT_BURST',
    doc: 'Burst per account (token bucket size)',
    format: 'int',
    default: '100',
  },
  rateLimitAuthFailuresPerMinute: {
    env: 'RATE_LIMIT_AUTH_FAILURES_PER_MINUTE',
    doc: 'Failed authentications (absent, wrong or revoked key) per client IP and minute before 429 (0 = no limit)',
    format: 'int',
    default: '20',
  },
  trustedProxies: {
    env: 'TRUSTED_PROXIES',
    doc: 'Peers (IPs or CIDRs) whose X-Forwarded-For is believed for the client IP (empty = the socket address)',
    format: 'list',
    optional: true,
  },
  corsAllowedOrigins: {
    env: 'CORS_ALLOWED_ORIGINS',
    doc: 'Origins (exact, e.g. https://admin.example.com) allowed to call /graphql from a browser (empty = no CORS)',
    format: 'list',
    optional: true,
  },
  explorerDefaultApiKey: {
    env: 'EXPLORER_DEFAULT_API_KEY',
    doc: 'Development only: API key prefilled in the explorer headers (npm start: the dev key); refused in production',
    format: 'string',
    secret: true,
    optional: true,
  },
});
export type GatewayConfig = ConfigOf<typeof gatewayKeys>;

export function loadGatewayConfig(env = process.env, overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  const c = loadConfig(gatewayKeys, env, overrides);
  if (!['development', 'production', 'test'].includes(c.environment)) {
    throw new Error(`NODE_ENV must be development, production or test (got "${c.environment}")`);
  }
  const problems: string[] = [];
  if (c.apiKeyCacheTtlMs < 0 || c.apiKeyCacheTtlMs > 300_000)
    problems.push('API_KEY_CACHE_TTL_MS must be between 0 and 300000 (5 minutes)');
  if (c.apiKeyCacheMaxEntries < 1) problems.push('API_KEY_CACHE_MAX_ENTRIES must be at least 1');
  try {
    new TrustedProxies(c.trustedProxies ?? []);
  } catch (e) {
    problems.push((e as Error).message);
  }
  for (const origin of c.corsAllowedOrigins ?? []) {
    if (!isExactOrigin(origin)) {
      problems.push(`CORS_ALLOWED_ORIGINS: "${origin}" is not an origin (scheme://host[:port], no path or slash)`);
    }
  }
  if (c.explorerDefaultApiKey && c.environment === 'production') {
    problems.push('EXPLORER_DEFAULT_API_KEY is for development only and must not be set when NODE_ENV=production');
  }
  if (problems.length) throw new ConfigError(problems);
  return c;
}
