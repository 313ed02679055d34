import {
  ISO_4217_CODES,
  WITHDRAWN_CURRENCIES,
  canonicalPixelId,
  currencyProblem,
  isIso4217,
  isSnapPixelId,
  isUuid,
  withdrawnCurrency,
} from '../index';

describe('shared validation facts', () => {
  it('ISO 4217: active List One codes only, exact upper case', () => {
    for (const code of ['USD', 'EUR', 'GBP', 'JPY', 'XCG', 'ZWG', 'SLE', 'VED', 'XAU', 'BOV'])
      expect(isIso4217(code)).toBe(true);
    for (const code of ['usd', 'Usd', 'US', 'USDX', 'XYZ', '', ' USD', 42, null, undefined])
      expect(isIso4217(code)).toBe(false);
    expect(new Set(ISO_4217_CODES).size).toBe(ISO_4217_CODES.length);
    expect([...ISO_4217_CODES].sort()).toEqual([...ISO_4217_CODES]);
  });

  it('withdrawn codes are refused and each names an accepted replacement', () => {
    for (const code of ['ANG', 'BGN', 'CUC', 'HRK', 'SLL', 'ZWL']) {
      expect(isIso4217(code)).toBe(false);
      expect(isIso4217(WITHDRAWN_CURRENCIES[code]?.replacedBy)).toBe(true);
    }
    // Node's ICU still lists them, which is why Intl.supportedValuesOf('currency') is not the list.
    const intlOnly = Intl.supportedValuesOf('currency').filter((c) => !isIso4217(c));
    expect(intlOnly.every((c) => c in WITHDRAWN_CURRENCIES)).toBe(true);
  });

  it('currencyProblem explains a refusal and accepts any case of an active code', () => {
    expect(currencyProblem(' eur ')).toBeNull();
    expect(currencyProblem('HRK')).toBe(
      '"HRK" is a withdrawn ISO 4217 code (Croatia adopted the euro on 2023-01-01) that Snapchat refuses; ' +
        'send EUR instead',
    );
    expect(currencyProblem('EURO')).toBe('"EURO" is not an ISO 4217 currency code (such as USD or EUR)');
    expect(currencyProblem('constructor')).toMatch(/not an ISO 4217/);
    expect(withdrawnCurrency(' hrk')).toEqual({
      code: 'HRK',
      replacedBy: 'EUR',
      note: expect.stringContaining('euro'),
    });
    expect(withdrawnCurrency('EUR')).toBeNull();
    expect(withdrawnCurrency('toString')).toBeNull();
  });

  it('UUIDs and Snap pixel ids', () => {
    const id = '1A2B3C4D-5E6F-4A1B-8C9D-0E1F2A3B4C5D';
    expect(isUuid(id)).toBe(true);
    expect(isSnapPixelId(id)).toBe(true);
    expect(canonicalPixelId(` ${id} `)).toBe(id.toLowerCase());
    for (const bad of ['pixel-1', `${id}0`, id.slice(1), '', 7, null]) {
      expect(isUuid(bad)).toBe(false);
      expect(isSnapPixelId(bad)).toBe(false);
    }
    expect(isUuid('00000000-0000-0000-0000-000000000000')).toBe(true);
    expect(isSnapPixelId('00000000-0000-0000-0000-000000000000')).toBe(false);
  });
});
