import { ConfigError } from '@snaptrack/util-config';
import { TEST_INTERNAL_SECRET } from '@snaptrack/util-testing';
import { loadConversionServiceConfig } from './config';

const BASE_ENV = { INTERNAL_AUTH_SECRET: TEST_INTERNAL_SECRET };

describe('DEFAULT_CURRENCY', () => {
  it('is checked against the platform currency list at boot, any case', () => {
    expect(loadConversionServiceConfig(BASE_ENV).defaultCurrency).toBe('USD');
    expect(loadConversionServiceConfig({ ...BASE_ENV, DEFAULT_CURRENCY: 'eur' }).defaultCurrency).toBe('EUR');
    expect(loadConversionServiceConfig({ ...BASE_ENV, DEFAULT_CURRENCY: 'XAU' }).defaultCurrency).toBe('XAU');
  });

  it('refuses a withdrawn or unknown code, saying what to use instead', () => {
    expect(() => loadConversionServiceConfig({ ...BASE_ENV, DEFAULT_CURRENCY: 'HRK' })).toThrow(ConfigError);
    expect(() => loadConversionServiceConfig({ ...BASE_ENV, DEFAULT_CURRENCY: 'HRK' })).toThrow(/send EUR instead/);
    expect(() => loadConversionServiceConfig({ ...BASE_ENV, DEFAULT_CURRENCY: 'EURO' })).toThrow(/DEFAULT_CURRENCY/);
  });
});
