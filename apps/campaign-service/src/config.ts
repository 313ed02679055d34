import { commonKeys, defineConfig, loadConfig, serviceKeys, subgraphKeys, type ConfigOf } from '@snaptrack/util-config';
import { retentionKeys, retentionProblems } from '@snaptrack/util-db';
import { observabilityKeys } from '@snaptrack/util-observability';

export const campaignServiceKeys = defineConfig({
  ...commonKeys,
  ...observabilityKeys,
  ...serviceKeys({
    port: '4002',
    portDoc: 'HTTP port of the subgraph and the public click endpoints (0 = any free port)',
    database: 'snaptrack_campaign',
    databaseDoc: 'campaign database',
    prefixesGroups: true,
  }),
  ...subgraphKeys,
  publicTrackingUrl: {
    env: 'PUBLIC_TRACKING_URL',
    doc: 'Tracking host used in links of campaigns without a tracking domain',
    format: 'url',
    default: 'http://127.0.0.1:8080',
  },
  trustedProxies: {
    env: 'TRUSTED_PROXIES',
    doc: 'Peers (IPs or CIDRs) whose X-Forwarded-For is believed',
    format: 'list',
    default: '127.0.0.1,::1',
  },
  clickCookieDays: {
    env: 'CLICK_COOKIE_DAYS',
    doc: 'Lifetime of the first-party click id cookie /track.js sets (days)',
    format: 'int',
    default: '30',
  },
  maxClickUrlBytes: {
    env: 'MAX_CLICK_URL_BYTES',
    doc: 'Longest click request URL accepted (longer: 414)',
    format: 'int',
    default: '8192',
  },
  clickLingerMs: {
    env: 'CLICK_LINGER_MS',
    doc: 'How long the click producer collects concurrent clicks into one batch',
    format: 'duration-ms',
    default: '2',
  },
  clickPublishTimeoutMs: {
    env: 'CLICK_PUBLISH_TIMEOUT_MS',
    doc: 'Longest wait for the broker to acknowledge a click before answering 503',
    format: 'duration-ms',
    default: '3000',
  },
  campaignWorkers: {
    env: 'CAMPAIGN_WORKERS',
    doc:
      'Processes serving on the one port (node:cluster); each is a full instance with its own Kafka producer. ' +
      '1 = in-process, no cluster',
    format: 'int',
    default: '1',
  },
  campaignRefreshMs: {
    env: 'CAMPAIGN_REFRESH_MS',
    doc: 'How often the in-memory campaign map is refreshed from the database',
    format: 'duration-ms',
    default: '2000',
  },
  configWaitMs: {
    env: 'CONFIG_WAIT_MS',
    doc: 'How long a mutation waits for a just-created channel/offer/domain to reach the config view',
    format: 'duration-ms',
    default: '3000',
  },
  configCatchUpMs: {
    env: 'CONFIG_CATCH_UP_MS',
    doc: 'Longest wait at start for the config view to replay config.entity.v1',
    format: 'duration-ms',
    default: '30000',
  },
  clickRetentionDays: {
    env: 'CLICK_RETENTION_DAYS',
    doc: 'Clicks older than this are deleted (days; at least 38, as Snap takes events up to 37 days old)',
    format: 'int',
    default: '45',
  },
  ...retentionKeys,
});
export type CampaignServiceConfig = ConfigOf<typeof campaignServiceKeys>;

export function loadCampaignServiceConfig(
  env = process.env,
  overrides: Partial<CampaignServiceConfig> = {},
): CampaignServiceConfig {
  return loadConfig(campaignServiceKeys, env, overrides, (config) => [
    ...(config.campaignWorkers < 1 || config.campaignWorkers > 16 ? ['CAMPAIGN_WORKERS must be between 1 and 16'] : []),
    ...(config.clickRetentionDays < 38
      ? ['CLICK_RETENTION_DAYS must be at least 38 (Snap accepts events up to 37 days after the click)']
      : []),
    ...retentionProblems(config),
  ]);
}
