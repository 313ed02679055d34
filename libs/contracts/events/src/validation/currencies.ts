// The one currency list of the platform: ISO 4217 List One (every active alphabetic code: currencies, funds,
// precious metals and the X-codes) as published by the ISO 4217 maintenance agency (SIX) on 2026-01-01. It is the
// list Snapchat's Conversions API accepts in `custom_data.currency` (docs/snap-capi.md "Custom data"), so
// conversion-service refuses any other code at the edge, config-service refuses it as an offer source's default,
// the dispatcher checks it again before sending and the sandbox answers as Snap does. Data, not logic: update it
// (and WITHDRAWN_CURRENCIES) when the agency publishes an amendment. `Intl.supportedValuesOf('currency')` is NOT
// this list: Node's ICU still knows withdrawn codes (ANG, BGN, CUC, HRK, SLL, ZWL) and lacks the fund and X-codes.

export const ISO_4217_CODES = [
  'AED',
  'AFN',
  'ALL',
  'AMD',
  'AOA',
  'ARS',
  'AUD',
  'AWG',
  'AZN',
  'BAM',
  'BBD',
  'BDT',
  'BHD',
  'BIF',
  'BMD',
  'BND',
  'BOB',
  'BOV',
  'BRL',
  'BSD',
  'BTN',
  'BWP',
  'BYN',
  'BZD',
  'CAD',
  'CDF',
  'CHE',
  'CHF',
  'CHW',
  'CLF',
  'CLP',
  'CNY',
  'COP',
  'COU',
  'CRC',
  'CUP',
  'CVE',
  'CZK',
  'DJF',
  'DKK',
  'DOP',
  'DZD',
  'EGP',
  'ERN',
  'ETB',
  'EUR',
  'FJD',
  'FKP',
  'GBP',
  'GEL',
  'GHS',
  'GIP',
  'GMD',
  'GNF',
  'GTQ',
  'GYD',
  'HKD',
  'HNL',
  'HTG',
  'HUF',
  'IDR',
  'ILS',
  'INR',
  'IQD',
  'IRR',
  'ISK',
  'JMD',
  'JOD',
  'JPY',
  'KES',
  'KGS',
  'KHR',
  'KMF',
  'KPW',
  'KRW',
  'KWD',
  'KYD',
  'KZT',
  'LAK',
  'LBP',
  'LKR',
  'LRD',
  'LSL',
  'LYD',
  'MAD',
  'MDL',
  'MGA',
  'MKD',
  'MMK',
  'MNT',
  'MOP',
  'MRU',
  'MUR',
  'MVR',
  'MWK',
  'MXN',
  'MXV',
  'MYR',
  'MZN',
  'NAD',
  'NGN',
  'NIO',
  'NOK',
  'NPR',
  'NZD',
  'OMR',
  'PAB',
  'PEN',
  'PGK',
  'PHP',
  'PKR',
  'PLN',
  'PYG',
  'QAR',
  'RON',
  'RSD',
  'RUB',
  'RWF',
  'SAR',
  'SBD',
  'SCR',
  'SDG',
  'SEK',
  'SGD',
  'SHP',
  'SLE',
  'SOS',
  'SRD',
  'SSP',
  'STN',
  'SVC',
  'SYP',
  'SZL',
  'THB',
  'TJS',
  'TMT',
  'TND',
  'TOP',
  'TRY',
  'TTD',
  'TWD',
  'TZS',
  'UAH',
  'UGX',
  'USD',
  'USN',
  'UYI',
  'UYU',
  'UYW',
  'UZS',
  'VED',
  'VES',
  'VND',
  'VUV',
  'WST',
  'XAD',
  'XAF',
  'XAG',
  'XAU',
  'XBA',
  'XBB',
  'XBC',
  'XBD',
  'XCD',
  'XCG',
  'XDR',
  'XOF',
  'XPD',
  'XPF',
  'XPT',
  'XSU',
  'XTS',
  'XUA',
  'XXX',
  'YER',
  'ZAR',
  'ZMW',
  'ZWG',
] as const;

/** One of ISO_4217_CODES. */
export type Iso4217Code = (typeof ISO_4217_CODES)[number];

const CODES: ReadonlySet<string> = new Set(ISO_4217_CODES);

/** Exact match only: `usd` is not a currency code, `USD` is. */
export function isIso4217(value: unknown): value is Iso4217Code {
  return typeof value === 'string' && CODES.has(value);
}

/**
 * Codes withdrawn from List One that software (ICU, old offer-network templates) still produces, each with the code
 * that replaced it. Never accepted: the map only lets an edge say what to send instead.
 */
export const WITHDRAWN_CURRENCIES: Readonly<Record<string, { replacedBy: Iso4217Code; note: string }>> = {
  ANG: { replacedBy: 'XCG', note: 'the Netherlands Antillean guilder was replaced by the Caribbean guilder in 2025' },
  BGN: { replacedBy: 'EUR', note: 'Bulgaria adopted the euro on 2026-01-01' },
  CUC: { replacedBy: 'CUP', note: 'Cuba withdrew the convertible peso in 2021' },
  HRK: { replacedBy: 'EUR', note: 'Croatia adopted the euro on 2023-01-01' },
  SLL: { replacedBy: 'SLE', note: 'Sierra Leone redenominated the leone (SLE) in 2022' },
  ZWL: { replacedBy: 'ZWG', note: 'Zimbabwe replaced the dollar with the Zimbabwe Gold (ZWG) in 2024' },
};

/** The withdrawn code `raw` (any case, trimmed) names, with its replacement, or null when it names none. */
export function withdrawnCurrency(raw: string): { code: string; replacedBy: Iso4217Code; note: string } | null {
  const code = raw.trim().toUpperCase();
  return Object.prototype.hasOwnProperty.call(WITHDRAWN_CURRENCIES, code)
    ? { code, ...WITHDRAWN_CURRENCIES[code] }
    : null;
}

/**
 * Why `raw` (any case, trimmed) is not a currency code we accept, or null when its upper-case form is one. The
 * sentence quotes `raw` (at most 20 characters): fine for a setting a person typed, not for an edge that must never
 * echo a parameter value (there, use isIso4217 and withdrawnCurrency, which only name codes from the lists).
 */
export function currencyProblem(raw: string): string | null {
  if (isIso4217(raw.trim().toUpperCase())) return null;
  const shown = JSON.stringify(raw.trim().slice(0, 20));
  const withdrawn = withdrawnCurrency(raw);
  if (withdrawn) {
    return (
      `${shown} is a withdrawn ISO 4217 code (${withdrawn.note}) that Snapchat refuses; ` +
      `send ${withdrawn.replacedBy} instead`
    );
  }
  return `${shown} is not an ISO 4217 currency code (such as USD or EUR)`;
}
