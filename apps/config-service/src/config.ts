import {
  ConfigError,
  commonKeys,
  defineConfig,
  internalAuthKeys,
  introspectionKeys,
  loadConfig,
  serviceKeys,
  type ConfigOf,
} from '@snaptrack/util-config';
import { observabilityKeys } from '@snaptrack/util-observability';
import { TokenCipher } from '@snaptrack/util-crypto';
import { dnsServersProblem } from './tracking-domain/dns-verifier';

export const configServiceKeys = defineConfig({
  ...commonKeys,
  ...observabilityKeys,
  ...serviceKeys({
    port: '4001',
    portDoc: 'HTTP port of the subgraph (0 = any free port)',
    database: 'snaptrack_config',
    databaseDoc: 'config database',
    prefixesGroups: false,
  }),
  ...internalAuthKeys,
  tokenEncryptionKeys: {
    env: 'TOKEN_ENCRYPTION_KEYS',
    doc: 'AES-256-GCM keys for pixel access tokens: "id:base64key[,id:base64key]"; the first encrypts',
    format: 'string',
    secret: true,
  },
  tokenRotateOnStart: {
    env: 'TOKEN_ROTATE_ON_START',
    doc: 'At start-up, re-encrypt (and re-publish) every pixel token not under the active (first) key',
    format: 'boolean',
    default: 'true',
  },
  ...introspectionKeys,
  postbackBaseUrl: {
    env: 'PUBLIC_TRACKING_URL',
    doc: 'Tracking host used when an account has no tracking domain',
    format: 'url',
    default: 'http://127.0.0.1:8080',
  },
  environment: {
    env: 'NODE_ENV',
    doc: 'development lets localhost, 127.0.0.1 and ::1 be tracking domains without DNS proof; production refuses them',
    format: 'string',
    default: 'development',
  },
  dnsResolvers: {
    env: 'DNS_RESOLVERS',
    doc:
      'DNS servers (ip or ip:port, comma-separated) for tracking domain TXT verification; empty = the ' +
      'system resolvers',
    format: 'list',
    default: '',
    optional: true,
  },
  postbackSecretOverlapHours: {
    env: 'POSTBACK_SECRET_OVERLAP_HOURS',
    doc: 'Default hours rotatePostbackSecret keeps accepting the replaced postback secret (0-720)',
    format: 'int',
    default: '24',
  },
});
export type ConfigServiceConfig = ConfigOf<typeof configServiceKeys>;

export function loadConfigServiceConfig(
  env = process.env,
  overrides: Partial<ConfigServiceConfig> = {},
): ConfigServiceConfig {
  const config = loadConfig(configServiceKeys, env, overrides);
  if (config.postbackSecretOverlapHours < 0 || config.postbackSecretOverlapHours > 720)
    throw new ConfigError(['POSTBACK_SECRET_OVERLAP_HOURS must be between 0 and 720']);
  const problem = TokenCipher.validateSpec(config.tokenEncryptionKeys);
  if (problem) throw new ConfigError([`TOKEN_ENCRYPTION_KEYS is malformed: ${problem}`]);
  if (!['development', 'production', 'test'].includes(config.environment))
    throw new ConfigError([`NODE_ENV must be development, production or test (got "${config.environment}")`]);
  const dns = dnsServersProblem(config.dnsResolvers ?? []);
  if (dns) throw new ConfigError([`DNS_RESOLVERS is malformed: ${dns}`]);
  return config;
}
