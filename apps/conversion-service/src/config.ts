import { commonKeys, defineConfig, loadConfig, serviceKeys, subgraphKeys, type ConfigOf } from '@snaptrack/util-config';
import { currencyProblem } from '@snaptrack/contracts-events';
import { retentionKeys, retentionProblems } from '@snaptrack/util-db';
import { observabilityKeys } from '@snaptrack/util-observability';

export const conversionServiceKeys = defineConfig({
  ...commonKeys,
  ...observabilityKeys,
  ...serviceKeys({
    port: '4003',
    portDoc: 'HTTP port of the subgraph and the postback endpoint (0 = any free port)',
    database: 'snaptrack_conversion',
    databaseDoc: 'conversion database',
    prefixesGroups: true,
  }),
  kafkaGroupId: {
    env: 'KAFKA_GROUP_ID',
    doc: 'Base consumer group id; the clicks, config and delivery-result consumers append .clicks/.config/.deliveries',
    format: 'string',
    default: 'conversion-service',
  },
  outboxKafkaBrokers: {
    env: 'OUTBOX_KAFKA_BROKERS',
    doc: 'Bootstrap servers of the outbox relay producer (default: KAFKA_BROKERS)',
    format: 'list',
    optional: true,
  },
  ...subgraphKeys,
  clickWaitMs: {
    env: 'POSTBACK_CLICK_WAIT_MS',
    doc:
      'How long a postback for an unknown click waits for the click consumer before it is stored as ' +
      'pending (max 2000)',
    format: 'duration-ms',
    default: '2000',
  },
  pendingAttributionTimeoutMs: {
    env: 'PENDING_ATTRIBUTION_TIMEOUT_MS',
    doc: 'After this long a pending postback whose click never arrived is stored as an unattributed conversion',
    format: 'duration-ms',
    default: '600000',
  },
  pendingPostbackTtlHours: {
    env: 'PENDING_POSTBACK_TTL_HOURS',
    doc:
      'Pending postbacks (waiting for their click, or resolved) are deleted this many hours after they ' +
      'arrived (at least 1)',
    format: 'int',
    default: '24',
  },
  browserConversionsPerClickPerMinute: {
    env: 'BROWSER_CONVERSIONS_PER_CLICK',
    doc:
      'Browser conversions (POST /conversions/browser) accepted per click id per minute and instance; beyond, 429 ' +
      '(0 = no limit)',
    format: 'int',
    default: '10',
  },
  pendingPostbacksMaxPerAccount: {
    env: 'PENDING_POSTBACKS_MAX_PER_ACCOUNT',
    doc:
      'Most postbacks one account may have waiting for their click; beyond, a postback for an unknown ' +
      'click gets 429',
    format: 'int',
    default: '10000',
  },
  pendingSweepIntervalMs: {
    env: 'PENDING_SWEEP_INTERVAL_MS',
    doc: 'How often pending postbacks are re-checked (besides after every click batch)',
    format: 'duration-ms',
    default: '5000',
  },
  databasePoolSize: {
    env: 'DATABASE_POOL_SIZE',
    doc: 'Connections in the PostgreSQL pool (at least 1)',
    format: 'int',
    default: '10',
  },
  configCacheTtlMs: {
    env: 'CONFIG_CACHE_TTL_MS',
    doc:
      'How long a configuration lookup of the postback path (offer sources, offers, conversion types, ' +
      'tracking domains) is served from memory; this instance drops the cache whenever its config ' +
      'consumer applies a change, so this bounds staleness only for changes another instance consumed ' +
      '(0 = no cache)',
    format: 'duration-ms',
    default: '1000',
  },
  outboxWakeDelayMs: {
    env: 'OUTBOX_WAKE_DELAY_MS',
    doc:
      'After a commit that wrote outbox rows the relay runs within this many ms; commits in that window ' +
      'share one pass (0 = a pass right away)',
    format: 'duration-ms',
    default: '5',
  },
  defaultCurrency: {
    env: 'DEFAULT_CURRENCY',
    doc: 'Currency of a payout when neither the postback nor an offer source names one (ISO 4217)',
    format: 'string',
    default: 'USD',
  },
  clickRetentionDays: {
    env: 'CLICK_RETENTION_DAYS',
    doc:
      'Clicks older than this are deleted from the click view (days; at least 38, as Snap takes events ' +
      'up to 37 days old)',
    format: 'int',
    default: '45',
  },
  ...retentionKeys,
});
export type ConversionServiceConfig = ConfigOf<typeof conversionServiceKeys>;

/** The service's own rules across keys (retention, pending postbacks, the default currency). */
function conversionServiceProblems(config: ConversionServiceConfig): string[] {
  const problems: string[] = [];
  if (config.clickRetentionDays < 38)
    problems.push('CLICK_RETENTION_DAYS must be at least 38 (Snap accepts events up to 37 days after the click)');
  problems.push(...retentionProblems(config));
  if (config.pendingPostbackTtlHours < 1) problems.push('PENDING_POSTBACK_TTL_HOURS must be at least 1');
  if (config.pendingPostbacksMaxPerAccount < 1) problems.push('PENDING_POSTBACKS_MAX_PER_ACCOUNT must be at least 1');
  // The platform's currency list (@snaptrack/contracts-events): a withdrawn code here would make every payout without
  // a currency fail `invalid_currency` at the dispatcher.
  const currency = currencyProblem(config.defaultCurrency);
  if (currency) problems.push(`DEFAULT_CURRENCY: ${currency}`);
  return problems;
}

export function loadConversionServiceConfig(
  env = process.env,
  overrides: Partial<ConversionServiceConfig> = {},
): ConversionServiceConfig {
  const config = loadConfig(conversionServiceKeys, env, overrides, conversionServiceProblems);
  // The request path never blocks longer than 2 s on a missing click (issue 5: bounded wait).
  config.clickWaitMs = Math.min(config.clickWaitMs, 2000);
  config.defaultCurrency = config.defaultCurrency.toUpperCase();
  config.databasePoolSize = Math.max(1, config.databasePoolSize);
  return config;
}
