import { ConfigError } from '@snaptrack/util-config';
import { TEST_TOKEN_KEYS } from '@snaptrack/util-testing';
import { loadDispatcherConfig } from './config';

describe('loadDispatcherConfig', () => {
  it('has working defaults apart from the token keys', () => {
    const c = loadDispatcherConfig({ TOKEN_ENCRYPTION_KEYS: TEST_TOKEN_KEYS });
    expect(c).toMatchObject({
      port: 4004,
      snapCapiBaseUrl: 'https://tr.snapchat.com',
      integrationName: 'snaptrack',
      maxEventsPerRequest: 2000,
      maxBodyBytes: 1_000_000,
      retryHorizonMs: 4 * 3600_000,
      kafkaGroupId: 'snapchat-capi-dispatcher',
    });
  });

  it('lists every problem at once and never prints the secret', () => {
    try {
      loadDispatcherConfig({
        TOKEN_ENCRYPTION_KEYS: 'k1:c2hvcnQ=',
        SNAP_MAX_EVENTS_PER_REQUEST: '5000',
        SEND_LEASE_MS: '1000',
        SNAP_CAPI_BASE_URL: 'nope',
      });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as Error).message;
      expect(msg).toMatch(/SNAP_CAPI_BASE_URL must be an absolute URL/);
      expect(msg).not.toContain('c2hvcnQ=');
    }
    try {
      loadDispatcherConfig({
        TOKEN_ENCRYPTION_KEYS: 'k1:c2hvcnQ=',
        SNAP_MAX_EVENTS_PER_REQUEST: '5000',
        SEND_LEASE_MS: '1000',
      });
      throw new Error('expected a ConfigError');
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toMatch(/TOKEN_ENCRYPTION_KEYS/);
      expect(msg).toMatch(/SNAP_MAX_EVENTS_PER_REQUEST must be from 1 to 2000/);
      expect(msg).toMatch(/SEND_LEASE_MS must be greater than SNAP_REQUEST_TIMEOUT_MS/);
      expect(msg).not.toContain('c2hvcnQ=');
    }
  });

  it('requires the token keys', () => {
    expect(() => loadDispatcherConfig({})).toThrow(/TOKEN_ENCRYPTION_KEYS is required/);
  });
});
