import { ConfigError } from '@snaptrack/util-config';
import { loadAccountServiceConfig } from './config';

const base = { INTERNAL_AUTH_SECRET: 'x'.repeat(32) };

describe('account-service config', () => {
  it('defaults: port 4005, database snaptrack_account, no admin key, lastUsedAt flushed every 10 s', () => {
    const c = loadAccountServiceConfig(base);
    expect(c).toMatchObject({
      port: 4005,
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/snaptrack_account',
      lastUsedFlushMs: 10000,
      introspection: false,
    });
    expect(c.adminApiKey).toBeUndefined();
  });

  it('needs INTERNAL_AUTH_SECRET and a sane flush interval', () => {
    expect(() => loadAccountServiceConfig({})).toThrow(/INTERNAL_AUTH_SECRET is required/);
    expect(() => loadAccountServiceConfig({ ...base, LAST_USED_FLUSH_MS: '0' })).toThrow(ConfigError);
    expect(loadAccountServiceConfig({ ...base, ADMIN_API_KEY: 'adm' }).adminApiKey).toBe('adm');
  });
});
