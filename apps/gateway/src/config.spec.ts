import { ConfigError } from '@snaptrack/util-config';
import { loadGatewayConfig } from './config';

const base = { INTERNAL_AUTH_SECRET: 'x'.repeat(32) };

describe('gateway config', () => {
  it('defaults: rate limits on, no CORS, no trusted proxies', () => {
    const c = loadGatewayConfig(base);
    expect(c).toMatchObject({
      rateLimitKeyPerSecond: 20,
      rateLimitKeyBurst: 40,
      rateLimitAuthFailuresPerMinute: 20,
      maxDepth: 15,
    });
    expect(c.corsAllowedOrigins).toBeUndefined();
    expect(c.trustedProxies).toBeUndefined();
    expect(c).toMatchObject({
      accountServiceUrl: 'http://127.0.0.1:4005/graphql',
      apiKeyCacheTtlMs: 30000,
      apiKeyCacheMaxEntries: 10000,
    });
    expect(Object.keys(c)).not.toContain('databaseUrl');
  });

  it('bounds the API key cache TTL and size', () => {
    expect(() => loadGatewayConfig({ ...base, API_KEY_CACHE_TTL_MS: '600000' })).toThrow(/API_KEY_CACHE_TTL_MS/);
    expect(() => loadGatewayConfig({ ...base, API_KEY_CACHE_MAX_ENTRIES: '0' })).toThrow(/API_KEY_CACHE_MAX_ENTRIES/);
    expect(loadGatewayConfig({ ...base, API_KEY_CACHE_TTL_MS: '0' }).apiKeyCacheTtlMs).toBe(0);
  });

  it('reads the CORS allow-list and trusted proxies', () => {
    const c = loadGatewayConfig({
      ...base,
      CORS_ALLOWED_ORIGINS: 'https://admin.example.com, http://localhost:5173',
      TRUSTED_PROXIES: '10.0.0.0/8,::1',
    });
    expect(c.corsAllowedOrigins).toEqual(['https://admin.example.com', 'http://localhost:5173']);
    expect(c.trustedProxies).toEqual(['10.0.0.0/8', '::1']);
  });

  it('refuses origins that are not exact origins, and malformed proxies, in one error', () => {
    const load = () =>
      loadGatewayConfig({
        ...base,
        CORS_ALLOWED_ORIGINS: 'https://admin.example.com/,*,admin.example.com',
        TRUSTED_PROXIES: '10.0.0.0/33',
      });
    expect(load).toThrow(ConfigError);
    try {
      load();
    } catch (e) {
      expect((e as ConfigError).problems).toHaveLength(4);
      expect((e as ConfigError).message).toMatch(/TRUSTED_PROXIES: bad prefix/);
      expect((e as ConfigError).message).toMatch(/"https:\/\/admin.example.com\/" is not an origin/);
    }
  });

  it('takes an explorer default API key in development and refuses it in production', () => {
    expect(loadGatewayConfig({ ...base, EXPLORER_DEFAULT_API_KEY: 'sk_dev' }).explorerDefaultApiKey).toBe('sk_dev');
    expect(loadGatewayConfig(base).explorerDefaultApiKey).toBeUndefined();
    expect(() => loadGatewayConfig({ ...base, NODE_ENV: 'production', EXPLORER_DEFAULT_API_KEY: 'sk_dev' })).toThrow(
      /EXPLORER_DEFAULT_API_KEY is for development only/,
    );
    expect(loadGatewayConfig({ ...base, NODE_ENV: 'production' }).explorerDefaultApiKey).toBeUndefined();
  });
});
