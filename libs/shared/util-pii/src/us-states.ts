/**
 * US states, the District of Columbia, the inhabited territories and the armed-forces "states", keyed by their
 * USPS two-letter code (lowercase), with the English names we map to that code.
 */
const ROWS: ReadonlyArray<readonly [code: string, ...names: string[]]> = [
  ['al', 'Alabama'],
  ['ak', 'Alaska'],
  ['az', 'Arizona'],
  ['ar', 'Arkansas'],
  ['ca', 'California'],
  ['co', 'Colorado'],
  ['ct', 'Connecticut'],
  ['de', 'Delaware'],
  ['fl', 'Florida'],
  ['ga', 'Georgia'],
  ['hi', 'Hawaii', "Hawai'i", 'Hawaiʻi'],
  ['id', 'Idaho'],
  ['il', 'Illinois'],
  ['in', 'Indiana'],
  ['ia', 'Iowa'],
  ['ks', 'Kansas'],
  ['ky', 'Kentucky'],
  ['la', 'Louisiana'],
  ['me', 'Maine'],
  ['md', 'Maryland'],
  ['ma', 'Massachusetts'],
  ['mi', 'Michigan'],
  ['mn', 'Minnesota'],
  ['ms', 'Mississippi'],
  ['mo', 'Missouri'],
  ['mt', 'Montana'],
  ['ne', 'Nebraska'],
  ['nv', 'Nevada'],
  ['nh', 'New Hampshire'],
  ['nj', 'New Jersey'],
  ['nm', 'New Mexico'],
  ['ny', 'New York'],
  ['nc', 'North Carolina'],
  ['nd', 'North Dakota'],
  ['oh', 'Ohio'],
  ['ok', 'Oklahoma'],
  ['or', 'Oregon'],
  ['pa', 'Pennsylvania'],
  ['ri', 'Rhode Island'],
  ['sc', 'South Carolina'],
  ['sd', 'South Dakota'],
  ['tn', 'Tennessee'],
  ['tx', 'Texas'],
  ['ut', 'Utah'],
  ['vt', 'Vermont'],
  ['va', 'Virginia'],
  ['wa', 'Washington', 'Washington State'],
  ['wv', 'West Virginia'],
  ['wi', 'Wisconsin'],
  ['wy', 'Wyoming'],
  ['dc', 'District of Columbia', 'Washington DC', 'Washington, D.C.'],
  ['as', 'American Samoa'],
  ['gu', 'Guam'],
  ['mp', 'Northern Mariana Islands'],
  ['pr', 'Puerto Rico'],
  ['vi', 'U.S. Virgin Islands', 'US Virgin Islands', 'United States Virgin Islands', 'Virgin Islands'],
  ['um', 'United States Minor Outlying Islands', 'U.S. Minor Outlying Islands'],
  ['aa', 'Armed Forces Americas'],
  ['ae', 'Armed Forces Europe'],
  ['ap', 'Armed Forces Pacific'],
];

/** Every code this module knows, lowercase. */
export const US_STATE_CODES: ReadonlySet<string> = new Set(ROWS.map(([code]) => code));

/** The table itself: code → names (for tests and documentation). */
export const US_STATES: ReadonlyArray<{ readonly code: string; readonly names: readonly string[] }> = Object.freeze(
  ROWS.map(([code, ...names]) => Object.freeze({ code, names: Object.freeze(names) })),
);

/** Lookup key: lowercase with whitespace, punctuation and symbols removed ("Washington, D.C." → "washingtondc"). */
export function usStateLookupKey(value: string): string {
  return value
    .normalize('NFC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}\p{White_Space}\p{Cc}\p{Cf}]/gu, '');
}

const BY_KEY: ReadonlyMap<string, string> = new Map(
  ROWS.flatMap(([code, ...names]) => names.map((name) => [usStateLookupKey(name), code] as const)),
);

/**
 * Lowercase two-letter code for a US state (or DC/territory) given by name, by code in any case, or as an
 * ISO 3166-2 subdivision code ("US-CA"); `undefined` when the value is not one of them.
 */
export function toUsStateCode(value: string): string | undefined {
  const iso = /^\s*us-([a-z]{2})\s*$/i.exec(value);
  if (iso && US_STATE_CODES.has(iso[1]!.toLowerCase())) return iso[1]!.toLowerCase();
  const key = usStateLookupKey(value);
  if (US_STATE_CODES.has(key)) return key;
  return BY_KEY.get(key);
}
