import { ConfigError, commonKeys, defineConfig, loadConfig, type ConfigOf } from '@snaptrack/util-config';
import { TokenCipher } from '@snaptrack/util-crypto';

export const configServiceKeys = defineConfig({
  ...commonKeys,
  port: { env: 'PORT', doc: 'HTTP port of the subgraph (0 = any free port)', format: 'port', default: '4001' },
  host: { env: 'HOST', doc: 'Interface to listen on', format: 'string', default: '127.0.0.1' },
  databaseUrl: {
    env: 'DATABASE_URL',
    doc: 'PostgreSQL URL of the config database',
    format: 'url',
    default: 'postgres://postgres@127.0.0.1:5432/snaptrack_config',
  },
  kafkaTopicPrefix: {
    env: 'KAFKA_TOPIC_PREFIX',
    doc: 'Prefix for every topic name (isolation)',
    format: 'string',
    default: '',
    optional: true,
  },
  internalAuthSecret: {
    env: 'INTERNAL_AUTH_SECRET',
    doc: 'Shared secret the gateway signs caller identities with',
    format: 'string',
    secret: true,
  },
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
  introspection: {
    env: 'GRAPHQL_INTROSPECTION',
    doc: 'Allow introspection on the subgraph',
    format: 'boolean',
    default: 'false',
  },
  postbackBaseUrl: {
    env: 'PUBLIC_TRACKING_URL',
    doc: 'Tracking host used when an account has no tracking domain',
    format: 'url',
    default: 'http://127.0.0.1:8080',
  },
});
export type ConfigServiceConfig = ConfigOf<typeof configServiceKeys>;

export function loadConfigServiceConfig(
  env = process.env,
  overrides: Partial<ConfigServiceConfig> = {},
): ConfigServiceConfig {
  const config = loadConfig(configServiceKeys, env, overrides);
  const problem = TokenCipher.validateSpec(config.tokenEncryptionKeys);
  if (problem) throw new ConfigError([`TOKEN_ENCRYPTION_KEYS is malformed: ${problem}`]);
  return config;
}
