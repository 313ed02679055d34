import { ConfigError, commonKeys, defineConfig, loadConfig, serviceKeys, type ConfigOf } from '@snaptrack/util-config';
import { retentionKeys, retentionProblems } from '@snaptrack/util-db';
import { observabilityKeys } from '@snaptrack/util-observability';
import { TokenCipher } from '@snaptrack/util-crypto';

export const dispatcherKeys = defineConfig({
  ...commonKeys,
  ...observabilityKeys,
  ...serviceKeys({
    port: '4004',
    portDoc: 'HTTP port of the health server (/healthz, /readyz); 0 = any free port',
    hostDoc: 'Interface the health server listens on',
    database: 'snaptrack_dispatcher',
    databaseDoc: 'dispatcher database (the delivery ledger)',
    prefixesGroups: false,
  }),
  kafkaGroupId: {
    env: 'KAFKA_GROUP_ID',
    doc: 'Consumer group for conversions and commands; the config view uses "<group>.config"',
    format: 'string',
    default: 'snapchat-capi-dispatcher',
  },
  tokenEncryptionKeys: {
    env: 'TOKEN_ENCRYPTION_KEYS',
    doc:
      'AES-256-GCM keys that decrypt pixel access tokens: "id:base64key[,id:base64key]" (same keys as ' +
      'config-service)',
    format: 'string',
    secret: true,
  },
  snapCapiBaseUrl: {
    env: 'SNAP_CAPI_BASE_URL',
    doc: 'Snap CAPI root; the local sandbox in tests and demos',
    format: 'url',
    default: 'https://tr.snapchat.com',
  },
  integrationName: {
    env: 'INTEGRATION_NAME',
    doc: 'Value of the `integration` field sent with every event (lowercase product id)',
    format: 'string',
    default: 'snaptrack',
  },
  requestTimeoutMs: {
    env: 'SNAP_REQUEST_TIMEOUT_MS',
    doc: 'Total timeout of one Snap request; a timeout is retried with the same body',
    format: 'duration-ms',
    default: '15000',
  },
  maxEventsPerRequest: {
    env: 'SNAP_MAX_EVENTS_PER_REQUEST',
    doc: 'Events per request (Snap: at most 2000)',
    format: 'int',
    default: '2000',
  },
  maxBodyBytes: {
    env: 'SNAP_MAX_BODY_BYTES',
    doc: 'Largest request body; a batch is split before it',
    format: 'int',
    default: '1000000',
  },
  lingerMs: {
    env: 'SNAP_LINGER_MS',
    doc: 'How long the sender waits after new work arrives, to batch a burst into fewer requests',
    format: 'duration-ms',
    default: '25',
  },
  maxConcurrency: {
    env: 'SNAP_MAX_CONCURRENCY',
    doc: 'Snap requests in flight at once (all pixels)',
    format: 'int',
    default: '8',
  },
  maxConcurrencyPerToken: {
    env: 'SNAP_MAX_CONCURRENCY_PER_TOKEN',
    doc: 'Snap requests in flight at once per access token',
    format: 'int',
    default: '2',
  },
  rateLimitPerToken: {
    env: 'SNAP_RATE_LIMIT_PER_TOKEN',
    doc: 'Requests per second per access token and dispatcher instance (0 = no limit)',
    format: 'int',
    default: '10',
  },
  retryBaseMs: {
    env: 'RETRY_BASE_MS',
    doc: 'First retry delay; each further retry waits 4x longer (with jitter)',
    format: 'duration-ms',
    default: '30000',
  },
  retryMaxDelayMs: {
    env: 'RETRY_MAX_DELAY_MS',
    doc: 'Longest wait between two attempts',
    format: 'duration-ms',
    default: '7200000',
  },
  retryHorizonMs: {
    env: 'RETRY_HORIZON_MS',
    doc: 'After this long without success a delivery is marked failed',
    format: 'duration-ms',
    default: '14400000',
  },
  sendLeaseMs: {
    env: 'SEND_LEASE_MS',
    doc: 'How long a claimed delivery is reserved for the instance sending it; must exceed SNAP_REQUEST_TIMEOUT_MS',
    format: 'duration-ms',
    default: '60000',
  },
  senderEnabled: {
    env: 'SENDER_ENABLED',
    doc:
      'false: consume conversions and commands into the ledger but send nothing to Snapchat (recovery after a ' +
      'ledger restore, docs/deployment.md; /stats shows the ledger)',
    format: 'boolean',
    default: 'true',
  },
  senderPollMs: {
    env: 'SENDER_POLL_MS',
    doc: 'How often the sender looks for due retries when nothing wakes it',
    format: 'duration-ms',
    default: '500',
  },
  retargetClockSkewMs: {
    env: 'RETARGET_CLOCK_SKEW_MS',
    doc:
      'A new or changed pixel placement re-targets the stored conversions received since its creation minus this ' +
      'margin (clock difference allowed between services)',
    format: 'duration-ms',
    default: '120000',
  },
  configCatchUpTimeoutMs: {
    env: 'CONFIG_CATCHUP_TIMEOUT_MS',
    doc:
      'At start, how often to warn while the config view has not caught up; conversions wait for it ' +
      'however long it takes',
    format: 'duration-ms',
    default: '60000',
  },
  conversionRetentionDays: {
    env: 'CONVERSION_RETENTION_DAYS',
    doc:
      'Conversion copies are deleted this many days after they were consumed, unless a delivery is ' +
      'still active (at least 38)',
    format: 'int',
    default: '90',
  },
  ...retentionKeys,
});
export type DispatcherConfig = ConfigOf<typeof dispatcherKeys>;

/** Reads and validates every key; throws one ConfigError naming all problems (never a secret's value). */
export function loadDispatcherConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<DispatcherConfig> = {},
): DispatcherConfig {
  const config = loadConfig(dispatcherKeys, env, overrides);
  const problems: string[] = [];
  const keysProblem = TokenCipher.validateSpec(config.tokenEncryptionKeys);
  if (keysProblem) problems.push(`TOKEN_ENCRYPTION_KEYS ${keysProblem}`);
  if (config.maxEventsPerRequest < 1 || config.maxEventsPerRequest > 2000)
    problems.push('SNAP_MAX_EVENTS_PER_REQUEST must be from 1 to 2000 (Snap takes at most 2000 events per request)');
  if (config.maxBodyBytes < 4096 || config.maxBodyBytes > 1048576)
    problems.push('SNAP_MAX_BODY_BYTES must be from 4096 to 1048576');
  if (config.maxConcurrency < 1) problems.push('SNAP_MAX_CONCURRENCY must be at least 1');
  if (config.maxConcurrencyPerToken < 1) problems.push('SNAP_MAX_CONCURRENCY_PER_TOKEN must be at least 1');
  if (config.sendLeaseMs <= config.requestTimeoutMs)
    problems.push('SEND_LEASE_MS must be greater than SNAP_REQUEST_TIMEOUT_MS, or a slow request could be sent twice');
  if (config.retryBaseMs < 1) problems.push('RETRY_BASE_MS must be at least 1');
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(config.integrationName))
    problems.push('INTEGRATION_NAME must be a lowercase product id ([a-z0-9._-], at most 64 characters)');
  if (config.conversionRetentionDays < 38)
    problems.push(
      'CONVERSION_RETENTION_DAYS must be at least 38 (Snap accepts events up to 37 days old; retries need the copy)',
    );
  problems.push(...retentionProblems(config));
  if (problems.length) throw new ConfigError(problems);
  return config;
}
