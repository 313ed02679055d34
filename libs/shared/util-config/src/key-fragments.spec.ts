import { loadConfig } from './config';
import { databaseKeys, internalAuthKeys, introspectionKeys, listenKeys, topicPrefixKeys } from './key-fragments';

describe('key fragments', () => {
  it('listenKeys: the port default is the service’s, HOST defaults to loopback', () => {
    const spec = listenKeys('4009', 'HTTP port');
    expect(loadConfig(spec, {})).toEqual({ port: 4009, host: '127.0.0.1' });
    expect(loadConfig(spec, { PORT: '0', HOST: '0.0.0.0' })).toEqual({ port: 0, host: '0.0.0.0' });
    expect(spec.host.doc).toBe('Interface to listen on');
  });

  it('databaseKeys: snaptrack_<name> on the local server unless DATABASE_URL says otherwise', () => {
    const spec = databaseKeys('snaptrack_x', 'x database');
    expect(loadConfig(spec, {}).databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/snaptrack_x');
    expect(spec.databaseUrl.doc).toBe('PostgreSQL URL of the x database');
  });

  it('topicPrefixKeys: optional, empty by default; the doc says whether groups carry it', () => {
    expect(loadConfig(topicPrefixKeys({ groups: false }), {})).toEqual({});
    expect(loadConfig(topicPrefixKeys({ groups: true }), { KAFKA_TOPIC_PREFIX: 't1.' })).toEqual({
      kafkaTopicPrefix: 't1.',
    });
    expect(topicPrefixKeys({ groups: true }).kafkaTopicPrefix.doc).toContain('consumer group');
    expect(topicPrefixKeys({ groups: false }).kafkaTopicPrefix.doc).not.toContain('consumer group');
  });

  it('subgraph keys: the secret is required, introspection is off by default', () => {
    expect(() => loadConfig({ ...internalAuthKeys, ...introspectionKeys }, {})).toThrow(/INTERNAL_AUTH_SECRET/);
    expect(loadConfig({ ...internalAuthKeys, ...introspectionKeys }, { INTERNAL_AUTH_SECRET: 's' })).toEqual({
      internalAuthSecret: 's',
      introspection: false,
    });
  });
});

describe('loadConfig with a check', () => {
  const spec = listenKeys('4009', 'HTTP port');
  it('throws the check’s problems as one ConfigError once every key parsed', () => {
    expect(() =>
      loadConfig(spec, { PORT: '80' }, {}, (c) => (c.port < 1024 ? ['PORT must be at least 1024'] : [])),
    ).toThrow(/PORT must be at least 1024/);
    expect(loadConfig(spec, { PORT: '8080' }, {}, () => [])).toEqual({ port: 8080, host: '127.0.0.1' });
  });
});
